#!/usr/bin/env bash
# bench/peer_check.sh - the engine against its NumPy yardstick (issue 18).
#
#   bench/peer_check.sh [KPISIM]          (default ./kpisim)
#
# Runs `KPISIM run scenarios/bench/peer.yaml -n N --threads 1` and
# bench/peer_numpy.py on the same scenario (N = PEER_REPS, default 500),
# times both (wall, GNU time: the whole process, start-up included) and prints
# the engine's time, NumPy's time and the ratio NumPy / engine.  Then checks
# that the two agree: the numbers of peer_numpy.py's PARAMS are those of the
# engine's resolved scenario.yaml, and for each monthly KPI (calls,
# appointments, meetings, appointments_lost, cases, premium, active_agents)
# and month
#     |mean_engine - mean_numpy| <= 4 x sqrt(se_engine^2 + se_numpy^2),
# se = sd / sqrt(N) from the KPI_mean and KPI_sd columns of each monthly.csv.
# Every disagreement is listed; the exit status is 1 when there is any, 69
# when NumPy or GNU time is missing.
#
# Environment: PEER_REPS (500); PEER_SEED, a seed for both programs (default:
# the scenario's seed 1, and PARAMS' seed 1 for NumPy); PYTHON (/usr/bin/python3, the interpreter
# Debian's python3-numpy belongs to); PEER_RESULTS, a CSV file in the format
# of bench/results.csv to append the two timing rows to (bench/run.sh gives
# its own); PEER_OUT, a directory to keep both runs' outputs in (default: a
# temporary one, removed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
KPISIM=${1:-./kpisim}
REPS=${PEER_REPS:-500}
PYTHON=${PYTHON:-/usr/bin/python3}
SCENARIO=scenarios/bench/peer.yaml
SEED_ARGS=()
[ -z "${PEER_SEED:-}" ] || SEED_ARGS=(--seed "$PEER_SEED")

[ -x /usr/bin/time ] || { echo "peer_check: /usr/bin/time is missing (apt-get install time)" >&2; exit 69; }
"$PYTHON" -c 'import numpy' 2>/dev/null ||
    { echo "peer_check: $PYTHON has no NumPy (apt-get install python3-numpy, or make bench)" >&2; exit 69; }

if [ -n "${PEER_OUT:-}" ]; then
    OUT=$PEER_OUT; mkdir -p "$OUT"
else
    OUT=$(mktemp -d "${TMPDIR:-/tmp}/kpisim-peer.XXXXXX")
    trap 'rm -rf "$OUT"' EXIT
fi

# The engine, one thread.
/usr/bin/time -f '%e %M' -o "$OUT/engine.time" \
    "$KPISIM" run "$SCENARIO" -n "$REPS" --threads 1 "${SEED_ARGS[@]}" -o "$OUT/engine" --quiet >/dev/null
read -r ewall erss <"$OUT/engine.time"

# The yardstick (NumPy's generator and its array loops run on one core; keep
# any BLAS threads out of it too).
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -f '%e %M' -o "$OUT/numpy.time" \
    "$PYTHON" bench/peer_numpy.py -n "$REPS" "${SEED_ARGS[@]}" --csv "$OUT/numpy.csv" --quiet >"$OUT/numpy.out"
read -r nwall nrss <"$OUT/numpy.time"
nsim=$(sed -n 's/^wall_s=//p' "$OUT/numpy.out")
"$PYTHON" bench/peer_numpy.py --params >"$OUT/numpy.params"

months=$(awk '/^months:/ { print $2 }' "$OUT/engine/scenario.yaml")
days=$(awk '/^working_days:/ { print $2 }' "$OUT/engine/scenario.yaml")
hc=$(awk -F, '$1 == "mean_headcount" { print $2 }' "$OUT/engine/summary.csv")
ad=$(awk -v h="$hc" -v m="$months" -v d="$days" -v n="$REPS" 'BEGIN { printf "%.0f", h * m * d * n }')

