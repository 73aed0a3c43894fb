#!/usr/bin/env bash
# calibrate_coverage.sh - how often the 90% intervals of `kpisim calibrate`
# cover the truth (make calibrate-coverage; not part of make test).
#
#   bash tests/calibrate_coverage.sh [KPISIM] [TRIALS] [REPS]
#
# Each trial makes a history of one replication of a known team (8 agents,
# 12 months, activity.compliance 0.5 and premium.mean 6500; the replication's
# seed is the trial's number), fits both keys from the base (compliance 0.7,
# premium.mean 5000) with REPS replications per trial point (default 40) and
# notes whether each 90% interval holds the truth.  Prints a line per trial
# and the coverage of each key with its binomial standard error; the rows go
# to build/calibrate-coverage.csv.
set -u
KPISIM=${1:-./kpisim}
TRIALS=${2:-50}
REPS=${3:-40}
T=$(mktemp -d "${TMPDIR:-/tmp}/kpisim-coverage.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p build
OUT=build/calibrate-coverage.csv

cat >"$T/base.yaml" <<'YAML'
name: small
months: 12
seed: 11
team:
  headcount: 8
  recruits_per_month: 0.5
activity:
  compliance: 0.7
premium:
  mean: 5000
YAML
cat >"$T/truth.yaml" <<'YAML'
extends: base.yaml
name: small-truth
activity:
  compliance: 0.5
premium:
  mean: 6500
YAML

echo "trial,key,truth,estimate,lo,hi,covered" >"$OUT"
start=$(date +%s)
for i in $(seq 1 "$TRIALS"); do
    "$KPISIM" run "$T/truth.yaml" -n 1 --seed "$i" --per-replication -o "$T/truth" --quiet \
        >/dev/null || exit 1
    awk -F, -v want="month headcount recruits meetings cases premium" '
    NR == 1 { n = split(want, w, " "); for (j = 1; j <= NF; j++) col[$j] = j
              for (j = 1; j <= n; j++) printf "%s%s", w[j], j < n ? "," : "\n"; next }
    { for (j = 1; j <= n; j++) printf "%s%s", $(col[w[j]]), j < n ? "," : "\n" }
    ' "$T/truth/replications.csv" >"$T/history.csv"
    # The fit's own seed differs from the history's: the model does not
    # know the team's random numbers.
    "$KPISIM" calibrate "$T/history.csv" --scenario "$T/base.yaml" \
        --fit activity.compliance=0.2:0.95 --fit premium.mean=2000:12000 \
        -n "$REPS" --seed $((1000 + i)) -o "$T/fit" --quiet >/dev/null || exit 1
    awk -F, -v i="$i" 'NR > 1 {
        t = $1 == "activity.compliance" ? 0.5 : 6500
        c = ($3 <= t && t <= $4) ? 1 : 0
        printf "%d,%s,%g,%g,%g,%g,%d\n", i, $1, t, $2, $3, $4, c }' "$T/fit/fit.csv" | tee -a "$OUT"
done
end=$(date +%s)
awk -F, -v s=$((end - start)) 'NR > 1 { n[$2]++; c[$2] += $7 }
END { for (k in n) { p = c[k] / n[k]
          printf "coverage %-22s %d of %d = %.2f (binomial se %.2f; nominal 0.90)\n", k, c[k], n[k], p,
              sqrt(p * (1 - p) / n[k]) }
      printf "%d s in all\n", s }' "$OUT"
