#!/usr/bin/env bash
# test_regression_cli.sh - every input in tests/regression/ through the program:
# `kpisim validate` (as a scenario and a sweep file) and `kpisim explain`,
# each within 10 seconds, must end in success or a clean error (65 or 66,
# "kpisim: FILE..." on stderr), never a crash, a hang or a sanitizer report.
# tests/test_regression.c checks the same files in-process, as the fuzz
# target does.  Also the parents an extends: may not name: a FIFO, which
# cannot be a file here.
TEST_NAME=test_regression_cli
. "$(dirname "$0")/shlib.sh"

n=0
for f in tests/regression/*; do
    case $f in *README.md) continue ;; esac
    [ -f "$f" ] || continue
    n=$((n + 1))
    for cmd in validate explain; do
        timeout -k 5 10 "$KPISIM" "$cmd" "$f" >"$T/out" 2>"$T/err" </dev/null
        st=$?
        case $st in
            0) ok ;;
            65 | 66)
                if [ "$(head -c $((8 + ${#f})) "$T/err")" = "kpisim: $f" ]; then ok; else
                    bad "$cmd $f: status $st without a clean message: $(head -c 300 "$T/err")"
                fi ;;
            124 | 137) bad "$cmd $f: hung (killed after 10 s)" ;;
            *) bad "$cmd $f: status $st: $(head -c 600 "$T/err")" ;;
        esac
    done
done
check "tests/regression holds inputs ($n)" test "$n" -gt 0

# A FIFO as a parent: refused at once, not waited on.
mkfifo "$T/fifo.yaml"
printf 'extends: %s\n' "$T/fifo.yaml" >"$T/child.yaml"
run_k 66 validate "$T/child.yaml"
err_has "extends: cannot read '$T/fifo.yaml': not a regular file"
# The file given on the command line may still be a pipe.
printf 'name: piped\nmonths: 2\n' | "$KPISIM" validate /dev/stdin >"$T/out" 2>"$T/err"
check "a scenario piped on stdin still validates ($(cat "$T/err"))" test "$?" -eq 0

summary
