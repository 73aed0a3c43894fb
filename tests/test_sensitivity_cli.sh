#!/usr/bin/env bash
# test_sensitivity_cli.sh - `kpisim sensitivity` as a user meets it: every bad
# sensitivity file gets its file:line:col message and exit 65 with nothing
# written; a missing file 66, a bad -o 73; the CSV header; the same seed gives
# the same bytes whatever --threads, and the study as written reruns to the same
# bytes; and on the model, from first principles:
#   - a key of a mechanism that is switched off (management.coaching_gain in a
#     scenario without management:) moves nothing: on common random numbers
#     every figure is the same at each of its values, so its swing is exactly
#     0 and its Sobol intervals hold 0;
#   - premium.mean over [2000, 8000] scales every premium (income_floor 0: no
#     feedback through agents' income), so it dominates total_premium: first in
#     the tornado, largest mu*, its total index above 0.5 and above every
#     other key's interval;
#   - two strategies that differ only in premium.mean (5000 and 10000) rank the
#     same at every point: P(best) is exactly 0 and 1;
# and `sweep --lhs N`: N points, one in each of the N strata of every swept
# key's range, whole keys whole, the same bytes for any --threads.
# Run from the repository root; KPISIM names the binary (default ./kpisim).
set -u
TEST_NAME=test_sensitivity_cli
. "$(dirname "$0")/shlib.sh"

# A small, fast base: five agents for a year, no feedback of premium on income.
cat >"$T/base.yaml" <<EOF
extends: $PWD/scenarios/default.yaml
name: tiny
months: 12
team: {headcount: 5, income_floor: 0}
EOF
cat >"$T/rich.yaml" <<EOF
extends: base.yaml
name: rich
premium: {mean: 10000}
EOF
cat >"$T/study.yaml" <<'EOF'
scenario: base.yaml
keys:
  premium.mean: {range: [2000, 8000]}
  management.coaching_gain: {range: [0.05, 0.3]}
  clients.lapse_per_year: {range: [0.02, 0.1], distribution: triangular, mode: 0.05}
figures: [total_premium, total_cases]
method: [oat, morris, sobol, lhs]
samples: 32
trajectories: 4
replications: 8
seed: 7
bootstrap: 200
EOF

# --- usage, missing input, bad output --------------------------------------------
run_k 0 sensitivity --help; out_has 'usage: kpisim sensitivity'
run_k 64 sensitivity; err_has 'no sensitivity file'
run_k 64 sensitivity "$T/study.yaml" --set premium.mean=3; err_has 'not available'
run_k 66 sensitivity "$T/nope.yaml" -o "$T/o66"
err_has "$T/nope.yaml: cannot read the sensitivity file"
check "nothing written for a missing file" test ! -e "$T/o66"
: >"$T/afile"
run_k 73 sensitivity "$T/study.yaml" -o "$T/afile/sub" --quiet
check "a bad -o is found before any run (no samples written)" test ! -e "$T/afile/sub"

# --- bad sensitivity files: file:line:col, the key, what was expected, exit 65 ------
n=0
bad_file() { # bad_file 'PLACE: TEXT' YAML: the file must fail with that message
    n=$((n + 1))
    printf '%s\n' "$2" >"$T/bad$n.yaml"
    run_k 65 sensitivity "$T/bad$n.yaml" -o "$T/badout$n" --quiet
    err_has "bad$n.yaml:$1"
    check "nothing written for bad$n.yaml" test ! -e "$T/badout$n"
}
K='keys:
  premium.mean: {range: [2000, 8000]}'
bad_file "4:1: sampels: unknown key of a sensitivity file; did you mean 'samples'?" "scenario: base.yaml
$K
sampels: 32"
bad_file "3:3: premium.maen: unknown key; did you mean 'premium.mean'?" 'scenario: base.yaml
keys:
  premium.maen: {range: [2000, 8000]}'
bad_file "3:38: activity.compliance: expected a probability in \[0, 1\], got 1.3" 'scenario: base.yaml
keys:
  activity.compliance: {range: [0.5, 1.3]}'
bad_file "3:44: activity.compliance.ragne: unknown key of an uncertain key; did you mean 'range'?" 'scenario: base.yaml
keys:
  activity.compliance: {range: [0.5, 0.9], ragne: 3}'
bad_file "3:38: activity.compliance: expected an upper end above the lower end (0.9), got 0.5" 'scenario: base.yaml
keys:
  activity.compliance: {range: [0.9, 0.5]}'
bad_file "3:58: activity.compliance.sd: a normal distribution needs its sd" 'scenario: base.yaml
keys:
  activity.compliance: {range: [0.5, 0.9], distribution: normal, mean: 0.7}'
