#!/usr/bin/env bash
# test_report.sh - `kpisim report DIR [--xlsx]` (docs/report.md) on a small
# real run (titled in Chinese), a compare and a sweep.
#
# report.html: written atomically (no temporary left), self-contained (no
# http:, https:, @import, src= or url( but data: and #fragments), every
# chart inlined (<svg> counted), numbers for people (thousands separators,
# no exponent, no nan; the headline figures against summary.csv), the
# explain arithmetic, the escaped scenario, the provenance, the embedded
# font holding the Chinese title's glyphs; then in a real browser (headless
# Chromium): no console error, every <svg> in the DOM, every chart drawn
# (a screenshot of each chart region has many colours), and printable (a
# PDF with one section a page).
#
# report.xlsx: read back with Python's standard library (zipfile and
# xml.etree, an independent reader): every number of each data sheet
# against its CSV, number formats, frozen panes, autofilter, defined names,
# the charts' parts, the Chinese title; then opened by LibreOffice
# headless (converted to PDF: it has pages).
#
# Run from the repository root; KPISIM names the binary (default ./kpisim).
set -u
TEST_NAME=test_report
. "$(dirname "$0")/shlib.sh"
ROOT=$PWD

if ! command -v python3 >/dev/null 2>&1; then
    skip "python3 is not installed"
    summary
    exit $?
fi

# ---- the results ------------------------------------------------------------------
"$KPISIM" run tests/data/plot/chinese.yaml -n 20 --seed 3 -o "$T/zh" --quiet >/dev/null 2>&1
# (the fault fixtures' three short months issue no case under the sales
# cycle: switched off here so that every chart has something to show)
"$KPISIM" compare tests/data/fault/tiny.yaml tests/data/fault/other.yaml -n 12 \
    --set 'sales_cycle=~' -o "$T/cmp" --quiet >/dev/null 2>&1
"$KPISIM" sweep tests/data/plot/sweep.yaml -n 8 -o "$T/sw" --quiet >/dev/null 2>&1
# a calibration, small: one key, few replications, a short projection
"$KPISIM" calibrate scenarios/calibration/history.csv --scenario scenarios/calibration/base.yaml \
    --fit activity.compliance -n 8 --project 3 -o "$T/cal" --quiet >/dev/null 2>&1
# a sensitivity study of two small strategies (differing in premium only)
cat >"$T/sbase.yaml" <<EOF2
extends: $ROOT/tests/data/fault/tiny.yaml
name: sbase
sales_cycle: ~
EOF2
printf 'extends: sbase.yaml\nname: srich\npremium: {mean: 9000}\n' >"$T/srich.yaml"
cat >"$T/study.yaml" <<'EOF2'
strategies: [sbase.yaml, srich.yaml]
keys:
  activity.calls_per_day: {range: [6, 14]}
  management.coaching_gain: {range: [0.05, 0.3]}
figures: [total_premium, total_cases]
method: [oat, sobol]
samples: 8
replications: 2
seed: 5
bootstrap: 50
decision: {figure: total_premium, better: higher}
EOF2
"$KPISIM" sensitivity "$T/study.yaml" -o "$T/sens" --quiet >/dev/null 2>&1
for d in zh cmp sw cal sens; do
    check "results in $d" test -d "$T/$d"
done

# report DIR KIND: the report is written, its path printed, nothing left behind
for d in zh cmp sw cal sens; do
    run_k 0 report "$T/$d"
    out_has "$T/$d/report.html"
    check "$d: report.html written" test -s "$T/$d/report.html"
    left=$(find "$T/$d" -maxdepth 1 -name '.report*' | head -n 3)
    if [ -z "$left" ]; then ok; else bad "$d: temporary files left: $left"; fi
done

# A run with no case in any month: its sources chart is skipped, not failed.
"$KPISIM" run tests/data/fault/tiny.yaml -n 4 -o "$T/nocase" --quiet >/dev/null 2>&1
run_k 0 report "$T/nocase"
err_has 'chart sources skipped: no cases in any month'

