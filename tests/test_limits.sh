#!/usr/bin/env bash
# test_limits.sh - the limits checked before a run starts (docs/hardening.md
# "Limits"): the file size and nesting depth the loader refuses, and the
# memory a run would need against what the machine and the process limits
# allow, with the estimate and the key to change in the message and a
# sysexits status.  Also that the estimate (kpisim explain) is close to the
# peak memory a run really takes.
TEST_NAME=test_limits
. "$(dirname "$0")/shlib.sh"

# A sanitizer build reserves terabytes of address space for its shadow
# memory and keeps freed blocks in quarantine: no address-space limit can
# be set under it, and its peak memory is not the program's.
sanitized=0
if ldd "$KPISIM" 2>/dev/null | grep -q 'lib[at]san'; then sanitized=1; fi

# --- the loader's limits: file size and nesting depth --------------------------------
# One byte over 1 MiB of comments.
awk 'BEGIN { line = "#"; for (i = 0; i < 1023; i++) line = line "x";
             for (i = 0; i < 1024; i++) print line; print "" }' >"$T/big.yaml"
run_k 65 validate "$T/big.yaml"; err_has 'file too large: a scenario may hold at most 1 MiB'
run_k 65 run "$T/big.yaml" -o "$T/big"; err_has 'file too large'
check "a refused file writes nothing" test ! -e "$T/big"
# 65 nested flow sequences under a key; 64 are allowed.
deep() { local s='1' i; for ((i = 0; i < $1; i++)); do s="[$s]"; done; printf 'description: %s\n' "$s"; }
deep 65 >"$T/deep.yaml"
run_k 65 validate "$T/deep.yaml"; err_has 'nesting deeper than 64 levels'
deep 62 >"$T/deep-ok.yaml"
run_k 65 validate "$T/deep-ok.yaml"; err_has 'description: expected'

# --- memory: refused before the run, with the estimate and the key ------------------
# The numbers of monthly KPIs and horizon figures, from a small run's files.
run_k 0 run -n 2 --set months=2 -o "$T/small" --quiet
nkpi=$(( ($(head -n 1 "$T/small/monthly.csv" | tr ',' '\n' | wc -l) - 1) / 7 ))
nfig=$(( $(wc -l <"$T/small/summary.csv") - 1 ))
# Ten million replications of fifty years: 10^7 x (600 x nkpi + nfig) x 8
# bytes of results, in TiB with one decimal (and twice that for compare).
tib() { awk -v k="$nkpi" -v f="$nfig" -v s="$1" 'BEGIN { printf "%.1f", s * 1e7 * (600 * k + f) * 8 / 2^40 }'; }
run_k 64 run -n 10000000 --set months=600 -o "$T/huge" --quiet
err_has "^kpisim: <built-in default>: -n: the run needs about $(tib 1) TiB of memory, more than the"
err_has "results (replications x (months x $nkpi KPIs + $nfig figures) x 8 bytes)"
err_has 'lower -n (replications) or months$'
check "a refused run writes nothing" test ! -e "$T/huge"
# The same from the file: the key, and status 65.
printf 'name: huge\nmonths: 600\nreplications: 10000000\n' >"$T/huge.yaml"
run_k 65 run "$T/huge.yaml" -o "$T/huge" --quiet
err_has "^kpisim: $T/huge.yaml: replications: the run needs about $(tib 1) TiB"
err_has 'lower replications or months$'
run_k 0 validate "$T/huge.yaml"     # valid: only a run is refused
# A team whose books need hundreds of GiB: blamed on the team.
run_k 65 run -n 4 --threads 1 --set team.headcount=100000 --set clients.initial_per_agent=10000 \
    -o "$T/huge" --quiet
err_has '<built-in default>: team.headcount: the run needs about'
err_has '1 x .* of model workspace (about 1.* agents, 1.* clients); lower team.headcount, clients.initial_per_agent or months$'
run_k 65 run -n 4 --threads 4 --set team.headcount=100000 --set clients.initial_per_agent=10000 \
    -o "$T/huge" --quiet
err_has 'lower team.headcount, clients.initial_per_agent, months or --threads$'
# compare keeps every scenario's results; sweep runs its points one by one.
run_k 64 compare scenarios/default.yaml scenarios/default.yaml -n 10000000 --set months=600 \
    -o "$T/huge" --quiet
