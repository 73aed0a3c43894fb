#!/usr/bin/env bash
# test_cli.sh - the kpisim program as a user meets it: real invocations, their
# exit codes, stdout, stderr and files (jq's shtest style).
#
# Run from the repository root; KPISIM names the binary (default ./kpisim).
set -u
TEST_NAME=test_cli
. "$(dirname "$0")/shlib.sh"

# signalled SIGNAL ARGS...: runs kpisim ARGS in the background, sends it
# SIGNAL after a second, and leaves its exit status in $st (stderr in $T/err).
signalled() {
    local sig=$1 pid
    shift
    "$KPISIM" "$@" >/dev/null 2>"$T/err" &
    pid=$!
    sleep 1
    kill -"$sig" "$pid"
    wait "$pid"
    st=$?
}

# --- the program ---------------------------------------------------------
run_k 0 --version; out_has '^kpisim [0-9]\+\.[0-9]\+\.[0-9]\+$'; err_empty
run_k 0 --help; out_has 'usage: kpisim'
run_k 64; err_has 'usage'
run_k 64 frobnicate; err_has "unknown command 'frobnicate'"
run_k 0 run --help; out_has 'usage: kpisim run'; out_has -- '--per-replication'
run_k 0 validate --help; out_has 'usage: kpisim validate'

# --- usage errors (64) -------------------------------------------------------
run_k 64 run --frobnicate; err_has "unknown option '--frobnicate'"
run_k 64 run -n 0; err_has -- '-n: expected a whole number'
run_k 64 run -n abc; err_has -- '-n'
run_k 64 run -n; err_has 'needs a value'
run_k 64 run --threads 0
run_k 64 run --seed -3
run_k 64 run a.yaml b.yaml; err_has 'one scenario at a time'
run_k 64 validate

# --- input errors (65, 66), nothing written ---------------------------------------
run_k 66 run "$T/nope.yaml" -o "$T/o1"; err_has "$T/nope.yaml"
check "no output directory after a missing scenario" test ! -e "$T/o1"
printf 'months: 12\nactivity:\n  compliance: 1.3\n' >"$T/bad.yaml"
run_k 65 run "$T/bad.yaml" -o "$T/o2"
err_has "$T/bad.yaml:3:15: activity.compliance: expected a probability in \[0, 1\], got 1.3"
check "no output directory after a bad scenario" test ! -e "$T/o2"
out_empty
run_k 65 run --set activity.calls_per_dya=3 -o "$T/o3"; err_has 'did you mean'
check "no output directory after a bad --set" test ! -e "$T/o3"
run_k 65 validate "$T/bad.yaml"; err_has 'bad.yaml:3:15'
run_k 66 validate "$T/nope.yaml"

# --- a real run: the four files ---------------------------------------------
run_k 0 run -n 40 --seed 5 -o "$T/a" --quiet --per-replication; err_empty
for f in monthly.csv summary.csv scenario.yaml replications.csv figures.csv; do
    check "run writes $f" test -s "$T/a/$f"
done
check "no temporary files left" test -z "$(find "$T/a" -name '.*' -type f)"
out_has '^total_premium '
hdr=$(head -n 1 "$T/a/monthly.csv")
case $hdr in month,headcount_mean,headcount_sd,headcount_p05,headcount_p25,headcount_p50,headcount_p75,headcount_p95,recruits_mean*) ok ;; *) bad "monthly.csv header: ${hdr:0:120}" ;; esac
ncol=$(awk -F, 'NR == 1 { print NF }' "$T/a/monthly.csv")
check "monthly.csv has 1 + 56 KPIs x 7 columns (got $ncol)" test "$ncol" -eq 393
nrow=$(wc -l <"$T/a/monthly.csv")
check "monthly.csv has a header and 12 months (got $nrow lines)" test "$nrow" -eq 13
check "every monthly.csv row has 393 fields" test "$(awk -F, 'NF != 393' "$T/a/monthly.csv" | wc -l)" -eq 0
check "summary.csv header" test "$(head -n 1 "$T/a/summary.csv")" = "figure,mean,sd,p05,p25,p50,p75,p95"
nrep=$(wc -l <"$T/a/replications.csv")
check "replications.csv has 40 x 12 rows + header (got $nrep)" test "$nrep" -eq 481
check "resolved scenario records the replications" grep -q '^replications: 40$' "$T/a/scenario.yaml"
check "resolved scenario records the seed" grep -q '^seed: 5$' "$T/a/scenario.yaml"

# The identities K1 and K2 hold in every row of replications.csv (K1 to
# half a cent a case: money is written in whole cents).
k=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { cases = $c["cases"]; h = $c["headcount"]; ar = $c["activity_rate"]; cpa = $c["cases_per_active"]
      p = $c["premium"]; ppc = $c["premium_per_case"]
      if ((h * ar * cpa - cases) ^ 2 > 1e-12 * (1 + cases) ^ 2) bad++
      if ((cases * ppc - p) ^ 2 > (0.005 * cases + 1e-6 * (1 + p)) ^ 2) bad++ }
    END { print bad + 0 }' "$T/a/replications.csv")
check "K1/K2 hold in every replication and month ($k bad)" test "$k" -eq 0
# Numbers without float noise (issue 17 point 3): money in whole cents, and
# the percentiles of counts are possible values (whole numbers).
k=$(awk -F, '$1 ~ /premium|income|cost|profit/ && $1 !~ /share|ratio|cv|volatility/ {
        for (i = 2; i <= NF; i++) if ($i ~ /\.[0-9][0-9][0-9]/) bad++ }
    END { print bad + 0 }' "$T/a/summary.csv")