# ---- the HTML, statically ----------------------------------------------------------
cat >"$T/pagecheck.py" <<'EOF'
import csv, html, re, sys
path, kind, ncharts = sys.argv[1], sys.argv[2], int(sys.argv[3])
rundir = path.rsplit('/', 1)[0]
s = open(path, encoding='utf-8').read()
bad = lambda why: print('BAD %s: %s' % (path, why))
# the embedded font aside (base64 could hold any letters)
t = re.sub(r'data:[a-z/+-]+;base64,[A-Za-z0-9+/=]+', 'data:', s)
for pat, what in [(r'https?:', 'http(s): reference'), (r'@import', '@import'),
                  (r'\bsrc\s*=\s*(?!["\']?data:)', 'src= not data:'),
                  (r'url\(\s*(?!["\']?(?:data:|#))', 'url( not data: or #'),
                  (r'<script', 'a script'), (r'<link\b', 'a <link>'),
                  (r'\bhref\s*=\s*(?!["\']?#)', 'a link out of the page')]:
    m = re.search(pat, t)
    if m:
        bad('%s at %r' % (what, t[max(0, m.start() - 40):m.end() + 40]))
n = len(re.findall(r'<svg\b', t))
if n != ncharts:
    bad('%d <svg> elements, expected %d' % (n, ncharts))
text = re.sub(r'<svg\b.*?</svg>', ' ', t, flags=re.S)
text = re.sub(r'<pre>.*?</pre>', ' ', text, flags=re.S)
text = re.sub(r'<style>.*?</style>', ' ', text, flags=re.S)
text = html.unescape(re.sub(r'<[^>]+>', ' ', text))
for w in re.findall(r'\b(nan|NaN|inf|Infinity)\b', text):
    bad('"%s" shown' % w)
if re.search(r'\d[eE][+-]?\d', text):
    bad('a number with an exponent: %r' % re.search(r'\S*\d[eE][+-]?\d\S*', text).group(0))
ex = re.search(r'<section id="explain">(.*?)</section>', t, re.S)
if not ex:
    bad('no explain section')
elif re.search(r'\d[eE][+-]?\d', ex.group(1)):
    bad('explain shows a number with an exponent: %r' % re.search(r'\S*\d[eE][+-]?\d\S*', ex.group(1)).group(0))
for need in ['Headline figures', 'Charts', 'kpisim explain', 'The resolved scenario',
             'Provenance', 'not recorded', 'report made', 'seed ']:
    if need not in text:
        bad('no "%s"' % need)
if '@media print' not in s or 'break-before: page' not in s:
    bad('no print stylesheet with page breaks')
if kind == 'run':
    rows = list(csv.DictReader(open(rundir + '/summary.csv')))
    tp = [r for r in rows if r['figure'] == 'total_premium'][0]
    want = '{:,.0f}'.format(float(tp['mean']))
    if not re.search(r'Total first-year premium</th><td class="n">%s<' % re.escape(want), s):
        bad('total premium mean %s not in the headline table' % want)
    ar = [r for r in rows if r['figure'] == 'mean_activity_rate'][0]
    want = '{:.1f}%'.format(float(ar['mean']) * 100)
    if want not in text:
        bad('activity rate %s not shown as a percentage' % want)
    if 'One agent, one month' not in s:
        bad('no explain arithmetic')
    if 'calls_per_day:' not in s:
        bad('no resolved scenario')
if kind == 'compare' and 'P(higher)' not in text:
    bad('no P(higher) column')
if kind == 'sweep' and 'activity.calls_per_day' not in text:
    bad('no swept key in the grid')
