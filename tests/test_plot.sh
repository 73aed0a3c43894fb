#!/usr/bin/env bash
# test_plot.sh - the charts: `kpisim plot` on a small real run, compare and
# sweep; every script of plots/ run by hand; titles in Chinese and Russian
# (and a sweep's, from its scenario.yaml); the funnel by source, its ratios
# against monthly.csv and a source without calls (clients.focus 0); and the
# failures (no results, no directory, no gnuplot, a broken script, a
# monthly.csv without the columns a script needs).
#
# Each image is checked for what a projector needs: a valid PNG (signature,
# 1280x720 in IHDR, pixels that decode) or well-formed SVG with an <svg>
# root of 1280x720, and not blank: many distinct colours, and a fair share
# of coloured (not grey) pixels, i.e. the data was drawn, not only text.
#
# Run from the repository root; KPISIM names the binary (default ./kpisim).
set -u
TEST_NAME=test_plot
. "$(dirname "$0")/shlib.sh"
ROOT=$PWD
out_lines() { # out_lines N: stdout has N lines
    local n; n=$(wc -l <"$T/out")
    if [ "$n" -eq "$1" ]; then ok; else bad "stdout has $n lines, expected $1: $(head -c 400 "$T/out")"; fi
}

# png_size FILE: "WIDTH HEIGHT" from the IHDR chunk, or nothing when the
# file does not start with the PNG signature and an IHDR.
png_size() {
    local sig
    sig=$(od -An -tx1 -N16 "$1" 2>/dev/null | tr -d ' \n')
    [ "$sig" = "89504e470d0a1a0a0000000d49484452" ] || return 0
    local w h
    w=$(od -An -tu1 -j16 -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
    h=$(od -An -tu1 -j20 -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
    echo "$w $h"
}

# The pixel checks: python3 decodes the PNG (zlib, the five row filters)
# and counts colours; parses the SVG with xml.etree.
HAVE_PY=0
command -v python3 >/dev/null 2>&1 && HAVE_PY=1
cat >"$T/imgcheck.py" <<'EOF'
import struct, sys, zlib
import xml.etree.ElementTree as ET

def png(path):
    d = open(path, 'rb').read()
    if d[:8] != b'\x89PNG\r\n\x1a\n':
        return 'not a PNG'
    pos, idat, ihdr, end = 8, [], None, False
    while pos + 8 <= len(d):
        n, = struct.unpack('>I', d[pos:pos + 4])
        typ, body = d[pos + 4:pos + 8], d[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif typ == b'IDAT':
            idat.append(body)
        elif typ == b'IEND':
            end = True
            break
    if not ihdr or not end:
        return 'truncated PNG'
    w, h, depth, ctype = ihdr[:4]
    if (w, h) != (1280, 720):
        return 'size %dx%d' % (w, h)
    if depth != 8 or ctype not in (2, 6):
        return 'unexpected PNG format (depth %d, colour type %d)' % (depth, ctype)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b''.join(idat))
    stride = w * bpp
    if len(raw) != h * (stride + 1):
        return 'pixel data of the wrong size'
    prev = bytearray(stride)
    colours, coloured, seen = set(), 0, 0
    i = 0
    for y in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
        elif f != 0:
            return 'bad filter type %d in row %d' % (f, y)
        if y % 3 == 0:
            for x in range(0, stride, bpp * 3):
                px = bytes(line[x:x + 3])
                colours.add(px)
                seen += 1
                if max(px) - min(px) > 40:
                    coloured += 1
        prev = line
    if len(colours) < 16:
        return 'blank: %d distinct colours' % len(colours)
    if coloured < seen * 0.002:
        return 'no data drawn: %.2f%% coloured pixels' % (100.0 * coloured / seen)
    return None

def svg(path, text):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        return 'not well-formed XML: %s' % e
    if root.tag != '{http://www.w3.org/2000/svg}svg':
        return 'root is %s, not svg' % root.tag
    if (root.get('width'), root.get('height')) != ('1280', '720'):
        return 'size %sx%s' % (root.get('width'), root.get('height'))
    texts = [t.text or '' for t in root.iter('{http://www.w3.org/2000/svg}text')]
    if text and not any(text in t for t in texts):
        return 'no text %r' % text
    if len(list(root.iter())) < 50:
        return 'blank: %d elements' % len(list(root.iter()))
    return None

# Arguments: png FILE... | svg TEXT FILE...; prints "BAD FILE: why" lines.
mode, args = sys.argv[1], sys.argv[2:]
text = args.pop(0) if mode == 'svg' else None
for path in args:
    why = png(path) if mode == 'png' else svg(path, text)
    if why:
        print('BAD %s: %s' % (path, why))
EOF

# check_png FILE...: each a valid, non-blank 1280x720 PNG.
check_png() {
    local f
    for f in "$@"; do
        if [ "$(png_size "$f")" = "1280 720" ]; then ok; else bad "$f: not a 1280x720 PNG ($(png_size "$f"))"; fi
    done
    if [ "$HAVE_PY" -eq 1 ]; then
        python3 "$T/imgcheck.py" png "$@" >"$T/img" 2>&1
        if [ -s "$T/img" ]; then bad "$(cat "$T/img")"; else ok; fi
    else
        skip "python3 missing: PNG pixels not checked"
    fi
}
# check_svg TEXT FILE...: each well-formed, 1280x720, with TEXT in a <text>.
check_svg() {
    local text=$1; shift
    local f
    for f in "$@"; do
        if head -c 400 "$f" | grep -q '<svg'; then ok; else bad "$f: no <svg> element"; fi
    done
    if [ "$HAVE_PY" -eq 1 ]; then
        python3 "$T/imgcheck.py" svg "$text" "$@" >"$T/img" 2>&1
        if [ -s "$T/img" ]; then bad "$(cat "$T/img")"; else ok; fi
    else
        skip "python3 missing: SVG structure not checked"
    fi
}
# listed_files: the files named on stdout, each must exist; into the array F.
listed_files() {
    F=()
    local line
    while IFS= read -r line; do
        if [ -f "$line" ]; then F+=("$line"); else bad "listed chart missing: $line"; fi
    done <"$T/out"
}
no_temp_left() { # no_temp_left DIR: no hidden temporary chart left in DIR
    if [ -z "$(find "$1" -name '.*.tmp.*' 2>/dev/null)" ]; then ok; else bad "temporary files left in $1: $(find "$1" -name '.*.tmp.*')"; fi
}

# --- usage and missing input (no gnuplot needed) -------------------------------
run_k 0 plot --help; if grep -q 'usage: kpisim plot' "$T/out"; then ok; else bad "plot --help"; fi
run_k 64 plot; err_has 'no directory given'
run_k 64 plot a b; err_has 'one directory at a time'
run_k 64 plot "$T" --format jpg; err_has 'expected png or svg'
run_k 64 plot "$T" --frobnicate; err_has "unknown option '--frobnicate'"
mkdir -p "$T/empty"
run_k 66 plot "$T/empty"
err_has "$T/empty: no kpisim results here (monthly.csv, comparison.csv or sweep.csv)"
check "nothing created in a directory without results" test ! -e "$T/empty/plots"
run_k 66 plot "$T/nope"; err_has "$T/nope: no such directory"
: >"$T/afile"
run_k 66 plot "$T/afile"; err_has 'not a directory'

# --- real inputs, in a path with blanks and a quote ---------------------------------
D="$T/a dir with 'quotes'"
mkdir -p "$D"
"$KPISIM" run -n 20 --set months=6 -o "$D/run" --quiet >/dev/null 2>"$T/err" ||
    bad "run failed: $(cat "$T/err")"
"$KPISIM" compare scenarios/strategies/traditional.yaml scenarios/strategies/activity.yaml \
    -n 20 -o "$D/cmp" --quiet >/dev/null 2>"$T/err" ||
    bad "compare failed: $(cat "$T/err")"
"$KPISIM" sweep tests/data/plot/sweep.yaml -n 10 -o "$D/sweep" --quiet >/dev/null 2>"$T/err" ||
    bad "sweep failed: $(cat "$T/err")"
"$KPISIM" sweep tests/data/plot/sweep-one.yaml -n 10 -o "$D/sweep1" --quiet >/dev/null 2>"$T/err" ||
    bad "one-key sweep failed: $(cat "$T/err")"
"$KPISIM" run -n 10 --set months=6 --set clients.focus=0 -o "$D/focus0" --quiet >/dev/null 2>"$T/err" ||
    bad "run with focus 0 failed: $(cat "$T/err")"
"$KPISIM" run tests/data/plot/chinese.yaml -n 10 --set months=6 -o "$D/zh" --quiet >/dev/null 2>"$T/err" ||
    bad "Chinese run failed: $(cat "$T/err")"
"$KPISIM" run tests/data/plot/russian.yaml -n 10 -o "$D/ru" --quiet >/dev/null 2>"$T/err" ||
    bad "Russian run failed: $(cat "$T/err")"

# --- gnuplot missing: exit 70 with the package to install ---------------------------
mkdir -p "$T/nobin"
PATH="$T/nobin" "$KPISIM" plot "$D/run" >"$T/out" 2>"$T/err" </dev/null
st=$?
check "plot without gnuplot exits 70 (got $st)" test "$st" -eq 70
err_has 'gnuplot is not installed (apt-get install gnuplot-nox'
check "no chart without gnuplot" test -z "$(find "$D/run/plots" -type f 2>/dev/null)"

if ! command -v gnuplot >/dev/null 2>&1; then
    skip "gnuplot is not installed (make deps): no chart rendered"
    summary
    exit
fi

# --- kpisim plot: a run, a compare, a sweep -------------------------------------------
run_k 0 plot "$D/run"
out_lines 5
listed_files
check "run charts are in DIR/plots" test -f "$D/run/plots/fan-premium.png" -a -f "$D/run/plots/fan-headcount.png" \
    -a -f "$D/run/plots/kpis.png" -a -f "$D/run/plots/sources.png" -a -f "$D/run/plots/funnel.png"
check_png "${F[@]}"
no_temp_left "$D/run/plots"
if [ -s "$T/err" ]; then bad "plot wrote on stderr: $(head -c 300 "$T/err")"; else ok; fi

run_k 0 plot "$D/run" --format svg
out_lines 5
listed_files
check_svg "An activity-managed team in a mature market" "${F[@]}"

# The funnel by source: each source's ratios (calls : contacts : meetings :
# cases, per case, from the sums of the monthly means) beside its plan.
ratio_of() { # ratio_of CALLS CONTACTS MEETINGS CASES: "12.7 : 8.9 : 3.5 : 1" from monthly.csv
    awk -F, -v a="$1_mean" -v b="$2_mean" -v m="$3_mean" -v c="$4_mean" '
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        { x += $h[a]; y += $h[b]; z += $h[m]; n += $h[c] }
        function r(v) { return v / n >= 99.95 ? sprintf("%.0f", v / n) : sprintf("%.1f", v / n) }
        END { print r(x) " : " r(y) " : " r(z) " : 1" }' "$D/run/monthly.csv"
}
check_svg "Cold prospects" "$D/run/plots/funnel.svg"
check_svg "$(ratio_of calls_cold contacts_cold meetings_cold cases_cold)" "$D/run/plots/funnel.svg"
check_svg "$(ratio_of calls_referral contacts_referral meetings_referral cases_referral)" "$D/run/plots/funnel.svg"
check_svg "$(ratio_of calls_to_clients contacts_clients meetings_clients cases_repeat)" "$D/run/plots/funnel.svg"
check_svg "$(ratio_of calls contacts meetings cases)" "$D/run/plots/funnel.svg"
check_svg "planned 10 : 7 : 3 : 1" "$D/run/plots/funnel.svg"
check_svg "planned 6 : 5 : 3 : 1" "$D/run/plots/funnel.svg"
check_svg "planned 3 : 3 : 2 : 1" "$D/run/plots/funnel.svg"
check "every source of the default run has calls" test -z "$(grep 'no calls' "$D/run/plots/funnel.svg")"

run_k 0 plot "$D/cmp"
out_lines 12
listed_files
check "compare charts" test -f "$D/cmp/plots/compare-premium.png" -a -f "$D/cmp/plots/compare-headcount.png" \
    -a -f "$D/cmp/plots/traditional-funnel.png" -a -f "$D/cmp/plots/activity-sources.png"
check_png "${F[@]}"
run_k 0 plot "$D/cmp" --format=svg
check_svg "Activity-centred management: 10 calls, 3 visits, every day" "$D/cmp/plots/compare-premium.svg"
check_svg "P(higher)" "$D/cmp/plots/compare-premium.svg"
check_svg "Traditional management: atmosphere, incentives, contests" "$D/cmp/plots/traditional-kpis.svg"

run_k 0 plot "$D/sweep"
out_lines 4
listed_files
check_png "${F[@]}"
run_k 0 plot "$D/sweep" --format svg
check_svg "activity.calls_per_day" "$D/sweep/plots/sweep-total_premium.svg"
check_svg "clients.focus" "$D/sweep/plots/sweep-profit.svg"
# A sweep writes its base scenario: its charts take the scenario's title.
check "a sweep writes DIR/scenario.yaml" test -f "$D/sweep/scenario.yaml"
check_svg "An activity-managed team in a mature market" "$D/sweep/plots/"*.svg
run_k 0 plot "$D/sweep1"
out_lines 4
listed_files
check_png "${F[@]}"
run_k 0 plot "$D/sweep1" --format svg
check_svg "An activity-managed team in a mature market" "$D/sweep1/plots/sweep-total_premium.svg"

# --- titles in Chinese and Russian (the PNG checked by eye once: docs/img/) ----------
run_k 0 plot "$D/zh" --format svg
listed_files
check_svg "高效利用客户资源" "${F[@]}"
run_k 0 plot "$D/zh"
listed_files
check_png "${F[@]}"
run_k 0 plot "$D/ru" --format svg
check_svg "Активность: десять звонков в день" "$D/ru/plots/fan-premium.svg" "$D/ru/plots/funnel.svg"

# --- every script by hand: gnuplot -c plots/NAME.gp DIR OUT [ARG] -----------------------
H="$T/by hand"
mkdir -p "$H"
by_hand() { # by_hand SCRIPT DIR OUT [ARG]: renders, and gnuplot says nothing
    if gnuplot -c "$@" >"$T/gp" 2>&1 </dev/null; then ok; else bad "gnuplot -c $*: $(head -c 400 "$T/gp")"; fi
    if [ -s "$T/gp" ]; then bad "gnuplot -c $* said: $(head -c 400 "$T/gp")"; else ok; fi
}
by_hand plots/fan.gp "$D/run" "$H/fan.png"
by_hand plots/fan.gp "$D/run" "$H/fan-cases.png" cases
by_hand plots/fan.gp "$D/run" "$H/fan-activity.png" activity_rate
by_hand plots/fan.gp "$D/run" "$H/fan-profit.png" profit
by_hand plots/kpis.gp "$D/run" "$H/kpis.png"
by_hand plots/sources.gp "$D/run" "$H/sources.png"
by_hand plots/funnel.gp "$D/run" "$H/funnel.png"
by_hand plots/funnel.gp "$D/focus0" "$H/funnel-focus0.png"
by_hand plots/compare.gp "$D/cmp" "$H/compare.png"
by_hand plots/compare.gp "$D/cmp" "$H/compare-cases.png" cases
by_hand plots/sweep.gp "$D/sweep" "$H/sweep.png"
by_hand plots/sweep.gp "$D/sweep" "$H/sweep-share.png" repeat_share
by_hand plots/sweep.gp "$D/sweep1" "$H/sweep-one.png"
check_png "$H"/*.png
# Focus 0: no calls to old clients; the funnel says so instead of dividing by zero.
by_hand plots/funnel.gp "$D/focus0" "$H/funnel-focus0.svg"
check_svg "no calls" "$H/funnel-focus0.svg"
check "focus 0: only the old clients have no calls" test "$(grep -c '>no calls<' "$H/funnel-focus0.svg")" -eq 1
check_svg "planned 3 : 3 : 2 : 1" "$H/funnel-focus0.svg"
# From another directory, with a relative script path: common.gpi is found beside it.
(cd "$T" && gnuplot -c "$ROOT/plots/fan.gp" "$D/run" "by hand/abs.svg" headcount) >"$T/gp" 2>&1
check "a script runs from any directory: $(head -c 200 "$T/gp")" test -s "$H/abs.svg"
check_svg "Agents on the team" "$H/abs.svg"

# A missing column fails with its name, and leaves no image.
mkdir -p "$T/cut"
cut -d, -f1-50 "$D/run/monthly.csv" >"$T/cut/monthly.csv"
gnuplot -c plots/fan.gp "$T/cut" "$T/cut/x.png" premium >"$T/gp" 2>&1
st=$?
check "fan.gp on a monthly.csv without premium fails (got $st)" test "$st" -ne 0
if grep -q 'no column "premium_p05"' "$T/gp"; then ok; else bad "missing column message: $(cat "$T/gp")"; fi
check "no image after a failed check" test ! -e "$T/cut/x.png"
# A monthly.csv from before the funnel by source: funnel.gp names the first missing column.
mkdir -p "$T/old"
n=$(head -n 1 "$D/run/monthly.csv" | tr ',' '\n' | grep -n -x 'calls_cold_mean' | cut -d: -f1)
cut -d, -f1-$((n - 1)) "$D/run/monthly.csv" >"$T/old/monthly.csv"
cp "$D/run/scenario.yaml" "$T/old/"
gnuplot -c plots/funnel.gp "$T/old" "$T/old/funnel.png" >"$T/gp" 2>&1
st=$?
check "funnel.gp on a monthly.csv without the columns by source fails (got $st)" test "$st" -ne 0
if grep -q 'funnel.gp: .*monthly.csv: no column "calls_cold_mean"' "$T/gp"; then ok; else bad "funnel.gp missing column message: $(cat "$T/gp")"; fi
check "no funnel image from an old monthly.csv" test ! -e "$T/old/funnel.png"
gnuplot -c plots/fan.gp "$D/run" "$T/x.jpg" >"$T/gp" 2>&1
check "an output that is neither .png nor .svg is refused" test $? -ne 0 -a ! -e "$T/x.jpg"
gnuplot -c plots/kpis.gp >"$T/gp" 2>&1
check "a script without arguments prints its usage" grep -q 'usage: gnuplot -c kpis.gp RUN_DIR OUT_FILE' "$T/gp"

# kpisim plot on a run without premium: the charts that can be drawn are,
# the others fail with gnuplot's message; exit 70.
run_k 70 plot "$T/cut"
err_has 'chart fan-premium'
err_has 'no column "premium_p05"'
err_has 'charts failed'
check "the headcount fan is still drawn" test -f "$T/cut/plots/fan-headcount.png"
no_temp_left "$T/cut/plots"

# --- a script that fails: exit 70 with gnuplot's message, earlier charts intact ------------
mkdir -p "$T/broken"
cp plots/*.gp plots/*.gpi "$T/broken/"
echo 'plot no_such_function(x)' >>"$T/broken/kpis.gp"
cp "$D/run/plots/kpis.png" "$T/kpis-before.png"
KPISIM_PLOTS="$T/broken" "$KPISIM" plot "$D/run" >"$T/out" 2>"$T/err" </dev/null
st=$?
check "a failing script exits 70 (got $st)" test "$st" -eq 70
err_has 'chart kpis'
err_has 'undefined function: no_such_function'
check "the other charts are written" grep -q 'fan-premium.png' "$T/out"
check "the failed chart keeps its earlier image" cmp -s "$T/kpis-before.png" "$D/run/plots/kpis.png"
no_temp_left "$D/run/plots"
KPISIM_PLOTS="$T/empty" "$KPISIM" plot "$D/run" >"$T/out" 2>"$T/err" </dev/null
st=$?
check "KPISIM_PLOTS without scripts exits 70 (got $st)" test "$st" -eq 70
err_has 'KPISIM_PLOTS='

# --- interrupted (SIGTERM while gnuplot draws): 130, no temporary file left -------------
mkdir -p "$T/slow"
cp plots/*.gp plots/*.gpi "$T/slow/"
printf 'pause 2\n' | cat - plots/fan.gp >"$T/slow/fan.gp"
KPISIM_PLOTS="$T/slow" "$KPISIM" plot "$D/run" >"$T/out" 2>"$T/err" </dev/null &
pid=$!
sleep 0.5
kill -TERM "$pid"
wait "$pid"
st=$?
check "SIGTERM during plot exits 130 (got $st)" test "$st" -eq 130
err_has 'interrupted'
no_temp_left "$D/run/plots"

# --- DIR/plots cannot be created: 73 ------------------------------------------------------
mkdir -p "$T/ro"
cp "$D/run/monthly.csv" "$D/run/scenario.yaml" "$T/ro/"
: >"$T/ro/plots"
run_k 73 plot "$T/ro"; err_has 'cannot create'

# --- the installed layout: PREFIX/bin/kpisim finds PREFIX/share/kpisim/plots ---------------
P="$T/prefix"
mkdir -p "$P/bin" "$P/share/kpisim/plots"
cp "$KPISIM" "$P/bin/kpisim"
cp plots/*.gp plots/*.gpi "$P/share/kpisim/plots/"
rm -rf "$D/run/plots"
(cd "$T" && "$P/bin/kpisim" plot "$D/run") >"$T/out" 2>"$T/err"
st=$?
check "the installed program finds its scripts (got $st: $(head -c 300 "$T/err"))" test "$st" -eq 0
out_lines 5

summary