check "summary.csv: money in whole cents ($k cells not)" test "$k" -eq 0
k=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /premium|^income$|^cost$|^profit$/) c[i] = 1; next }
    { for (i in c) if ($i ~ /\.[0-9][0-9][0-9]/) bad++ } END { print bad + 0 }' "$T/a/replications.csv")
check "replications.csv: money in whole cents ($k cells not)" test "$k" -eq 0
k=$(awk -F, '$1 ~ /^(total_cases|final_headcount|total_recruits|total_exits|total_calls|final_clients)$/ {
        for (i = 4; i <= 8; i++) if ($i != int($i)) bad++ }
    END { print bad + 0 }' "$T/a/summary.csv")
check "summary.csv: the percentiles of counts are whole numbers ($k not)" test "$k" -eq 0
k=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^(headcount|cases|exits|active_agents)_p[0-9][0-9]$/) c[i] = 1; next }
    { for (i in c) if ($i != int($i)) bad++ } END { print bad + 0 }' "$T/a/monthly.csv")
check "monthly.csv: the percentiles of counts are whole numbers ($k not)" test "$k" -eq 0
# figures.csv (issue 17 point 9): replication, then every figure of summary.csv.
check "figures.csv header: replication, then the figures of summary.csv" test \
    "$(head -n 1 "$T/a/figures.csv")" = "replication,$(awk -F, 'NR > 1 { printf "%s%s", s, $1; s = "," }' "$T/a/summary.csv")"
check "figures.csv has a header and 40 rows" test "$(wc -l <"$T/a/figures.csv")" -eq 41
m1=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "total_exits") c = i; next } { s += $c } END { print s / (NR - 1) }' "$T/a/figures.csv")
m2=$(awk -F, '$1 == "total_exits" { print $2 + 0 }' "$T/a/summary.csv")
check "figures.csv: the mean of total_exits is summary.csv's ($m1 vs $m2)" test "$m1" = "$m2"

# --- reproducibility ---------------------------------------------------------
run_k 0 run "$T/a/scenario.yaml" -o "$T/b" --quiet --per-replication
for f in monthly.csv summary.csv scenario.yaml replications.csv figures.csv; do
    check "rerunning scenario.yaml reproduces $f byte for byte" cmp -s "$T/a/$f" "$T/b/$f"
done
run_k 0 run "$T/a/scenario.yaml" -o "$T/b" --quiet
check "without --per-replication, an earlier figures.csv goes" test ! -e "$T/b/figures.csv"
run_k 0 run -n 40 --seed 5 -o "$T/t1" --threads 1 --quiet
run_k 0 run -n 40 --seed 5 -o "$T/t2" --threads 2 --quiet
run_k 0 run -n 40 --seed 5 -o "$T/t3" --threads 3 --quiet
for f in monthly.csv summary.csv scenario.yaml; do
    check "--threads 1 and 2 give identical $f" cmp -s "$T/t1/$f" "$T/t2/$f"
    check "--threads 1 and 3 give identical $f" cmp -s "$T/t1/$f" "$T/t3/$f"
done
run_k 0 run -n 40 --seed 6 -o "$T/s6" --quiet
differ() { ! cmp -s "$1" "$2"; }
check "another seed gives other numbers" differ "$T/t1/monthly.csv" "$T/s6/monthly.csv"
if [ -f scenarios/default.yaml ]; then
    run_k 0 run scenarios/default.yaml -n 40 --seed 5 -o "$T/f" --quiet
    check "the built-in default is scenarios/default.yaml" cmp -s "$T/t1/monthly.csv" "$T/f/monthly.csv"
fi

# --- --set ------------------------------------------------------------------
run_k 0 run -n 10 --set activity.calls_per_day=12 --set 'funnel.cold=40:30:10:1' -o "$T/set" --quiet
check "--set is recorded in the resolved scenario" grep -q 'calls_per_day: 12$' "$T/set/scenario.yaml"
check "--set funnel is recorded" grep -q 'cold: "40:30:10:1"' "$T/set/scenario.yaml"
run_k 65 run --set activity.compliance=2 -o "$T/set2"; err_has '^kpisim: --set:1:'; err_has 'activity.compliance'

# --- clients.repeat_share as an input -----------------------------------------
run_k 65 run -n 20 --set clients.repeat_share=0.95 -o "$T/rs0"
err_has '<built-in default>: clients.repeat_share: no client focus in \[0, 1\] reaches a repeat share of 0.95'
check "no output after an unreachable repeat share" test ! -e "$T/rs0"
run_k 0 run -n 20 --set months=24 --set clients.repeat_share=0.3 -o "$T/rs"
err_has 'clients.repeat_share 0.3: using clients.focus = '
check "the resolved scenario gives the focus found" grep -q '^  focus: 0\.' "$T/rs/scenario.yaml"
check "the resolved scenario has no repeat_share" test -z "$(grep repeat_share: "$T/rs/scenario.yaml")"
run_k 0 run "$T/rs/scenario.yaml" -o "$T/rs2" --quiet
check "rerunning a repeat_share run reproduces it" cmp -s "$T/rs/monthly.csv" "$T/rs2/monthly.csv"
printf 'clients:\n  focus: 0.3\n  repeat_share: 0.4\n' >"$T/both.yaml"
run_k 65 validate "$T/both.yaml"; err_has 'both.yaml:3:'

# --- compare ----------------------------------------------------------------------
run_k 0 compare --help; out_has 'usage: kpisim compare'
run_k 64 compare scenarios/default.yaml; err_has 'at least two'
run_k 65 compare scenarios/default.yaml "$T/bad.yaml" -o "$T/cb"
check "no output after a bad scenario in compare" test ! -e "$T/cb"
run_k 0 compare scenarios/default.yaml scenarios/default.yaml -n 30 --threads 1 -o "$T/c1" --quiet
for f in comparison.csv default/monthly.csv default/summary.csv default/scenario.yaml \
         default-2/monthly.csv; do
    check "compare writes $f" test -s "$T/c1/$f"