if kind == 'sensitivity':
    # a table per strategy and figure, every uncertain key in it; P(best)
    # of each strategy as a percentage, as sensitivity.csv has it
    rows = list(csv.DictReader(open(rundir + '/sensitivity.csv')))
    figs = sorted({r['figure'] for r in rows if r['method'] != 'decision'})
    if len(re.findall(r'<th>Uncertain key</th>', s)) != len(figs):
        bad('%d key tables, expected %d' % (len(re.findall(r'<th>Uncertain key</th>', s)), len(figs)))
    for r in rows:
        if r['key'] and r['method'] != 'decision' and '<code>%s</code>' % r['key'] not in s:
            bad('key %s not shown' % r['key'])
        if r['index'] == 'p_best':
            want = '{:.1f}%'.format(float(r['value']) * 100)
            if not re.search(r'<td>%s</td><td class="n">%s' % (re.escape(r['key']), re.escape(want)), s):
                bad('P(best) of %s %s not shown' % (r['key'], want))
        if r['index'] == 'ST' and r['value'] and 'coaching_gain' in r['key']:
            # a lever neither strategy pulls: exactly 0
            if float(r['value']) != 0:
                bad('coaching_gain has ST %s in a study without coaching' % r['value'])
if kind == 'calibrate':
    # every fitted key in the table, its estimate to four digits; the
    # coverage counted here from fit-monthly.csv
    for r in csv.DictReader(open(rundir + '/fit.csv')):
        want = '<code>%s</code></th><td class="n">%s<' % (r['key'], '%.4g' % float(r['estimate']))
        if want not in s:
            bad('fitted key %s with estimate %.4g not in the table' % (r['key'], float(r['estimate'])))
    inside = total = 0
    for r in csv.DictReader(open(rundir + '/fit-monthly.csv')):
        if r['observed'] == '':
            continue
        total += 1
        inside += float(r['p05']) <= float(r['observed']) <= float(r['p95'])
    want = 'inside the fitted model\'s 90% band: {} of {} ({:.1f}%'.format(inside, total, 100.0 * inside / total)
    if want not in text:
        bad('no coverage line %r' % want)
    if 'fitted.yaml' not in text or 'calls_per_day:' not in s:
        bad('no resolved fitted scenario')
# thousands separators: no bare run of 5 or more digits in the tables
for cell in re.findall(r'<td class="n">([^<]*)<', s):
    if re.search(r'\d{5,}', cell):
        bad('a number without separators: %r' % cell)
EOF
html_check() { # html_check DIR KIND NCHARTS
    local o
    o=$(python3 "$T/pagecheck.py" "$T/$1/report.html" "$2" "$3" 2>&1)
    if [ -z "$o" ]; then ok; else bad "$1: $o"; fi
}
html_check zh run 5
html_check cmp compare 12
html_check sw sweep 4
html_check cal calibrate 1
# 2 strategies x 2 figures x (tornado, sobol) + decision + flip
html_check sens sensitivity 10
if grep -q '<h1>高效利用客户资源</h1>' "$T/zh/report.html"; then ok; else bad "the Chinese title is not the page's <h1>"; fi

# The embedded font holds the glyphs of the Chinese title (fontTools:
# Debian's python3-fonttools, for its own python3).
PYFT=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import fontTools' 2>/dev/null; then PYFT=$p; break; fi
done
if [ -n "$PYFT" ]; then
    o=$("$PYFT" - "$T/zh/report.html" <<'EOF' 2>&1
import base64, io, re, sys
from fontTools.ttLib import TTFont
s = open(sys.argv[1], encoding='utf-8').read()
m = re.search(r'@font-face \{ font-family: "([^"]+)"; src: url\(data:font/otf;base64,([A-Za-z0-9+/=]+)\)', s)
if not m:
    print('no embedded font'); sys.exit()
cmap = TTFont(io.BytesIO(base64.b64decode(m.group(2)))).getBestCmap()
missing = [c for c in '高效利用客户资源 Headline 0123456789,.%' if ord(c) not in cmap]
if missing:
    print('glyphs missing from the embedded font: %r' % missing)
if 'font-family="%s"' % m.group(1) not in s and "font-family='%s'" % m.group(1) not in s:
    print('the charts do not use the embedded family %s' % m.group(1))
EOF
)
    if [ -z "$o" ]; then ok; else bad "zh: $o"; fi