bad_file "3:45: premium.mean.mode: a uniform distribution takes no mode" 'scenario: base.yaml
keys:
  premium.mean: {range: [2000, 8000], mode: 3000}'
bad_file "4:15: method: expected oat, morris, sobol or lhs, got 'sobl'; did you mean 'sobol'?" "scenario: base.yaml
$K
method: [oat, sobl]"
bad_file "4:11: figures: expected a figure of summary.csv (e.g. total_premium), got 'total_premum'; did you mean 'total_premium'?" "scenario: base.yaml
$K
figures: [total_premum]"
bad_file "1:13: strategies: expected a list of two or more scenario files, got 1" "strategies: [base.yaml]
$K"
bad_file "1:13: strategies: give scenario: or strategies:, not both" "strategies: [base.yaml, rich.yaml]
scenario: base.yaml
$K" 
bad_file "3:3: name: cannot be an uncertain key" 'scenario: base.yaml
keys:
  name: {range: [1, 2]}'
bad_file "4:9: levels: expected an even number of levels (4, 6, 8...), got 3" "scenario: base.yaml
$K
levels: 3"
bad_file "2:45: keys.premium.mean: duplicate key (first given at " 'scenario: base.yaml
keys: {premium.mean: {range: [2000, 8000]}, premium.mean: {range: [2000, 8000]}}'
bad_file "3:25: premium.mean: the scenario's value 5000 is outside the range" 'scenario: base.yaml
keys:
  premium.mean: {range: [1000, 2000]}'
bad_file "3:33: activity.compliance: activity.compliance_sd: expected a standard deviation below" 'scenario: base.yaml
keys:
  activity.compliance: {range: [0.999, 1]}'
bad_file "1:1: scenario: expected scenario: (the base scenario's file) or strategies: " "$K"
bad_file "4:11: decision: a decision ranks strategies" "scenario: base.yaml
$K
decision: total_premium"
# validate knows a sensitivity file: its scenarios, keys and every design point.
run_k 0 validate "$T/study.yaml"; out_has 'study.yaml: ok (a sensitivity study: 3 keys, 215 points x 1 scenario)'
run_k 0 validate scenarios/sensitivity/strategies.yaml; out_has 'ok (a sensitivity study: 11 keys, 3471 points x 2 scenarios)'
run_k 65 validate "$T/bad3.yaml"; err_has 'bad3.yaml:3:38: activity.compliance: expected a probability'
# A scenario named by the file that is missing: 66, at the scenario: value.
printf 'scenario: missing.yaml\n%s\n' "$K" >"$T/miss.yaml"
run_k 66 sensitivity "$T/miss.yaml" -o "$T/missout" --quiet
err_has "miss.yaml:1:11: scenario: cannot load '$T/missing.yaml'"
check "nothing written for a missing scenario" test ! -e "$T/missout"
# A scenario with an error of its own is reported in its own file.
printf 'extends: base.yaml\nactivity: {calls_per_dya: 3}\n' >"$T/broken.yaml"
printf 'scenario: broken.yaml\n%s\n' "$K" >"$T/usesbroken.yaml"
run_k 65 sensitivity "$T/usesbroken.yaml" -o "$T/brokenout" --quiet
err_has "broken.yaml:2:12: activity.calls_per_dya: unknown key; did you mean 'activity.calls_per_day'?"

# --- a run: the files, the header, determinism ------------------------------------
run_k 0 sensitivity "$T/study.yaml" -o "$T/s1" --threads 1
err_has "3 keys, 215 points x 1 scenario x 8 replications = 1720 replications"
for f in sensitivity.csv samples.csv sensitivity.yaml scenario.yaml; do
    check "wrote $f" test -s "$T/s1/$f"
done
check "sensitivity.csv header exact" test "$(head -n 1 "$T/s1/sensitivity.csv")" = 'figure,key,method,index,value,lo,hi'
check "samples.csv header" test "$(head -n 1 "$T/s1/samples.csv")" = \
    'point,method,strategy,premium.mean,management.coaching_gain,clients.lapse_per_year,total_premium_mean,total_premium_se,total_cases_mean,total_cases_se'
# OAT 2k+1 = 7, Morris r(k+1) = 16, Saltelli (k+2)n = 160, LHS n = 32: 215 rows.
check "samples.csv: 215 points" test "$(($(wc -l <"$T/s1/samples.csv") - 1))" -eq 215
check "every row of sensitivity.csv has 7 fields" test "$(awk -F, 'NF != 7' "$T/s1/sensitivity.csv" | wc -l)" -eq 0
out_has '^total_premium$'; out_has 'tornado'; out_has 'Sobol indices'; out_has 'convergence: '
out_has 'Monte Carlo noise'
run_k 0 sensitivity "$T/study.yaml" -o "$T/s2" --threads 2 --quiet
for f in sensitivity.csv samples.csv sensitivity.yaml scenario.yaml; do
    check "$f: --threads 1 and 2 give the same bytes" cmp -s "$T/s1/$f" "$T/s2/$f"