done
check "comparison.csv header" test "$(head -n 1 "$T/c1/comparison.csv")" = \
    "kind,name,month,scenario,mean,p05,p95,diff_mean,diff_p05,diff_p95,diff_sd,p_higher"
# (a figure the horizon cannot measure has empty cells: no difference either)
nz=$(awk -F, 'NR > 1 && $4 == "default-2" && ($8 $9 $10 $11 != "") && ($8 != 0 || $9 != 0 || $10 != 0 || $11 != 0)' "$T/c1/comparison.csv" | wc -l)
check "a scenario compared with itself: all differences 0 ($nz rows not)" test "$nz" -eq 0
# Not applicable is an empty cell, not 0 (issue 17 point 4): P(higher) of two
# scenarios that never differ, and every diff_* and p_higher of the baseline.
nz=$(awk -F, 'NR > 1 && $4 == "default-2" && $12 != ""' "$T/c1/comparison.csv" | wc -l)
check "never different: p_higher empty ($nz rows not)" test "$nz" -eq 0
nz=$(awk -F, 'NR > 1 && $4 == "default" && ($8 $9 $10 $11 $12 != "")' "$T/c1/comparison.csv" | wc -l)
check "the baseline's diff_* and p_higher are empty ($nz rows not)" test "$nz" -eq 0
rows=$(awk -F, 'NR > 1' "$T/c1/comparison.csv" | wc -l)
check "comparison.csv has 2 x (figures + 56 KPIs x 12 months) rows (got $rows)" \
    test "$rows" -eq $((2 * ($(awk 'NR > 1' "$T/c1/default/summary.csv" | wc -l) + 56 * 12)))
out_has '^total_premium '
run_k 0 compare scenarios/default.yaml scenarios/default.yaml -n 30 --threads 2 -o "$T/c2" --quiet
check "compare: --threads 1 and 2 give identical comparison.csv" cmp -s "$T/c1/comparison.csv" "$T/c2/comparison.csv"
check "compare's own runs equal plain runs" cmp -s "$T/c1/default/monthly.csv" "$T/c2/default-2/monthly.csv"
run_k 0 run scenarios/default.yaml -n 30 -o "$T/c3" --quiet
check "a compared scenario's monthly.csv equals its own run's" cmp -s "$T/c1/default/monthly.csv" "$T/c3/monthly.csv"

# --- one progress bar per job (issue 17 point 5) --------------------------------------
# On a terminal (a pseudo-terminal from script(1)) compare and sweep draw one bar
# over the whole job: neither its fill nor its percentage ever goes back when the
# next scenario or point starts.
bar_monotone() {  # bar_monotone FILE: at least two bars drawn, none shrinking
    tr '\r' '\n' <"$1" | grep -o '\[[#.]*\] *[0-9]*%' | awk '
        { fill = gsub(/#/, "#"); pct = $NF + 0; n++
          if (fill < lastfill || pct < lastpct) bad = 1
          lastfill = fill; lastpct = pct }
        END { exit !(n > 1 && !bad) }'
}
if command -v script >/dev/null 2>&1; then
    script -qfc "'$KPISIM' compare scenarios/default.yaml scenarios/default.yaml scenarios/default.yaml -n 1000 --threads 1 -o '$T/cbar' >/dev/null" /dev/null >"$T/tty" 2>&1
    check "compare: one progress bar over the whole job, never going back" bar_monotone "$T/tty"
    printf 'extends: %s/scenarios/default.yaml\nsweep:\n  activity.calls_per_day: [8, 9, 10]\n' "$PWD" >"$T/barsweep.yaml"
    script -qfc "'$KPISIM' sweep '$T/barsweep.yaml' -n 1000 --threads 1 -o '$T/swbar' >/dev/null" /dev/null >"$T/tty" 2>&1
    check "sweep: one progress bar over the whole job, never going back" bar_monotone "$T/tty"
else
    skip "no script(1): the progress bar is not tested"
fi

# --- sweep ------------------------------------------------------------------------
run_k 0 sweep --help; out_has 'usage: kpisim sweep'
run_k 64 sweep; err_has 'no sweep file'
run_k 66 sweep "$T/nope.yaml"
printf 'sweep:\n  activity.calls_per_dya: [8, 10]\n' >"$T/badsweep.yaml"
run_k 65 sweep "$T/badsweep.yaml" -o "$T/sw0"; err_has 'badsweep.yaml:2:3: '; err_has 'did you mean'
check "no output after a bad sweep file" test ! -e "$T/sw0"
run_k 65 run tests/data/sweep/calls-focus.yaml -o "$T/sw00"; err_has "run it with 'kpisim sweep'"
run_k 0 validate tests/data/sweep/calls-focus.yaml; out_has 'ok (a sweep of 63 points)'
run_k 0 sweep tests/data/sweep/calls-focus.yaml -n 4 --threads 1 -o "$T/sw1"
err_has '63 points over activity.calls_per_day (7) x clients.focus (9), 4 replications each: 252 replications'
err_has "wrote $T/sw1/sweep.csv and $T/sw1/scenario.yaml"
out_has '^activity.calls_per_day'
hdr=$(head -n 1 "$T/sw1/sweep.csv")
case $hdr in activity.calls_per_day,clients.focus,total_premium_mean,total_premium_p05,total_premium_p95,total_cases_mean,*) ok ;; *) bad "sweep.csv header: ${hdr:0:100}" ;; esac
check "sweep.csv has a header and 63 rows" test "$(wc -l <"$T/sw1/sweep.csv")" -eq 64
check "sweep.csv columns: 2 keys + 7 per figure" test "$(awk -F, 'NR == 1 { print NF }' "$T/sw1/sweep.csv")" -eq $((2 + 7 * $(awk 'NR > 1' "$T/a/summary.csv" | wc -l)))
# Every band column (issue 17 point 9): mean, p05, p95 of every figure first
# (the columns older scripts read), then sd, p25, p50, p75 of every figure.
nf=$(awk 'NR > 1' "$T/a/summary.csv" | wc -l)
check "sweep.csv: total_premium_sd, _p25, _p50, _p75 after every figure's mean, p05, p95" test \
    "$(head -n 1 "$T/sw1/sweep.csv" | cut -d, -f$((3 + 3 * nf))-$((6 + 3 * nf)))" = "total_premium_sd,total_premium_p25,total_premium_p50,total_premium_p75"