else
    skip "fontTools not installed: the embedded font is not checked"
fi

# ---- the HTML in a browser ---------------------------------------------------------
CHROME=
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then CHROME=$c; break; fi
done
chrome() { # chrome ARGS...: headless, no network, a fresh profile
    local prof; prof=$(mktemp -d "$T/prof.XXXXXX")
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$prof" "$@"
}
chrome_print() { # chrome_print PDF URL: prints URL to PDF; a second try when
    # chromium printed nothing (on a loaded machine, make -j with the other
    # tests, a headless print has come back empty, which says nothing of the page)
    local try
    for try in 1 2; do
        chrome --no-pdf-header-footer --print-to-pdf="$1" "$2" >/dev/null 2>&1
        [ -s "$1" ] && return 0
    done
    return 1
}
cat >"$T/shot.py" <<'EOF'
import struct, sys, zlib
# Decodes an 8-bit RGB(A) PNG; checks strips of `h` rows from the top, one
# per chart: each must hold many colours and some coloured pixels.
path, n, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = open(path, 'rb').read()
pos, idat, ihdr = 8, [], None
while pos + 8 <= len(d):
    ln, = struct.unpack('>I', d[pos:pos + 4]); typ = d[pos + 4:pos + 8]
    body = d[pos + 8:pos + 8 + ln]; pos += 12 + ln
    if typ == b'IHDR': ihdr = struct.unpack('>IIBBBBB', body)
    elif typ == b'IDAT': idat.append(body)
    elif typ == b'IEND': break
w, H, depth, ctype = ihdr[:4]
bpp = {2: 3, 6: 4}[ctype]
raw = zlib.decompress(b''.join(idat)); stride = w * bpp
prev = bytearray(stride); rows = []; i = 0
for y in range(H):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    if f == 1:
        for x in range(bpp, stride): line[x] = (line[x] + line[x - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
    elif f == 4:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 255
    rows.append(bytes(line)); prev = line
for k in range(n):
    colours, coloured, seen = set(), 0, 0
    for y in range(k * h, min((k + 1) * h, H), 3):
        line = rows[y]
        for x in range(0, stride, bpp * 3):
            px = line[x:x + 3]; colours.add(px); seen += 1
            if max(px) - min(px) > 40: coloured += 1
    if len(colours) < 16 or seen == 0 or coloured < seen * 0.002:
        print('chart %d looks blank: %d colours, %d of %d pixels coloured' % (k, len(colours), coloured, seen))
EOF
if [ -z "$CHROME" ]; then
    skip "chromium is not installed (make test installs it): the browser checks"
else
    for d in zh cmp sw; do
        case $d in zh) n=5 ;; cmp) n=12 ;; sw) n=4 ;; esac
        url="file://$T/$d/report.html"
        chrome --enable-logging=stderr --v=0 --dump-dom "$url" >"$T/$d.dom" 2>"$T/$d.log"
        got=$(grep -o '<svg\b' "$T/$d.dom" | wc -l)
        if [ "$got" -eq "$n" ]; then ok; else bad "$d: $got <svg> in the browser's DOM, expected $n"; fi
        if grep -q '高效利用客户资源\|Headline figures' "$T/$d.dom"; then ok; else bad "$d: the DOM lacks the page's text"; fi
        errs=$(grep -E 'Uncaught|ERROR:CONSOLE|CONSOLE\(|net::ERR|Failed to load' "$T/$d.log" | head -n 3)
        if [ -z "$errs" ]; then ok; else bad "$d: console errors: $errs"; fi
        # Every chart alone, one under the other at 1280 x 720 (a test copy
        # of the page with a stylesheet that hides the rest): each region
        # must be drawn.
        python3 - "$T/$d/report.html" "$T/$d/charts-only.html" <<'EOF'
import sys
s = open(sys.argv[1], encoding='utf-8').read()
css = ('<style>body{margin:0;padding:0;max-width:none} header,section{display:none}'
       ' #charts{display:block} #charts>h2,#charts>p,#charts>pre,figcaption{display:none}'
       ' figure{margin:0;width:1280px;height:720px;overflow:hidden}'
       ' figure svg.chart{width:1280px;height:720px;border:0}</style></head>')
