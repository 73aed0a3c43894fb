#!/usr/bin/env bash
# test_mpi.sh - kpisim across MPI ranks (issue 8): outputs byte-identical to
# the serial run for any number of ranks and threads, and clean failures.
#
# KPISIM is the serial program (default ./kpisim); KPISIM_MPI the MPI build
# (default build-mpi/kpisim, made by `make test`).  Without mpirun or the MPI
# build every check is reported skipped, never passed.
set -u
TEST_NAME=test_mpi
. "$(dirname "$0")/shlib.sh"

MPIK=${KPISIM_MPI:-build-mpi/kpisim}
case $MPIK in /*) ;; *) MPIK=$PWD/$MPIK ;; esac
if ! command -v mpirun >/dev/null 2>&1 || [ ! -x "$MPIK" ]; then
    skip "no mpirun or no MPI build ($MPIK); 'make MPI=1' builds it"
    summary
    exit $?
fi
# Open MPI refuses root unless told; CI runs as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Oversubscribe: three ranks on a two-core machine.
MPIRUN=(mpirun --oversubscribe)

S=scenarios/default.yaml
W=tests/data/sweep/calls-focus.yaml

# mpi_k STATUS NP ARGS...: mpirun -np NP MPIK ARGS, output in $T/out, $T/err.
mpi_k() {
    local want=$1 np=$2; shift 2
    timeout 300 "${MPIRUN[@]}" -np "$np" "$MPIK" "$@" >"$T/out" 2>"$T/err" </dev/null
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else
        bad "mpirun -np $np kpisim $* exited $got, expected $want; stderr: $(head -c 600 "$T/err")"
    fi
}
same() { # same DIR_A DIR_B FILE...: byte-identical files
    local a=$1 b=$2; shift 2
    for f in "$@"; do
        if cmp -s "$a/$f" "$b/$f"; then ok; else bad "$b/$f differs from the serial $a/$f"; fi
    done
}
# nothing_new DIR: DIR holds exactly its old file, untouched.
intact() {
    if [ "$(ls "$1")" = "monthly.csv" ] && [ "$(cat "$1/monthly.csv")" = "old bytes" ]; then ok
    else bad "$1 was written or clobbered: $(ls "$1" | tr '\n' ' ')"; fi
}

# --- the same bytes as the serial run -------------------------------------------
"$KPISIM" run "$S" -n 60 --per-replication -o "$T/serial" --quiet >/dev/null 2>&1
check "serial run" test -s "$T/serial/monthly.csv"
# The MPI build started without a launcher is the serial program.
"$MPIK" run "$S" -n 60 --per-replication -o "$T/plain" --quiet >/dev/null 2>&1
same "$T/serial" "$T/plain" monthly.csv summary.csv scenario.yaml replications.csv
for np in 1 2 3; do
    for th in 1 2; do
        mpi_k 0 "$np" run "$S" -n 60 --per-replication --threads "$th" -o "$T/run-$np-$th"
        same "$T/serial" "$T/run-$np-$th" monthly.csv summary.csv scenario.yaml replications.csv figures.csv
    done
done
# More ranks than replications: some ranks have nothing to do.
"$KPISIM" run "$S" -n 2 -o "$T/serial2" --quiet >/dev/null 2>&1
mpi_k 0 3 run "$S" -n 2 --threads 1 -o "$T/run-few"
same "$T/serial2" "$T/run-few" monthly.csv summary.csv
# Only rank 0 speaks: one table on stdout, one closing line on stderr.
mpi_k 0 3 run "$S" -n 30 --threads 1 -o "$T/run-talk"
check "one figures table from 3 ranks" test "$(grep -c '^figure ' "$T/out")" -eq 1
err_has 'on 3 MPI ranks'

# Sweeps: points handed out on request.
"$KPISIM" sweep "$W" -n 8 -o "$T/sw-serial" --quiet >/dev/null 2>&1
check "serial sweep" test -s "$T/sw-serial/sweep.csv"
for np in 1 2 3; do
    mpi_k 0 "$np" sweep "$W" -n 8 --threads 1 -o "$T/sw-$np"
    same "$T/sw-serial" "$T/sw-$np" sweep.csv scenario.yaml
done
mpi_k 0 2 sweep "$W" -n 8 --threads 2 -o "$T/sw-2t"
same "$T/sw-serial" "$T/sw-2t" sweep.csv scenario.yaml

# --- sensitivity (issue 19): the design's points split across the ranks -----------
printf 'extends: %s/scenarios/default.yaml\nname: tiny\nmonths: 6\nteam: {headcount: 4}\n' "$PWD" >"$T/sbase.yaml"
printf 'extends: sbase.yaml\nname: rich\npremium: {mean: 8000}\n' >"$T/srich.yaml"
cat >"$T/sens.yaml" <<'EOF'
strategies: [sbase.yaml, srich.yaml]
keys:
  activity.calls_per_day: {range: [6, 14]}
  clients.lapse_per_year: {range: [0.02, 0.1]}
figures: [total_premium, profit]
method: [oat, morris, sobol, lhs]
samples: 8
trajectories: 3
replications: 4
EOF
"$KPISIM" sensitivity "$T/sens.yaml" --threads 1 -o "$T/se-serial" --quiet >/dev/null 2>&1
check "serial sensitivity" test -s "$T/se-serial/sensitivity.csv"
for np in 1 2 3; do
    mpi_k 0 "$np" sensitivity "$T/sens.yaml" --threads 1 -o "$T/se-$np"
    same "$T/se-serial" "$T/se-$np" sensitivity.csv samples.csv sensitivity.yaml strategies/tiny.yaml strategies/rich.yaml
done
mpi_k 0 2 sensitivity "$T/sens.yaml" --threads 2 -o "$T/se-2t"
same "$T/se-serial" "$T/se-2t" sensitivity.csv samples.csv
# A bad sensitivity file: every rank refuses it, one message, nothing written.
printf 'scenario: sbase.yaml\nkeys:\n  activity.calls_per_dya: {range: [6, 14]}\n' >"$T/sbad.yaml"
mpi_k 65 3 sensitivity "$T/sbad.yaml" -o "$T/se-bad"
err_has "sbad.yaml:3:3: activity.calls_per_dya: unknown key"
check "a bad sensitivity file under MPI writes nothing" test ! -e "$T/se-bad"
# sweep --lhs: the sample's points across the ranks, the serial bytes.
"$KPISIM" sweep "$W" --lhs 12 -n 4 -o "$T/lhs-serial" --quiet >/dev/null 2>&1
for np in 2 3; do
    mpi_k 0 "$np" sweep "$W" --lhs 12 -n 4 --threads 1 -o "$T/lhs-$np"
    same "$T/lhs-serial" "$T/lhs-$np" sweep.csv scenario.yaml
done


# Compare: each scenario split across ranks.
A=scenarios/strategies/traditional.yaml B=scenarios/strategies/activity.yaml
"$KPISIM" compare "$A" "$B" -n 40 -o "$T/cmp-serial" --quiet >/dev/null 2>&1
mpi_k 0 3 compare "$A" "$B" -n 40 --threads 1 -o "$T/cmp-3"
check "compare on 3 ranks: every file the same bytes" diff -r "$T/cmp-serial" "$T/cmp-3"

# Calibrate: every rank takes the same simplex steps, each trial's
# replications spread over the ranks; rank 0 writes and prints.
C=(calibrate scenarios/calibration/history.csv --scenario scenarios/calibration/base.yaml
   --fit premium.mean --fit activity.compliance -n 8 --project 3)
"$KPISIM" "${C[@]}" -o "$T/cal-serial" --quiet >"$T/cal-serial.out" 2>/dev/null
check "serial calibrate" test -s "$T/cal-serial/fit.csv"
for np in 2 3; do
    mpi_k 0 "$np" "${C[@]}" --threads 1 -o "$T/cal-$np"
    check "calibrate on $np ranks: every file the same bytes" diff -r "$T/cal-serial" "$T/cal-$np"
    check "calibrate on $np ranks: one table, the serial one" cmp -s "$T/cal-serial.out" "$T/out"
done
# A bad -o is refused before the fit, once, by every rank together.
printf 'x' >"$T/cal-file"
mpi_k 73 2 "${C[@]}" --threads 1 -o "$T/cal-file" --quiet
check "calibrate: one message for a bad -o" test "$(grep -c "^kpisim: .*cal-file" "$T/err")" -eq 1
# A bad history: exit 65 from the whole job, one message.
printf 'month,headcount\n1,abc\n' >"$T/bad-history.csv"
mpi_k 65 2 calibrate "$T/bad-history.csv" --scenario scenarios/calibration/base.yaml \
    --fit premium.mean -n 4 --threads 1 -o "$T/cal-bad" --quiet
check "calibrate: one message for a bad history" test "$(grep -c "^kpisim: .*bad-history.csv" "$T/err")" -eq 1

# --- failures: the job stops, names the rank, writes nothing ------------------
fresh() { rm -rf "$1"; mkdir -p "$1"; printf 'old bytes' >"$1/monthly.csv"; }
printf 'name: bad\nmonths: 0\n' >"$T/bad.yaml"

# mpmd STATUS WHAT -- RANK0 ARGS -- RANK1 COMMAND...: rank 0 runs kpisim with
# RANK0 ARGS, rank 1 the command (MPMD: two programs in one job).
mpmd() {
    local want=$1 what=$2 a=() st
    shift 3
    while [ "$1" != "--" ]; do a+=("$1"); shift; done
    shift
    timeout 120 "${MPIRUN[@]}" -np 1 "$MPIK" "${a[@]}" : -np 1 "$@" >"$T/out" 2>"$T/err" </dev/null
    st=$?
    check "$what: exit $want (got $st)" test "$st" -eq "$want"
}

# A bad scenario on one rank only (rank 1 runs another file).
fresh "$T/f-bad"
mpmd 65 "bad scenario on rank 1" -- run "$S" -n 20 -o "$T/f-bad" -- \
    "$MPIK" run "$T/bad.yaml" -n 20 -o "$T/f-bad"
err_has "rank 1 of 2: $T/bad.yaml:2:9: months"
intact "$T/f-bad"

# Another (valid) scenario on one rank: refused, not mixed.
fresh "$T/f-other"
mpmd 65 "another scenario on rank 1" -- run "$S" -n 20 -o "$T/f-other" -- \
    "$MPIK" run "$S" --set activity.calls_per_day=11 -n 20 -o "$T/f-other"
err_has 'rank 1 of 2 loaded another scenario'
intact "$T/f-other"

# A rank out of memory: its address space capped at 300 MB (a small run
# peaks near 230 MB with the MPI library), its block of 100000 replications
# needing 390 MB more.  Refused by the memory check (docs/hardening.md
# "Limits") before anything runs: exit 64 (the replications came from -n),
# the rank named, with the estimate.
fresh "$T/f-oom"
mpmd 64 "rank 1 out of memory" -- run "$S" -n 200000 --threads 1 -o "$T/f-oom" -- \
    sh -c "ulimit -v 300000; exec '$MPIK' run '$S' -n 200000 --threads 1 -o '$T/f-oom'"
err_has "rank 1 of 2: $S: -n: the run needs about [0-9]*.[0-9] MiB of memory, more than"
intact "$T/f-oom"

# A sweep point that fails at run time (the team outgrows the limit), on
# whichever rank takes it.
cat >"$T/boom.yaml" <<'EOF'
name: boom
months: 24
replications: 4
sweep:
  team.recruits_per_agent: [0, 0.01, 0.02, 0.03, 10, 0.04, 0.05]
EOF
fresh "$T/f-boom"
# The memory check bounds the book of point 5 (the team at KPI_MAX_TEAM)
# at far more than a machine has: pin what is available so that the point
# runs and fails as it grows (docs/hardening.md "Limits").
KPISIM_MEMORY_AVAILABLE=1e15 mpi_k 65 3 sweep "$T/boom.yaml" --threads 1 -o "$T/f-boom"
err_has 'rank [0-2] of 3: .*boom.yaml (point 5): team.recruits_per_agent: the team grew beyond'
intact "$T/f-boom"

# A rank killed mid-run: the launcher stops the job, naming the rank.
fresh "$T/f-kill"
"${MPIRUN[@]}" -np 2 "$MPIK" run "$S" -n 100000 --threads 1 -o "$T/f-kill" --quiet \
    >"$T/out" 2>"$T/err" </dev/null &
job=$!
victim=
for _ in $(seq 1 100); do
    for p in $(pgrep -f "$MPIK run" 2>/dev/null); do
        if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
            victim=$p
        fi
    done
    [ -n "$victim" ] && break
    sleep 0.1
done
if [ -n "$victim" ]; then
    sleep 0.5
    kill -KILL "$victim"
    wait "$job"
    st=$?
    check "rank 1 killed: non-zero exit (got $st)" test "$st" -ne 0
    err_has 'rank 1'
    intact "$T/f-kill"
else
    kill "$job" 2>/dev/null
    wait "$job"
    bad "could not find rank 1 to kill"
fi

# Ctrl-C to the launcher: the job ends, nothing written.
fresh "$T/f-int"
"${MPIRUN[@]}" -np 2 "$MPIK" run "$S" -n 100000 --threads 1 -o "$T/f-int" --quiet \
    >"$T/out" 2>"$T/err" </dev/null &
job=$!
sleep 1.5
kill -INT "$job"
wait "$job"
st=$?
check "interrupted job: non-zero exit (got $st)" test "$st" -ne 0
intact "$T/f-int"

summary
