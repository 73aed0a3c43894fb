#!/usr/bin/env bash
# bench/run.sh - the speed benchmarks (make bench).
#
#   bench/run.sh [KPISIM]          (default ./kpisim)
#
# For each of scenarios/bench/bench-core.yaml and bench-full.yaml: a small
# run first (BENCH_SMALL replications, default 500), then the full run
# (BENCH_REPS, default: the scenario's 10000), each on 1 thread and on all
# online processors.  Prints wall seconds, agent-days per second (the mean
# headcount of summary.csv x months x working days x replications), per
# core, the scaling from 1 thread to all, and the peak resident memory
# (GNU time), and writes every row to bench/results.csv.  Then bench-core
# at three sizes (agents x months: 50 x 12, 100 x 36, 200 x 72; on
# BENCH_SCALE_REPS replications, default 200) to show that the time per
# agent-day does not grow with the size.  Last, the NumPy yardstick
# (bench/peer_check.sh, issue 18): the engine against bench/peer_numpy.py on
# scenarios/bench/peer.yaml (BENCH_PEER_REPS replications, default 500, one
# thread each): both times, the ratio NumPy / engine and the check that their
# monthly KPIs agree; a disagreement makes the exit status 1 (after the
# figures are written).
set -euo pipefail
cd "$(dirname "$0")/.."
KPISIM=${1:-./kpisim}
SMALL=${BENCH_SMALL:-500}
CORES=$(nproc 2>/dev/null || echo 2)
OUT=bench/results.csv
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kpisim-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 69; }

echo "bench,replications,threads,wall_s,agent_days,agent_days_per_s,per_core,peak_rss_kb" >"$TMP/results.csv"
printf '%-11s %8s %7s %9s %14s %14s %14s %10s\n' bench reps threads wall_s agent_days "agent-days/s" "per core" "peak MB"

one() { # one BENCH REPS THREADS
    local b=$1 n=$2 t=$3 dir="$TMP/$1-$2-$3"
    /usr/bin/time -f '%e %M' -o "$TMP/time" \
        "$KPISIM" run "scenarios/bench/$b.yaml" -n "$n" --threads "$t" -o "$dir" --quiet >/dev/null
    local wall rss months days hc ad rate per
    read -r wall rss <"$TMP/time"
    months=$(awk '/^months:/ { print $2 }' "$dir/scenario.yaml")
    days=$(awk '/^working_days:/ { print $2 }' "$dir/scenario.yaml")
    hc=$(awk -F, '$1 == "mean_headcount" { print $2 }' "$dir/summary.csv")
    ad=$(awk -v h="$hc" -v m="$months" -v d="$days" -v n="$n" 'BEGIN { printf "%.0f", h * m * d * n }')
    rate=$(awk -v a="$ad" -v w="$wall" 'BEGIN { printf "%.0f", a / (w > 0 ? w : 0.01) }')
    per=$(awk -v r="$rate" -v t="$t" 'BEGIN { printf "%.0f", r / t }')
    printf '%-11s %8d %7d %9.2f %14d %14d %14d %10.1f\n' "$b" "$n" "$t" "$wall" "$ad" "$rate" "$per" \
        "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
    echo "$b,$n,$t,$wall,$ad,$rate,$per,$rss" >>"$TMP/results.csv"
    echo "$wall" >"$TMP/last"
}

# The replications a scenario file asks for, through its extends: chain
# (1000, the default, when none does).
scenario_reps() {
    local f=$1 r parent
    r=$(awk '/^replications:/ { print $2 }' "$f")
    if [ -z "$r" ]; then
        parent=$(awk '/^extends:/ { gsub(/"/, "", $2); print $2 }' "$f")
        if [ -n "$parent" ]; then r=$(scenario_reps "$(dirname "$f")/$parent"); fi
    fi
    echo "${r:-1000}"
}

for b in bench-core bench-full; do
    full=${BENCH_REPS:-$(scenario_reps "scenarios/bench/$b.yaml")}
    for n in "$SMALL" "$full"; do
        one "$b" "$n" 1
        w1=$(cat "$TMP/last")
        one "$b" "$n" "$CORES"
        wn=$(cat "$TMP/last")
        awk -v a="$w1" -v b="$wn" -v c="$CORES" -v x="$b" -v n="$n" \
            'BEGIN { printf "%-11s %8d scaling 1 -> %d threads: x%.2f\n", x, n, c, a / (b > 0 ? b : 0.01) }'
    done
done
# Linearity: bench-core at three sizes of agents x months (one thread, the
# same replications); time per agent-day should stay flat.
SREPS=${BENCH_SCALE_REPS:-200}
echo "scaling: bench-core, $SREPS replications, 1 thread"
printf '%-18s %14s %9s %16s\n' "agents x months" agent_days wall_s "ns/agent-day"
for size in "50 12" "100 36" "200 72"; do
    set -- $size
    dir="$TMP/scale-$1-$2"
    /usr/bin/time -f '%e %M' -o "$TMP/time" \
        "$KPISIM" run scenarios/bench/bench-core.yaml -n "$SREPS" --threads 1 -o "$dir" --quiet \
        --set team.headcount="$1" --set months="$2" >/dev/null
    read -r wall rss <"$TMP/time"
    days=$(awk '/^working_days:/ { print $2 }' "$dir/scenario.yaml")
    hc=$(awk -F, '$1 == "mean_headcount" { print $2 }' "$dir/summary.csv")
    ad=$(awk -v a="$hc" -v m="$2" -v d="$days" -v n="$SREPS" 'BEGIN { printf "%.0f", a * m * d * n }')
    printf '%-18s %14d %9.2f %16.1f\n' "$1 x $2" "$ad" "$wall" \
        "$(awk -v w="$wall" -v a="$ad" 'BEGIN { print w * 1e9 / a }')"
    echo "scale-$1x$2,$SREPS,1,$wall,$ad,$(awk -v a="$ad" -v w="$wall" 'BEGIN { printf "%.0f", a / (w > 0 ? w : 0.01) }'),,$rss" >>"$TMP/results.csv"
done

# The yardstick: its rows (peer-engine, peer-numpy) go to the same table.
echo "yardstick: the engine against bench/peer_numpy.py"
peer=0
PEER_REPS=${BENCH_PEER_REPS:-500} PEER_RESULTS="$TMP/results.csv" \
    bash bench/peer_check.sh "$KPISIM" || peer=$?

cp "$TMP/results.csv" "$OUT"
echo "bench: figures written to $OUT"
case $peer in
0) ;;
69) echo "bench: the NumPy yardstick was skipped (no NumPy or GNU time: make bench installs them)" >&2 ;;
*) echo "bench: the engine and its NumPy yardstick disagree (above)" >&2; exit "$peer" ;;
esac