k=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { if (!($c["total_premium_p05"] <= $c["total_premium_p25"] && $c["total_premium_p25"] <= $c["total_premium_p50"] &&
            $c["total_premium_p50"] <= $c["total_premium_p75"] && $c["total_premium_p75"] <= $c["total_premium_p95"] && $c["total_premium_sd"] >= 0)) bad++ }
    END { print bad + 0 }' "$T/sw1/sweep.csv")
check "sweep.csv: p05 <= p25 <= p50 <= p75 <= p95 in every row ($k not)" test "$k" -eq 0
check "the last key varies fastest" test "$(awk -F, 'NR >= 2 && NR <= 11 { printf "%s/%s ", $1, $2 }' "$T/sw1/sweep.csv")" = \
    "4/0 4/0.1 4/0.2 4/0.3 4/0.4 4/0.5 4/0.6 4/0.7 4/0.8 6/0 "
run_k 0 sweep tests/data/sweep/calls-focus.yaml -n 4 --threads 2 -o "$T/sw2" --quiet
check "sweep: --threads 1 and 2 give identical sweep.csv" cmp -s "$T/sw1/sweep.csv" "$T/sw2/sweep.csv"
# sweep --per-replication (issue 17 point 9): DIR/figures.csv, a row per point
# and replication; each point's rows average to its sweep.csv mean.
run_k 0 sweep tests/data/sweep/calls-focus.yaml -n 4 --threads 1 -o "$T/swpr" --quiet --per-replication
check "sweep --per-replication leaves sweep.csv as it was" cmp -s "$T/sw1/sweep.csv" "$T/swpr/sweep.csv"
check "sweep figures.csv header" test "$(head -n 1 "$T/swpr/figures.csv" | cut -d, -f1-6)" = \
    "point,activity.calls_per_day,clients.focus,replication,total_premium,total_cases"
check "sweep figures.csv: 63 points x 4 replications + header" test "$(wc -l <"$T/swpr/figures.csv")" -eq 253
m1=$(awk -F, '$1 == 10 { s += $6 } END { print s / 4 }' "$T/swpr/figures.csv")
m2=$(awk -F, 'NR == 11 { print $6 + 0 }' "$T/swpr/sweep.csv")
check "sweep figures.csv: point 10's total_cases average to sweep.csv's mean ($m1 vs $m2)" test "$m1" = "$m2"
run_k 0 sweep tests/data/sweep/calls-focus.yaml -n 4 --threads 1 -o "$T/swpr" --quiet
check "sweep without --per-replication removes an earlier figures.csv" test ! -e "$T/swpr/figures.csv"
# DIR/scenario.yaml: the base scenario (no swept key applied), with -n and the seed as run.
check "sweep writes DIR/scenario.yaml" test -f "$T/sw1/scenario.yaml"
check "the sweep's scenario.yaml has the base's name" grep -qx 'name: "calls-focus"' "$T/sw1/scenario.yaml"
check "the sweep's scenario.yaml: replications as run" grep -qx 'replications: 4' "$T/sw1/scenario.yaml"
check "the sweep's scenario.yaml: the base's keys, not a point's" grep -qx '  calls_per_day: 10' "$T/sw1/scenario.yaml"
check "the sweep's scenario.yaml has no sweep: block" test -z "$(grep '^sweep' "$T/sw1/scenario.yaml")"
run_k 0 validate "$T/sw1/scenario.yaml"
run_k 0 sweep tests/data/plot/sweep-one.yaml -n 2 --seed 7 --set 'title="Один ключ: calls"' -o "$T/sw4" --quiet
check "the sweep's scenario.yaml has the base's title" grep -qx 'title: "Один ключ: calls"' "$T/sw4/scenario.yaml"
check "the sweep's scenario.yaml has the base's name (extends:)" grep -qx 'name: "plot-sweep-one"' "$T/sw4/scenario.yaml"
check "the sweep's scenario.yaml: --seed as run" grep -qx 'seed: 7' "$T/sw4/scenario.yaml"
# A base that breaks a rule spanning keys (months: 6, an event in month 10) is
# written all the same: only the points had to pass.
run_k 0 sweep tests/data/sweep/months-events.yaml -n 2 -o "$T/sw5" --quiet
check "a base that fails the cross-key rules is written" grep -qx 'months: 6' "$T/sw5/scenario.yaml"
check "... with its event" grep -q 'month: 10' "$T/sw5/scenario.yaml"
# sweep.csv cannot be written (a directory in its place): no scenario.yaml either.
mkdir -p "$T/sw6/sweep.csv"
run_k 74 sweep tests/data/plot/sweep-one.yaml -n 2 -o "$T/sw6" --quiet; err_has 'sweep.csv'
check "a failed sweep writes no scenario.yaml" test ! -e "$T/sw6/scenario.yaml"
# A grid point is the base with its values set: its figures equal a plain run's.
printf 'months: 12\n' >"$T/base12.yaml"
run_k 0 run "$T/base12.yaml" -n 4 --set activity.calls_per_day=10 --set clients.focus=0.3 -o "$T/sw3" --quiet
pt=$(awk -F, '$1 == "10" && $2 == "0.3" { print $3 }' "$T/sw1/sweep.csv")
one=$(awk -F, '$1 == "total_premium" { print $2 }' "$T/sw3/summary.csv")
check "sweep point (10, 0.3) = run with those keys ($pt vs $one)" test "$pt" = "$one"
signalled INT sweep tests/data/sweep/calls-focus.yaml -n 100000 -o "$T/swint" --quiet
check "sweep: SIGINT exits 130 (got $st)" test "$st" -eq 130
check "an interrupted sweep writes nothing" test ! -e "$T/swint"
# Interrupted in a directory of an earlier sweep: its scenario.yaml is intact.
cp "$T/sw1/scenario.yaml" "$T/sw1-scenario.yaml"
signalled INT sweep tests/data/sweep/calls-focus.yaml -n 100000 --set title=Later -o "$T/sw1" --quiet
check "sweep: SIGINT exits 130 (got $st)" test "$st" -eq 130
check "an interrupted sweep keeps the earlier scenario.yaml" cmp -s "$T/sw1/scenario.yaml" "$T/sw1-scenario.yaml"

