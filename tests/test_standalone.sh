#!/usr/bin/env bash
# test_standalone.sh - the library stands alone: a program that only runs
# (tests/standalone.c: kpi_scenario_defaults, kpi_run, kpi_results_free)
# links against libkpisim.a, GSL, libm and pthreads without libyaml (the
# Makefile builds it so: $(BUILD)/tests/standalone), and its tiny run gives
# sane results.
TEST_NAME=test_standalone
. "$(dirname "$0")/shlib.sh"

prog=${KPI_BUILD:-build}/tests/standalone
if [ ! -x "$prog" ]; then
    bad "$prog is missing: the library did not link without libyaml"
else
    ok
    if "$prog" >"$T/out" 2>"$T/err"; then ok; else bad "standalone run failed: $(cat "$T/err" "$T/out")"; fi
    out_has '^standalone: final_headcount [0-9.]* total_cases [0-9.]*$'
    if command -v ldd >/dev/null 2>&1; then
        if ldd "$prog" | grep -q libyaml; then bad "standalone links libyaml"; else ok; fi
    fi
fi
summary