echo "peer: $SCENARIO, $REPS replications, $ad agent-days, 1 thread"
awk -v e="$ewall" -v n="$nwall" -v s="$nsim" -v a="$ad" 'BEGIN {
    printf "  engine  %8.2f s  %12.0f agent-days/s\n", e, a / (e > 0 ? e : 0.01)
    printf "  NumPy   %8.2f s  %12.0f agent-days/s  (simulation alone %.2f s)\n", n, a / (n > 0 ? n : 0.01), s
    printf "  ratio NumPy / engine: %.2f\n", n / (e > 0 ? e : 0.01)
}'

row() { # row BENCH WALL RSS: one line of bench/results.csv (1 thread)
    awk -v b="$1" -v n="$REPS" -v w="$2" -v a="$ad" -v r="$3" 'BEGIN {
        rate = a / (w > 0 ? w : 0.01); printf "%s,%d,1,%s,%s,%.0f,%.0f,%s\n", b, n, w, a, rate, rate, r }'
}
if [ -n "${PEER_RESULTS:-}" ]; then
    { row peer-engine "$ewall" "$erss"; row peer-numpy "$nwall" "$nrss"; } >>"$PEER_RESULTS"
fi

# The agreement check.
"$PYTHON" - "$OUT/engine" "$OUT/numpy.csv" "$OUT/numpy.params" "$REPS" <<'EOF'
import csv, math, sys

eng_dir, np_csv, np_params, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
KPIS = ("calls", "appointments", "meetings", "appointments_lost", "cases", "premium", "active_agents")
bad = 0

# The numbers: PARAMS of peer_numpy.py against the resolved scenario (replications and
# seed aside: -n sets the first, and the two programs have different generators).
resolved, section = {}, ""
for line in open(f"{eng_dir}/scenario.yaml"):
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    key, _, value = line.strip().partition(":")
    value = value.strip().strip('"')
    if not line.startswith(" "):
        section = key if value == "" else ""
        if value != "":
            resolved[key] = value
    elif section:
        resolved[f"{section}.{key}"] = value
for line in open(np_params):
    key, _, value = line.rstrip("\n").partition("=")
    if key in ("replications", "seed"):
        continue
    theirs = resolved.get(key)
    same = theirs is not None and (value == theirs if key == "funnel.cold"
                                   else float(value) == float(theirs))
    if not same:
        print(f"  DISAGREE parameter {key}: peer_numpy.py {value}, scenario {theirs}")
        bad += 1

eng = list(csv.DictReader(open(f"{eng_dir}/monthly.csv")))
npy = list(csv.DictReader(open(np_csv)))
if len(eng) != len(npy):
    print(f"  DISAGREE months: engine {len(eng)}, NumPy {len(npy)}")
    sys.exit(1)
print(f"  agreement, per KPI over {len(eng)} months: |mean_engine - mean_numpy| <= 4 x sqrt(se_e^2 + se_n^2)")
print(f"  {'KPI':<18s} {'engine, /month':>14s} {'NumPy, /month':>14s} {'max |z|':>8s} {'mean z':>7s}  result")
for k in KPIS:
    zs, em, nm = [], 0.0, 0.0
    for e, q in zip(eng, npy):
        me, mn = float(e[f"{k}_mean"]), float(q[f"{k}_mean"])
        se_e = float(e[f"{k}_sd"]) / math.sqrt(reps)
        se_n = float(q[f"{k}_sd"]) / math.sqrt(reps)
        s, d = math.sqrt(se_e ** 2 + se_n ** 2), me - mn
        z = d / s if s > 0 else (0.0 if d == 0 else math.copysign(math.inf, d))
        zs.append(z)
        em, nm = em + me / len(eng), nm + mn / len(eng)
        if abs(d) > 4 * s:
            print(f"  DISAGREE {k} month {e['month']}: engine {me:.6g} +- {se_e:.3g}, "
                  f"NumPy {mn:.6g} +- {se_n:.3g} (z = {z:+.2f})")
            bad += 1
    worst = max(abs(z) for z in zs)
    ok = "ok" if worst <= 4 else "DISAGREE"
    print(f"  {k:<18s} {em:>14.6g} {nm:>14.6g} {worst:>8.2f} {sum(zs) / len(zs):>+7.2f}  {ok}")
print(f"  agreement: {'ok' if bad == 0 else f'{bad} disagreement(s)'}")
sys.exit(1 if bad else 0)
EOF