# --- model versions (docs/changes.md) ------------------------------------------------
printf 'model_version: 1\nmonths: 2\n' >"$T/v1.yaml"
run_k 0 validate "$T/v1.yaml"; err_has "warning: $T/v1.yaml: model_version 1: this scenario was written for the first model"
run_k 0 run "$T/v1.yaml" -n 2 -o "$T/v1" --quiet; err_has "sales_cycle: ~' and 'engagement: ~'"
check "a run writes the model version into scenario.yaml" grep -q '^model_version: 2$' "$T/v1/scenario.yaml"
check "and into summary.csv" grep -q '^model_version,2,0,2,2,2,2,2$' "$T/v1/summary.csv"
run_k 0 validate scenarios/default.yaml; err_empty
# --- the long format: --long (issue 17 point 9) ----------------------------------------
run_k 0 run -n 6 --seed 5 -o "$T/lg" --quiet --long --per-replication
check "long.csv header" test "$(head -n 1 "$T/lg/long.csv")" = "scenario,point,replication,month,name,statistic,value"
nk=$(( ($(awk -F, 'NR == 1 { print NF }' "$T/lg/monthly.csv") - 1) / 7 ))
nf=$(awk 'NR > 1' "$T/lg/summary.csv" | wc -l)
want=$(( 1 + 12 * nk * 7 + nf * 7 + 6 * (12 * nk + nf) ))
check "run long.csv: bands of every KPI and month, every figure, every replication's values ($want rows)" \
    test "$(wc -l <"$T/lg/long.csv")" -eq "$want"
check "run long.csv: a figure's band is summary.csv's" test \
    "$(awk -F, '$5 == "total_premium" && $6 == "p95" { print $7 }' "$T/lg/long.csv")" = \
    "$(awk -F, '$1 == "total_premium" { print $8 }' "$T/lg/summary.csv")"
check "run long.csv: a month's band is monthly.csv's" test \
    "$(awk -F, '$4 == 3 && $5 == "cases" && $6 == "p50" && $3 == "" { print $7 }' "$T/lg/long.csv")" = \
    "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cases_p50") c = i } NR == 4 { print $c }' "$T/lg/monthly.csv")"
check "run long.csv: a replication's value is replications.csv's" test \
    "$(awk -F, '$3 == 2 && $4 == 5 && $5 == "premium" && $6 == "value" { print $7 }' "$T/lg/long.csv")" = \
    "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "premium") c = i } $1 == 2 && $2 == 5 { print $c }' "$T/lg/replications.csv")"
check "run long.csv: not applicable is an empty value" test \
    "$(awk -F, '$5 == "second_policy_36m_share" && $6 == "mean" { print "[" $7 "]" }' "$T/lg/long.csv")" = "[]"
run_k 0 run -n 6 --seed 5 -o "$T/lg" --quiet
check "run without --long removes an earlier long.csv" test ! -e "$T/lg/long.csv"
run_k 0 compare scenarios/default.yaml scenarios/default.yaml -n 6 -o "$T/lgc" --quiet --long
check "compare long.csv: both scenarios' bands" test \
    "$(awk -F, '$5 == "total_cases" && $6 == "mean" { print $1 }' "$T/lgc/long.csv" | tr '\n' ' ')" = "default default-2 "
check "compare long.csv: no difference rows for the baseline" test \
    "$(awk -F, '$1 == "default" && $6 ~ /^(diff_|p_higher)/' "$T/lgc/long.csv" | wc -l)" -eq 0
check "compare long.csv: never different, p_higher empty" test \
    "$(awk -F, '$1 == "default-2" && $6 == "p_higher" && $7 != ""' "$T/lgc/long.csv" | wc -l)" -eq 0
check "compare long.csv: a difference per figure and per KPI and month" test \
    "$(awk -F, '$6 == "diff_mean"' "$T/lgc/long.csv" | wc -l)" -eq $(( nf + 12 * nk ))