open(sys.argv[2], 'w', encoding='utf-8').write(s.replace('</head>', css, 1))
EOF
        chrome --window-size=1280,$((720 * n)) --screenshot="$T/$d.png" \
            "file://$T/$d/charts-only.html" >/dev/null 2>&1
        if [ -s "$T/$d.png" ]; then
            o=$(python3 "$T/shot.py" "$T/$d.png" "$n" 720 2>&1)
            if [ -z "$o" ]; then ok; else bad "$d: $o"; fi
        else
            bad "$d: chromium took no screenshot"
        fi
        rm -f "$T/$d/charts-only.html"
        # Printable: one section a page at least.
        if command -v pdfinfo >/dev/null 2>&1; then
            chrome_print "$T/$d.pdf" "$url"
            pages=$(pdfinfo "$T/$d.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
            if [ "${pages:-0}" -ge 5 ]; then ok; else bad "$d: printed to ${pages:-no} pages, expected 5 or more"; fi
        else
            skip "pdfinfo (poppler-utils) not installed: printing not checked"
        fi
    done
fi

# The page needs no font of the viewer's: on a machine with no font at all
# (fontconfig pointed at an empty folder) the page printed to PDF holds the
# Chinese title as text in a font (the embedded one: there is no other),
# and, as the control, holds no such text once the @font-face rule is taken
# out.  (Printing waits for the web font; a screenshot may not.)
if [ -n "$CHROME" ] && command -v pdftotext >/dev/null 2>&1; then
    mkdir -p "$T/nofonts/empty"
    printf '<?xml version="1.0"?>\n<fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>\n' \
        "$T/nofonts/empty" "$T/nofonts/cache" >"$T/nofonts/fonts.conf"
    python3 - "$T/zh/report.html" "$T/zh" <<'EOF'
import re, sys
s = open(sys.argv[1], encoding='utf-8').read()
css = '<style>section,header>p,header>h3{display:none}</style></head>'
a = s.replace('</head>', css, 1)
open(sys.argv[2] + '/title-font.html', 'w', encoding='utf-8').write(a)
open(sys.argv[2] + '/title-nofont.html', 'w', encoding='utf-8').write(re.sub(r'@font-face \{[^}]*\}', '', a))
EOF
    for v in font nofont; do
        FONTCONFIG_FILE="$T/nofonts/fonts.conf" chrome_print "$T/title-$v.pdf" "file://$T/zh/title-$v.html"
    done
    if [ ! -s "$T/title-font.pdf" ]; then bad "zh: chromium printed no PDF of the page (twice)"
    elif pdftotext "$T/title-font.pdf" - 2>/dev/null | grep -q '高效利用客户资源'; then ok
    else bad "zh: with no font installed, the title is not drawn with the embedded font"; fi
    if [ ! -s "$T/title-nofont.pdf" ]; then bad "zh: chromium printed no PDF of the no-font control (twice)"
    elif ! pdftotext "$T/title-nofont.pdf" - 2>/dev/null | grep -q '高效利用客户资源'; then ok
    else bad "zh: the no-font control still draws the title: the check proves nothing here"; fi
    rm -f "$T/zh/title-font.html" "$T/zh/title-nofont.html"
else
    skip "chromium or pdftotext missing: the embedded font is not tried without installed fonts"
fi

# ---- failures -----------------------------------------------------------------------
run_k 64 report
err_has "no directory given"
run_k 64 report "$T/zh" --bogus
err_has "unknown option"
run_k 66 report "$T/nothing-here"
err_has "no such directory"
mkdir -p "$T/empty"
run_k 66 report "$T/empty"
err_has "no kpisim results here"
run_k 0 report --help
out_has "usage: kpisim report"

# ---- the workbook -------------------------------------------------------------------
. "$(dirname "$0")/report_xlsx.sh"

summary
