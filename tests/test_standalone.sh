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
# The library's API is the functions of kpisim.h: those, and only those, are
# exported (default visibility) by libkpisim.a's objects; the internal kpi_
# functions are hidden (the Makefile builds the library -fvisibility=hidden).
lib=${KPI_BUILD:-build}/libkpisim.a
if command -v readelf >/dev/null 2>&1 && [ -f "$lib" ]; then
    readelf -sW "$lib" | awk '$4 == "FUNC" && $5 == "GLOBAL" && $6 == "DEFAULT" && $7 != "UND" { print $8 }' \
        | sort -u >"$T/exported"
    grep -oE '^KPI_API [^(]*\bkpi_[a-z0-9_]+\(' engine/kpisim.h | grep -oE 'kpi_[a-z0-9_]+\($' \
        | tr -d '(' | sort -u >"$T/declared"
    check "the library exports some functions" test -s "$T/exported"
    extra=$(comm -23 "$T/exported" "$T/declared" | head -n 5 | tr '\n' ' ')
    missing=$(comm -13 "$T/exported" "$T/declared" | head -n 5 | tr '\n' ' ')
    if [ -z "$extra" ]; then ok; else bad "exported but not in kpisim.h: $extra"; fi
    if [ -z "$missing" ]; then ok; else bad "declared in kpisim.h but not exported: $missing"; fi
else
    skip "no readelf or no $lib"
fi
summary