run_k 0 sweep tests/data/sweep/calls-focus.yaml -n 2 --threads 1 -o "$T/lgs" --quiet --long
check "sweep long.csv: each point's settings" test \
    "$(awk -F, '$2 == 10 && $6 == "setting" { printf "%s=%s ", $5, $7 }' "$T/lgs/long.csv")" = "activity.calls_per_day=6 clients.focus=0 "
check "sweep long.csv: a point's band is sweep.csv's" test \
    "$(awk -F, '$2 == 10 && $5 == "profit" && $6 == "p05" { print $7 }' "$T/lgs/long.csv")" = \
    "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "profit_p05") c = i } NR == 11 { print $c }' "$T/lgs/sweep.csv")"

# --- explain ------------------------------------------------------------------------
run_k 0 explain --help; out_has 'usage: kpisim explain'
run_k 64 explain; err_has 'no scenario file'
run_k 0 explain scenarios/default.yaml
out_has '^  calls  *173.8  *working_days x calls a day = 22 x 7.9$'
out_has '40:30:10:1: 40 prospects make a case'
run_k 0 explain scenarios/default.yaml "$T/t1"; out_has 'simulated'
# The volatility line: no by-hand number ("-", not 0), and beside it the
# run's premium_volatility, the mean of its summary.csv to three figures.
vol=$(awk -F, '$1 == "premium_volatility" { printf "%.3f", $2 }' "$T/t1/summary.csv")
out_has "^  volatility measure  *-  *$vol   premium_volatility: "
# On the first model's law (no engagement, no sales cycle) the simulated
# calls of a run match the arithmetic.
printf 'extends: %s\nname: first\nsales_cycle: ~\nengagement: ~\n' "$PWD/scenarios/default.yaml" >"$T/first.yaml"
run_k 0 run "$T/first.yaml" -n 40 --seed 5 -o "$T/first" --quiet
run_k 0 explain "$T/first.yaml" "$T/first"
out_has '^  calls  *173.8  *17[0-9]'
# issue 17: the run of the same scenario (another seed and -n) needs no word;
# another scenario's run is named, on stderr and in the output
err_empty
run_k 0 explain scenarios/default.yaml "$T/t1" --set activity.calls_per_day=12
err_has "warning: $T/t1 is a run of another scenario than scenarios/default.yaml (activity.calls_per_day: 12 here, 10 in the run)"
out_has "^WARNING: $T/t1/scenario.yaml is not this scenario (activity.calls_per_day: 12 here, 10 in the run)"
run_k 0 explain scenarios/default.yaml "$T/t1" --set title=Other; err_empty
mkdir -p "$T/t1-noscen"; cp "$T/t1/monthly.csv" "$T/t1-noscen/"
run_k 0 explain scenarios/default.yaml "$T/t1-noscen"; err_has "warning: cannot tell whether $T/t1-noscen is a run of scenarios/default.yaml"
run_k 64 explain scenarios/default.yaml --set activity.calls_per_day 12
err_has -- '--set: expected KEY=VALUE'
# the visits line counts the appointments of calls to the book
run_k 0 explain scenarios/default.yaml
out_has '^  appointments from the book  *11  *calls to the book with a need x 3/3 x 2/3'
out_has '^  meetings set a month .*prospects .* + the book 11: within the visit capacity'
run_k 66 explain scenarios/default.yaml "$T/nowhere"
run_k 65 explain "$T/bad.yaml"

# --- numbers for people (issue 17 point 3) ---------------------------------------------
# Every table on the terminal: grouped thousands, no exponent, money in the
# scenario's currency, not applicable as n/a, P(higher) of no difference as "=".
no_exponent() { if grep -q '[0-9]e[-+][0-9]' "$T/out"; then bad "$1: an exponent on stdout: $(grep -m1 '[0-9]e[-+][0-9]' "$T/out")"; else ok; fi; }
run_k 0 explain scenarios/default.yaml; no_exponent explain
out_has '^  premium from prospects  *10,862 '
run_k 0 explain scenarios/default.yaml --set premium.mean=1000000 --set team.headcount=2000
no_exponent "explain of large numbers"
out_has 'team cases x premium per case = 4345 x 1000000'
run_k 0 run -n 20 --seed 5 --set currency=RMB --set team.headcount=40 -o "$T/hum" --quiet; no_exponent run
out_has '^total_premium  *[0-9]\{1,3\}\(,[0-9]\{3\}\)\{2,\} RMB '
out_has '^total_cases  *[0-9],[0-9]\{3\}  '
out_has '^repeat_share  *[0-9.]*% '
out_has '^second_policy_36m_share  *n/a  *n/a  *n/a$'
check "currency is kept in scenario.yaml" grep -q '^currency: "\?RMB"\?$' "$T/hum/scenario.yaml"
run_k 0 run -n 20 --seed 5 --set 'currency=$' -o "$T/hum" --quiet
out_has '^total_premium  *\$[0-9]\{1,3\}\(,[0-9]\{3\}\)\{2,\} '
run_k 0 compare scenarios/default.yaml scenarios/default.yaml -n 20 -o "$T/hum2" --quiet; no_exponent compare
out_has '^  *default-2  *[0-9,]*  *0  *0  *0  *=$'
run_k 0 sweep tests/data/sweep/calls-focus.yaml -n 2 --threads 1 -o "$T/hum3" --quiet; no_exponent sweep

# A swept seed (or replications) wins over the base's, point by point.
run_k 0 sweep tests/data/sweep/docs-lists.yaml -n 5 -o "$T/swseed" --quiet
s1=$(awk -F, '$1 == "1" && $2 == "reassign" && $3 == "10:7:3:1" { print $4 }' "$T/swseed/sweep.csv")
s2=$(awk -F, '$1 == "2" && $2 == "reassign" && $3 == "10:7:3:1" { print $4 }' "$T/swseed/sweep.csv")
check "a seed sweep runs each point on its own seed ($s1 vs $s2)" test -n "$s1" -a "$s1" != "$s2"

