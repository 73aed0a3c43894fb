#!/usr/bin/env bash
# run.sh - runs the test programs and scripts and adds up their results.
#
#   tests/run.sh [TEST ...]
#
# A TEST is a test program (build/tests/test_stats), a script
# (tests/test_cli.sh) or a bare name (test_stats), looked up as
# $KPI_BUILD/tests/NAME, then tests/NAME.sh.  Without arguments every
# $KPI_BUILD/tests/test_* program and every tests/test_*.sh runs.
# KPI_BUILD is the build directory (default build); `make test` sets it and
# KPISIM, the program that scripts must run.
#
# Everything runs from the repository root, one at a time, each under
# `timeout` ($TEST_TIMEOUT seconds, default 600).  Their output is shown as
# it comes.  Every line "NAME: N passed, N failed" (optionally ", N
# skipped") is added up.  A test that times out, is killed by a signal,
# prints no such line, or exits non-zero while reporting no failure counts
# as one more failure.  The last line is "N passed, N failed" (", N
# skipped" when any were); the exit status is 1 when anything failed.

set -u
cd "$(dirname "$0")/.." || exit 2

build=${KPI_BUILD:-build}
limit=${TEST_TIMEOUT:-600}
summary_re='^[A-Za-z0-9_./-]+: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$'

if [ $# -eq 0 ]; then
    set --
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] && [ -f "$t" ] && [ "${t%.d}" = "$t" ] && set -- "$@" "$t"
    done
    for t in tests/test_*.sh; do
        [ -f "$t" ] && set -- "$@" "$t"
    done
fi

passed=0 failed=0 skipped=0
out=$(mktemp "${TMPDIR:-/tmp}/kpisim-test.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT

for t in "$@"; do
    case $t in
        */*) ;;
        *) if [ -x "$build/tests/$t" ]; then t=$build/tests/$t
           elif [ -f "tests/$t.sh" ]; then t=tests/$t.sh
           elif [ -f "tests/$t" ]; then t=tests/$t
           fi ;;
    esac
    name=$(basename "$t" .sh)
    case $t in
        *.sh) cmd=(bash "$t") ;;
        *) cmd=("$t") ;;
    esac
    if [ ! -f "$t" ]; then
        echo "$name: FAIL: no such test ($t)"
        failed=$((failed + 1))
        continue
    fi

    timeout --kill-after=10 "$limit" "${cmd[@]}" </dev/null 2>&1 | tee "$out"
    status=${PIPESTATUS[0]}

    p=0 f=0 s=0 lines=0
    while IFS= read -r line; do
        [[ $line =~ $summary_re ]] || continue
        lines=$((lines + 1))
        rest=${line##*: }
        read -r np _ nf _ ns _ <<<"${rest//,/}"
        p=$((p + np)) f=$((f + nf)) s=$((s + ${ns:-0}))
    done <"$out"

    reason=
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        reason="timed out after ${limit} s"
    elif [ "$status" -gt 128 ]; then
        reason="killed by signal $((status - 128))"
    elif [ "$lines" -eq 0 ]; then
        reason="printed no summary line (exit status $status)"
    elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        reason="exited with status $status but reported no failure"
    fi
    if [ -n "$reason" ]; then
        echo "$name: FAIL: $reason"
        f=$((f + 1))
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