done
run_k 0 sensitivity "$T/study.yaml" -o "$T/s3" --seed 8 --quiet
check "another seed gives other samples" test -n "$(cmp "$T/s1/samples.csv" "$T/s3/samples.csv" 2>&1)"
run_k 0 sensitivity "$T/s1/sensitivity.yaml" -o "$T/s4" --quiet
for f in sensitivity.csv samples.csv; do
    check "$f: the study as written reruns to the same bytes" cmp -s "$T/s1/$f" "$T/s4/$f"
done

# --- on the model ---------------------------------------------------------------------
# row FIGURE KEY METHOD INDEX -> "value,lo,hi"
row() { awk -F, -v f="$1" -v k="$2" -v m="$3" -v i="$4" \
    '$1 == f && $2 == k && $3 == m && $4 == i { print $5 "," $6 "," $7 }' "$T/s1/sensitivity.csv"; }
S=$T/s1/sensitivity.csv
# The switched-off lever: its swing is exactly 0, its Sobol intervals hold 0.
for fig in total_premium total_cases; do
    check "$fig: coaching_gain (no management) swings by exactly 0" \
        test "$(row $fig management.coaching_gain oat swing | cut -d, -f1)" = 0
    for ix in S1 ST; do
        v=$(row $fig management.coaching_gain sobol $ix)
        check "$fig: the $ix interval of coaching_gain holds 0 ($v)" \
            awk -F, -v v="$v" 'BEGIN { split(v, a, ","); exit !(a[2] <= 0 && a[3] >= 0) }'
    done
    check "$fig: coaching_gain's Morris mu* is 0" test "$(row $fig management.coaching_gain morris mu_star | cut -d, -f1)" = 0
done
# Same figures at the OAT points that move only coaching_gain (rows 4, 5) as at the base (row 1).
check "samples.csv: coaching_gain's OAT points equal the base" \
    test "$(awk -F, 'NR == 2 || NR == 5 || NR == 6 { print $7 "," $9 }' "$T/s1/samples.csv" | sort -u | wc -l)" -eq 1
# premium.mean dominates total_premium.
check "total_premium: premium.mean ranks first in the tornado" \
    test "$(row total_premium premium.mean oat rank | cut -d, -f1)" = 1
st_pm=$(row total_premium premium.mean sobol ST)
check "total_premium: ST(premium.mean) > 0.5 with its interval above 0.5 ($st_pm)" \
    awk -v v="$st_pm" 'BEGIN { split(v, a, ","); exit !(a[1] > 0.5 && a[2] > 0.5) }'
for k in management.coaching_gain clients.lapse_per_year; do
    o=$(row total_premium $k sobol ST)
    check "total_premium: ST(premium.mean) above the interval of $k" \
        awk -v a="$st_pm" -v b="$o" 'BEGIN { split(a, x, ","); split(b, y, ","); exit !(x[2] > y[3]) }'
    mo=$(row total_premium $k morris mu_star | cut -d, -f1)
    mp=$(row total_premium premium.mean morris mu_star | cut -d, -f1)
    check "total_premium: mu*(premium.mean) > mu*($k)" awk -v a="$mp" -v b="$mo" 'BEGIN { exit !(a > b) }'
done
# premium.mean does not change how many cases are sold (income_floor 0).
check "total_cases: premium.mean swings by exactly 0" test "$(row total_cases premium.mean oat swing | cut -d, -f1)" = 0
# The LHS correlation of premium.mean with total premium is strongly positive.
check "total_premium: corr(premium.mean) > 0.8" awk -v v="$(row total_premium premium.mean lhs corr)" \
    'BEGIN { split(v, a, ","); exit !(a[1] > 0.8) }'

# --- decisions ------------------------------------------------------------------------
cat >"$T/dec.yaml" <<'EOF'
strategies: [base.yaml, rich.yaml]
keys:
  clients.lapse_per_year: {range: [0.02, 0.1]}
  activity.compliance: {range: [0.5, 0.8]}