# --- safe output ------------------------------------------------------------------
sum_before=$(cat "$T/a/monthly.csv" "$T/a/summary.csv" | cksum)
run_k 65 run "$T/bad.yaml" -o "$T/a"
check "a failed run leaves earlier results intact" test "$(cat "$T/a/monthly.csv" "$T/a/summary.csv" | cksum)" = "$sum_before"
: >"$T/afile"
run_k 73 run -n 5 -o "$T/afile/sub" --quiet; err_has "$T/afile/sub"
# issue 17: a bad -o is found before the first replication, not after the
# whole simulation (a run that would take minutes ends at once), for run,
# compare (its scenarios' folders too) and sweep; the check leaves nothing.
quick73() { # quick73 DESCRIPTION ARGS...: kpisim ARGS must exit 73 within 10 s
    local what=$1; shift
    timeout 10 "$KPISIM" "$@" >"$T/out" 2>"$T/err" </dev/null
    local got=$?
    if [ "$got" -eq 73 ]; then ok; else bad "$what: exited $got, expected 73 at once; stderr: $(head -c 300 "$T/err")"; fi
}
quick73 "run -o an existing file" run --set months=12 -n 100000 --threads 1 -o "$T/afile" --quiet
err_has "cannot create directory $T/afile: Not a directory"
quick73 "run -o under a file" run --set months=12 -n 100000 --threads 1 -o "$T/afile/sub" --quiet
err_has "cannot create directory $T/afile/sub: $T/afile: Not a directory"
quick73 "sweep -o an existing file" sweep tests/data/sweep/docs-lists.yaml -n 100000 --threads 1 -o "$T/afile" --quiet
err_has "$T/afile"
mkdir -p "$T/cmp"; : >"$T/cmp/default"
quick73 "compare with a file where a scenario's folder goes" compare scenarios/default.yaml \
    scenarios/default.yaml --set months=12 -n 100000 --threads 1 -o "$T/cmp" --quiet
err_has "cannot create directory $T/cmp/default: Not a directory"
check "a refused compare writes nothing" test ! -e "$T/cmp/comparison.csv" -a ! -e "$T/cmp/default-2"
if [ -d /sys/kernel ]; then
    quick73 "run -o in sysfs" run --set months=12 -n 100000 -o /sys/kernel/kpisim-test --quiet
fi
mkdir "$T/probe"
run_k 0 run -n 3 -o "$T/probe" --quiet
check "the output check leaves no probe file" test -z "$(find "$T/probe" -name '.*' -type f)"
# A rerun replaces the charts of the earlier results: the files kpisim plot
# writes in DIR/plots go with the new results, other files stay.
mkdir -p "$T/probe/plots"
for f in fan-premium.png kpis.svg my-funnel.png mine.png notes.txt; do : >"$T/probe/plots/$f"; done
run_k 0 run -n 3 -o "$T/probe" --quiet
check "a rerun removes the stale charts" test ! -e "$T/probe/plots/fan-premium.png" -a ! -e "$T/probe/plots/kpis.svg"
check "a rerun keeps files that are not its charts" test -e "$T/probe/plots/mine.png" -a -e "$T/probe/plots/notes.txt" -a -e "$T/probe/plots/my-funnel.png"
mkdir -p "$T/cmp2/plots" "$T/cmp2/default/plots"
: >"$T/cmp2/plots/compare-premium.png"; : >"$T/cmp2/default/plots/fan-headcount.png"
: >"$T/cmp2/plots/default-2-kpis.svg"
run_k 0 compare scenarios/default.yaml scenarios/default.yaml -n 3 -o "$T/cmp2" --quiet
check "compare removes the stale charts of DIR and its scenarios" test ! -e "$T/cmp2/plots/compare-premium.png" -a ! -e "$T/cmp2/default/plots/fan-headcount.png"
check "compare removes its scenarios' charts in DIR/plots" test ! -e "$T/cmp2/plots/default-2-kpis.svg"
mkdir -p "$T/sw2/plots"; : >"$T/sw2/plots/sweep-profit.png"
run_k 0 sweep tests/data/sweep/docs-lists.yaml -n 2 -o "$T/sw2" --quiet
check "sweep removes the stale charts" test ! -e "$T/sw2/plots/sweep-profit.png"
if [ -w /dev/full ] && [ -d /proc ]; then
    # stdout to a full disk: the result table cannot be written.
    "$KPISIM" run -n 5 -o "$T/full" --quiet >/dev/full 2>"$T/err"
    st=$?
    check "stdout on a full disk fails with 74 (got $st)" test "$st" -eq 74
fi

# --- locale -------------------------------------------------------------------
# A decimal-comma locale, built into our own directory when the system has
# none (localedef from libc-bin, sources from Debian's locales package).
loc=$(locale -a 2>/dev/null | grep -i -E '^(de_DE|fr_FR|ru_RU)\.utf-?8$' | head -n 1)
if [ -z "$loc" ] && [ -n "${LOCPATH:-}" ] && [ -f "$LOCPATH/de_DE.UTF-8/LC_NUMERIC" ]; then
    loc=de_DE.UTF-8     # built by `make test`
elif [ -z "$loc" ] && [ -r /usr/share/i18n/locales/de_DE ] && mkdir -p "$T/locale" &&
    localedef -c -i de_DE -f UTF-8 "$T/locale/de_DE.UTF-8" >/dev/null 2>&1; then
    export LOCPATH=$T/locale
    loc=de_DE.UTF-8
