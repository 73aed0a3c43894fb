#!/usr/bin/env bash
# fuzz.sh - runs the scenario loader's fuzz target (make fuzz; see
# docs/hardening.md "Fuzzing").
#
#   tests/fuzz.sh FUZZER DICT SECONDS DIR [COVERAGE-FUZZER]
#
# Seeds DIR/seeds/ afresh with every YAML file of scenarios/ and tests/data/,
# every input of tests/regression/ and every in.yaml of the YAML test suite
# (../shared/corpora/yaml-test-suite), then runs libFuzzer for SECONDS with
# its growing corpus in DIR/corpus/ (kept from run to run) and what it finds
# in DIR/findings/.  Prints the executions, the coverage reached and the
# corpus, and appends them to DIR/fuzz-history.csv.  COVERAGE-FUZZER, the
# same target built for clang's source-based coverage, is then run once
# over the corpus and the seeds for the lines and branches of the loader's
# files that the corpus reaches (llvm-cov).  Exit status 0 when
# nothing was found, 1 when something was (its files are named), 2 when
# the fuzzer could not run.
set -u
cd "$(dirname "$0")/.." || exit 2
fuzzer=$1 dict=$2 seconds=$3 dir=$4 covbin=${5:-}

rm -rf "$dir/seeds"
mkdir -p "$dir/seeds" "$dir/corpus" "$dir/findings" || exit 2
n=0
seed() { # seed FILE: copied under a name made of its path
    local name=${1//\//_}
    cp "$1" "$dir/seeds/$name" && n=$((n + 1))
}
while IFS= read -r f; do seed "$f"; done < <(find scenarios tests/data -name '*.yaml' | sort)
for f in tests/regression/*; do
    case $f in *README.md) continue ;; esac
    [ -f "$f" ] && seed "$f"
done
suite=../shared/corpora/yaml-test-suite/cases
if [ -d "$suite" ]; then
    for f in "$suite"/*/in.yaml; do [ -f "$f" ] && seed "$f"; done
else
    echo "fuzz.sh: no $suite beside the repository: seeding without the YAML test suite" >&2
fi
before=$(find "$dir/findings" -type f | wc -l)
echo "fuzz.sh: $n seeds, corpus $(find "$dir/corpus" -type f | wc -l) inputs, $seconds s"

# -timeout: an input that takes 10 s is a hang; -rss_limit_mb: 2 GiB is a
# runaway allocation.  The sweep way of each input writes a file in TMPDIR.
log=$dir/fuzz.log
"$fuzzer" "$dir/corpus" "$dir/seeds" -dict="$dict" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/findings/" </dev/null >"$log" 2>&1
status=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
edges=$(sed -n 's/.*Loaded [0-9]* modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -n 1)
secs=$(sed -n 's/^stat::.*time.*: *//p' "$log" | tail -n 1)
after=$(find "$dir/findings" -type f | wc -l)
found=$((after - before))
pct=
if [ -n "$cov" ] && [ -n "$edges" ] && [ "$edges" -gt 0 ]; then
    pct=$(awk -v c="$cov" -v e="$edges" 'BEGIN { printf " (%.1f%% of %d instrumented edges)", 100 * c / e, e }')
fi
echo "fuzz.sh: ${execs:-?} executions in $seconds s; coverage: cov ${cov:-?} edges$pct, ft ${ft:-?} features; corpus ${corp:-?}"
[ -f "$dir/fuzz-history.csv" ] || echo "date,seconds,executions,cov,edges,ft,findings" >"$dir/fuzz-history.csv"
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ),$seconds,${execs:-},${cov:-},${edges:-},${ft:-},$found" >>"$dir/fuzz-history.csv"
# The loader's lines reached by the corpus (llvm-cov of the coverage build).
if [ -n "$covbin" ] && [ -x "$covbin" ]; then
    v=$(sed -n 's/.*clang version \([0-9]*\).*/\1/p' <<<"$(${FUZZ_CC:-clang} --version 2>/dev/null)" | head -n 1)
    prof=llvm-profdata-$v cov=llvm-cov-$v
    command -v "$prof" >/dev/null 2>&1 || prof=llvm-profdata
    command -v "$cov" >/dev/null 2>&1 || cov=llvm-cov
    rm -rf "$dir/cov/profiles"
    mkdir -p "$dir/cov/profiles"
    LLVM_PROFILE_FILE="$dir/cov/profiles/%p.profraw" "$covbin" -runs=0 "$dir/corpus" "$dir/seeds" \
        </dev/null >"$dir/cov/run.log" 2>&1
    if "$prof" merge -sparse "$dir"/cov/profiles/*.profraw -o "$dir/cov/corpus.profdata" 2>/dev/null &&
        "$cov" report "$covbin" -instr-profile="$dir/cov/corpus.profdata" \
            engine/yamltree.c engine/num.c engine/load.c engine/load_value.c \
            engine/load_event.c engine/load_file.c engine/load_set.c engine/suggest.c \
            engine/scenario.c engine/sweep.c engine/emit.c \
            >"$dir/cov/report.txt" 2>/dev/null; then
        echo "fuzz.sh: the loader's files covered by the corpus (llvm-cov; $dir/cov/report.txt):"
        awk 'NR == 1 || /^-/ { next } { printf "  %-22s lines %7s  branches %7s  functions %7s\n",
             $1, $10, $13, $7 }' "$dir/cov/report.txt"
    else
        echo "fuzz.sh: no coverage report ($prof/$cov failed; see $dir/cov/run.log)" >&2
    fi
fi

if [ "$found" -gt 0 ] || { [ "$status" -ne 0 ] && grep -q -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_scenario:|ALARM|.*deadly signal)' "$log"; }; then
    echo "fuzz.sh: the fuzzer found something (status $status); see $log:" >&2
    grep -E 'ERROR|SUMMARY|fuzz_scenario:|ALARM|Test unit written' "$log" | head -n 20 >&2
    find "$dir/findings" -type f -newer "$dir/seeds" | sed 's/^/  /' >&2
    echo "fix it, then copy the file into tests/regression/ (tests/regression/README.md)" >&2
    exit 1
fi
if [ "$status" -ne 0 ] || [ -z "$execs" ]; then
    echo "fuzz.sh: the fuzzer did not run to the end (status $status); see $log" >&2
    tail -n 20 "$log" >&2
    exit 2
fi
echo "fuzz.sh: no crash, hang, leak or unclean answer"