figures: [total_premium]
method: lhs
samples: 20
replications: 4
decision: {figure: total_premium, better: higher, bins: 4}
EOF
run_k 0 sensitivity "$T/dec.yaml" -o "$T/d1" --quiet
D=$T/d1/sensitivity.csv
check "decision: P(rich is best) is exactly 1" test "$(awk -F, '$2 == "rich" && $4 == "p_best" { print $5 }' "$D")" = 1
check "decision: P(tiny is best) is exactly 0" test "$(awk -F, '$2 == "tiny" && $4 == "p_best" { print $5 }' "$D")" = 0
check "decision: no flip (every share 1, spread 0)" \
    test "$(awk -F, '$4 == "flip_spread" && $5 != 0' "$D" | wc -l)" -eq 0
check "decision: strategies' figures are named STRATEGY:FIGURE" grep -q '^rich:total_premium,clients.lapse_per_year,lhs,corr,' "$D"
check "decision: strategies/ holds both resolved scenarios" test -s "$T/d1/strategies/tiny.yaml" -a -s "$T/d1/strategies/rich.yaml"
out_has 'P(rich is best) = 1.000'
# 20 LHS points x 2 strategies.
check "samples.csv: 40 rows" test "$(($(wc -l <"$T/d1/samples.csv") - 1))" -eq 40

# --- sweep --lhs: a Latin hypercube over a sweep file's ranges ---------------------
cat >"$T/lhs.yaml" <<EOF
extends: base.yaml
sweep:
  activity.calls_per_day: {from: 4, to: 16, step: 2}
  clients.focus: [0.8, 0, 0.4]
  team.headcount: [3, 8]
EOF
run_k 0 sweep "$T/lhs.yaml" --lhs 20 -n 3 --threads 1 -o "$T/l1"
err_has "20 points of a Latin hypercube over activity.calls_per_day x clients.focus x team.headcount"
check "sweep --lhs: 20 rows" test "$(($(wc -l <"$T/l1/sweep.csv") - 1))" -eq 20
check "sweep --lhs: the swept keys lead the header" test "$(head -n 1 "$T/l1/sweep.csv" | cut -d, -f1-4)" = \
    'activity.calls_per_day,clients.focus,team.headcount,total_premium_mean'
# Each real key: one point in each of the 20 strata of its range [lo, hi].
strata() { # strata COLUMN LO HI: the sorted stratum numbers, one a line
    awk -F, -v c="$1" -v lo="$2" -v hi="$3" 'NR > 1 { s = int(20 * ($c - lo) / (hi - lo)); if (s == 20) s = 19; print s }' \
        "$T/l1/sweep.csv" | sort -n | tr '\n' ' '
}
want=$(seq 0 19 | tr '\n' ' ')
check "calls_per_day: one point per twentieth of [4, 16]" test "$(strata 1 4 16)" = "$want"
check "focus: one point per twentieth of [0, 0.8]" test "$(strata 2 0 0.8)" = "$want"
check "headcount (a whole number): whole values in [3, 8]" \
    test "$(awk -F, 'NR > 1 && ($3 != int($3) || $3 < 3 || $3 > 8)' "$T/l1/sweep.csv" | wc -l)" -eq 0
check "headcount: every stratum of a whole key rounds to its nearest whole" \
    test "$(awk -F, 'NR > 1 { print $3 }' "$T/l1/sweep.csv" | sort -u | wc -l)" -eq 6
run_k 0 sweep "$T/lhs.yaml" --lhs=20 -n 3 --threads 2 -o "$T/l2" --quiet
check "sweep --lhs: --threads 1 and 2 give the same bytes" cmp -s "$T/l1/sweep.csv" "$T/l2/sweep.csv"
run_k 0 sweep "$T/lhs.yaml" --lhs 20 -n 3 --seed 99 -o "$T/l3" --quiet
check "sweep --lhs: another seed, another sample" test -n "$(cmp "$T/l1/sweep.csv" "$T/l3/sweep.csv" 2>&1)"
run_k 64 sweep "$T/lhs.yaml" --lhs 0; err_has '\-\-lhs'
run_k 64 sweep "$T/lhs.yaml" --lhs; err_has '\-\-lhs'
printf 'extends: base.yaml\nsweep:\n  activity.calls_per_day: [8]\n' >"$T/lhs1.yaml"
run_k 65 sweep "$T/lhs1.yaml" --lhs 5 -o "$T/l4"
err_has 'activity.calls_per_day: --lhs samples each key between its smallest and largest value'
check "nothing written for an axis without a range" test ! -e "$T/l4"
printf 'extends: base.yaml\nsweep:\n  funnel.cold: ["40:30:10:1", "40:30:10:2"]\n' >"$T/lhs2.yaml"
run_k 65 sweep "$T/lhs2.yaml" --lhs 5 -o "$T/l5"; err_has 'funnel.cold: cannot be sampled by --lhs'

summary