fi
if [ -n "$loc" ]; then
    LC_ALL=$loc "$KPISIM" run -n 40 --seed 5 -o "$T/loc" --quiet >"$T/loc.out" 2>&1
    check "results under LC_ALL=$loc are the same bytes" cmp -s "$T/t1/monthly.csv" "$T/loc/monthly.csv"
    check "figures on stdout under LC_ALL=$loc use '.'" grep -q '^cases_per_active *[0-9]*\.[0-9]' "$T/loc.out"
else
    skip "no decimal-comma locale can be built; locale check skipped"
fi

# --- interruption -------------------------------------------------------------
signalled INT run -n 200000 --threads 1 -o "$T/int" --quiet
check "SIGINT exits 130 (got $st)" test "$st" -eq 130
err_has 'interrupted'
check "an interrupted run writes nothing" test ! -e "$T/int/monthly.csv"
signalled TERM run -n 200000 --threads 2 -o "$T/term" --quiet
check "SIGTERM exits 130 (got $st)" test "$st" -eq 130
signalled INT compare scenarios/default.yaml scenarios/default.yaml -n 200000 --threads 2 -o "$T/cint" --quiet
check "compare: SIGINT exits 130 (got $st)" test "$st" -eq 130
check "an interrupted compare writes nothing" test ! -e "$T/cint"

# --- every scenario of the tree is valid ---------------------------------------------
while IFS= read -r f; do
    run_k 0 validate "$f"
done < <(find scenarios -name '*.yaml' | sort)


# --- issue 17: `kpisim help COMMAND`, `validate --set` ---------------------------------
# help COMMAND prints that command's help, as COMMAND --help does.
for c in run validate compare sweep explain plot; do
    "$KPISIM" "$c" --help >"$T/want" 2>&1
    run_k 0 help "$c"
    check "kpisim help $c prints the help of $c" cmp -s "$T/want" "$T/out"
done
run_k 64 help frobnicate; err_has "unknown command 'frobnicate'"
run_k 0 help; out_has 'usage: kpisim COMMAND'
# validate applies --set KEY=VALUE (repeatable, also --set=KEY=VALUE) as run does.
run_k 0 validate scenarios/default.yaml --set activity.calls_per_day=12 --set=months=6
out_has 'scenarios/default.yaml: ok'
run_k 65 validate scenarios/default.yaml --set activity.compliance=1.3
err_has 'activity.compliance: expected a probability in \[0, 1\], got 1.3'
run_k 65 validate --set activity.nope=1 scenarios/default.yaml; err_has 'activity.nope'
run_k 0 validate scenarios/sweeps/calls-focus.yaml --set months=6
out_has 'a sweep of 63 points'
run_k 64 validate scenarios/default.yaml --set; err_has 'needs a value'
run_k 64 validate --set months=6; err_has 'no scenario file given'
# issue 17: --set KEY VALUE (a space for '='): a usage error that shows the
# right form, not "12: cannot open the scenario"
run_k 64 run --set activity.calls_per_day 12 -n 2 -o "$T/sp" --quiet
err_has -- '--set: expected KEY=VALUE, e.g. --set activity.calls_per_day=12'
check "--set with a space writes nothing" test ! -e "$T/sp"
run_k 64 validate --set activity.calls_per_day 12 scenarios/default.yaml
err_has -- '--set: expected KEY=VALUE, e.g. --set activity.calls_per_day=12'
run_k 64 validate scenarios/default.yaml --set months
err_has -- '--set: expected KEY=VALUE, e.g. --set activity.calls_per_day=12'
# the words a manager tries, values as a spreadsheet shows them
printf 'team:\n  agents: 12\nhires_per_month: 2\nactivity:\n  compliance: 70%%\n  zzzzzz: 1\npremium:\n  mean: $5,000\n' >"$T/mgr.yaml"
run_k 65 validate "$T/mgr.yaml"
# validate reports every independent mistake, in the order of the file
cat >"$T/want" <<EOF
kpisim: $T/mgr.yaml:2:3: team.agents: unknown key; did you mean 'team.headcount'?
kpisim: $T/mgr.yaml:3:1: hires_per_month: unknown key; did you mean 'team.recruits_per_month'?
kpisim: $T/mgr.yaml:5:15: activity.compliance: expected a probability in [0, 1], got the text '70%' (write 0.7)
kpisim: $T/mgr.yaml:6:3: activity.zzzzzz: unknown key; the keys of activity: are calls_per_day, visits_per_day, compliance, compliance_sd, off_plan_effort, mood_sd, appointment_expiry_days
kpisim: $T/mgr.yaml:8:9: premium.mean: expected an amount in [0, 1e12], got the text '\$5,000' (write 5000)
kpisim: $T/mgr.yaml: 5 mistakes
EOF
check "validate lists every mistake in the order of the file" diff "$T/want" "$T/err"
out_empty
# ... several files: each its own list, the good ones ok, status 65
run_k 65 validate "$T/mgr.yaml" scenarios/default.yaml "$T/bad.yaml"
out_has 'scenarios/default.yaml: ok'; err_has 'bad.yaml:3:15'; err_has 'mgr.yaml: 5 mistakes'
# a YAML syntax error: what to do, the line and a caret
printf 'team:\n  headcount 3\n  attrition: 0.1\n' >"$T/syn.yaml"
run_k 65 validate "$T/syn.yaml"
err_has "syn.yaml:3:12: YAML syntax error: a ':' that cannot start a key here"
err_has '^      3 |   attrition: 0.1$'
err_has '^        |            \^$'
# the override reaches the scenario checked: months 0 is refused
run_k 65 validate scenarios/default.yaml --set months=0; err_has 'months'

summary
