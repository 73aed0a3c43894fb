#!/usr/bin/env bash
# test_cancel.sh - SIGTERM and Ctrl-C end a run inside a replication, not
# only between replications: kpi_model_run reads the cancel flag
# (kpi_run_opts.cancel) every simulated month.  A single long replication
# (20000 agents over 600 months, minutes of work) killed after 2 seconds
# must end within a few seconds with status 130 and write nothing.
TEST_NAME=test_cancel
. "$(dirname "$0")/shlib.sh"

# The memory check is pinned (KPISIM_MEMORY_AVAILABLE) so that it passes
# on any machine; the run is stopped long before it grows.
long=(run -n 1 --threads 1 --set team.headcount=20000 --set months=600 --quiet)
for sig in TERM INT; do
    start=$(date +%s.%N)
    KPISIM_MEMORY_AVAILABLE=1e15 timeout --preserve-status -s "$sig" 2 \
        "$KPISIM" "${long[@]}" -o "$T/out-$sig" >"$T/out" 2>"$T/err" </dev/null
    st=$?
    took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    check "SIG$sig mid-replication: exit 130 (got $st; $(head -c 300 "$T/err"))" test "$st" -eq 130
    check "SIG$sig mid-replication: ended in $took s (signal at 2 s)" \
        awk -v t="$took" 'BEGIN { exit !(t < 5) }'
    check "SIG$sig mid-replication: nothing written" test ! -e "$T/out-$sig"
    err_has 'interrupted; nothing was written'
    out_empty
done
summary
