# shlib.sh - what the shell tests (tests/test_*.sh) share: sourced, not run.
#
# Before sourcing, a script sets TEST_NAME (e.g. test_cli).  It gets:
#   KPISIM   the program (absolute path; default ./kpisim)
#   T        a temporary directory, removed on exit
#   ok, bad MESSAGE, skip MESSAGE, check DESCRIPTION COMMAND...
#   run_k STATUS ARGS...   kpisim with stdout/stderr in $T/out, $T/err
#   err_has TEXT, out_has TEXT, out_empty, err_empty
#   summary                the final "TEST_NAME: N passed, N failed" line;
#                          its status is the script's result
KPISIM=${KPISIM:-./kpisim}
case $KPISIM in /*) ;; *) KPISIM=$PWD/$KPISIM ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/kpisim-$TEST_NAME.XXXXXX")
trap 'rm -rf "$T"' EXIT
passed=0 failed=0 skipped=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $TEST_NAME: $*"; }
skip() { skipped=$((skipped + 1)); echo "$TEST_NAME: skipped: $*"; }
check() { # check DESCRIPTION COMMAND...: the command must succeed
    local what=$1; shift
    if "$@"; then ok; else bad "$what"; fi
}

# run_k EXPECTED_STATUS ARGS...: runs kpisim, keeps stdout/stderr in $T/out, $T/err.
run_k() {
    local want=$1; shift
    "$KPISIM" "$@" >"$T/out" 2>"$T/err" </dev/null
    local got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "kpisim $* exited $got, expected $want; stderr: $(head -c 600 "$T/err")"; fi
    return 0
}
err_has() { if grep -q -- "$1" "$T/err"; then ok; else bad "stderr lacks '$1': $(head -c 400 "$T/err")"; fi; }
out_has() { if grep -q -- "$1" "$T/out"; then ok; else bad "stdout lacks '$1': $(head -c 400 "$T/out")"; fi; }
out_empty() { if [ ! -s "$T/out" ]; then ok; else bad "stdout should be empty: $(head -c 200 "$T/out")"; fi; }
err_empty() { if [ ! -s "$T/err" ]; then ok; else bad "stderr should be empty: $(head -c 200 "$T/err")"; fi; }

summary() {
    if [ "$skipped" -gt 0 ]; then
        echo "$TEST_NAME: $passed passed, $failed failed, $skipped skipped"
    else
        echo "$TEST_NAME: $passed passed, $failed failed"
    fi
    [ "$failed" -eq 0 ]
}