err_has "^kpisim: scenarios/default.yaml: -n: the run needs about $(tib 2) TiB"
printf 'extends: %s\nsweep:\n  months: [12, 600]\n' "$PWD/scenarios/default.yaml" >"$T/sw.yaml"
run_k 64 sweep "$T/sw.yaml" -n 10000000 -o "$T/huge" --quiet
err_has "^kpisim: $T/sw.yaml: -n: the run needs about $(tib 1) TiB"
check "refused runs write nothing" test ! -e "$T/huge"

# The process's own limits count: about a GiB of results under a 600 MiB
# address space (ulimit -v).
if [ "$sanitized" -eq 0 ]; then
    (ulimit -v 600000 && "$KPISIM" run -n 20000 --set months=120 -o "$T/lim" --quiet) \
        >"$T/out" 2>"$T/err"
    st=$?
    check "run over ulimit -v is refused with 64 (got $st)" test "$st" -eq 64
    err_has 'the run needs about [0-9.]* [MG]iB of memory, more than the 5[0-9][0-9].[0-9] MiB available (the address-space limit (ulimit -v, RLIMIT_AS))'
    (ulimit -v 600000 && "$KPISIM" run -n 20 -o "$T/lim" --quiet) >"$T/out" 2>"$T/err"
    st=$?
    check "a small run under the same limit runs (got $st: $(head -c 300 "$T/err"))" test "$st" -eq 0
else
    skip "ulimit -v cannot be set under a sanitizer build"
fi

# --- a budget from outside: KPISIM_MEMORY_AVAILABLE -----------------------------------
# The checks above do not depend on this machine's free memory (their needs
# are terabytes); these pin what is available, so they hold anywhere.
KPISIM_MEMORY_AVAILABLE=1000000 run_k 65 run -n 20 -o "$T/env" --quiet
err_has 'more than the 976.6 kB available (KPISIM_MEMORY_AVAILABLE)'
check "a run refused by the budget writes nothing" test ! -e "$T/env"
KPISIM_MEMORY_AVAILABLE=1e12 run_k 0 run -n 20 -o "$T/env" --quiet
KPISIM_MEMORY_AVAILABLE=junk run_k 0 run -n 20 -o "$T/env" --quiet   # not a number: ignored

# --- the estimate against the peak memory of real runs -------------------------------
# kpisim explain prints the estimate; /usr/bin/time the peak (maximum resident
# set).  The estimate is a bound (docs/hardening.md "Limits"): never below
# what the run takes, on shapes whose book grows with agents x months too
# (long runs, a growing team, large starting books), and within 12 x of it.
estimate_kib() { # ARGS...: the "in all" line of explain, in KiB
    "$KPISIM" explain scenarios/default.yaml "$@" |
        awk '/^  in all/ { v = $3; u = $4;
             f = u == "bytes" ? 1 / 1024 : u == "kB" ? 1 : u == "MiB" ? 1024 : u == "GiB" ? 1048576 : 0;
             printf "%d\n", v * f }'
}
if [ "$sanitized" -eq 0 ] && [ -x /usr/bin/time ]; then
    for c in "1|--set team.headcount=2000 --set clients.initial_per_agent=300 --set months=3" \
        "500|--set team.headcount=1 --set months=240 --set working_days=1" \
        "4|--set team.headcount=100 --set months=120" \
        "1|--set team.headcount=2000 --set months=600" \
        "2|--set team.headcount=200 --set months=600 --set team.recruits_per_agent=0.01"; do
        n=${c%%|*} args=${c#*|}
        # shellcheck disable=SC2086  # args is a list of options
        est=$(estimate_kib $args --set replications=$n)
        # shellcheck disable=SC2086
        /usr/bin/time -f '%M' "$KPISIM" run scenarios/default.yaml $args -n "$n" --threads 2 \
            -o "$T/est" --quiet >/dev/null 2>"$T/time"
        peak=$(tail -n 1 "$T/time")
        echo "$TEST_NAME: estimate $est KiB, peak $peak KiB ($args, -n $n)"
        # The bound must hold; how loose it may be: it assumes every visit
        # slot is used and converts at the best sale rate, which the default
        # team (engagement, a multi-meeting cycle, assessment exits) is far
        # from: up to about 90 times the peak over fifty years.
        check "estimate $est KiB against a peak of $peak KiB ($args, -n $n): within [1, 128] x" \
            awk -v e="$est" -v p="$peak" 'BEGIN { exit !(p > 0 && e >= p && e <= 128 * p) }'
    done
else
    skip "no /usr/bin/time, or a sanitizer build: peak memory not compared"
fi

summary
