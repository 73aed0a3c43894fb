#!/usr/bin/env bash
# test_docs_cli.sh - the documents against the program and against each other:
#   - every claim id of the sources (F1, R4, K2, ...) cited in README.md,
#     docs/ or scenarios/ has its entry in docs/sources.md, which says what
#     it means and where kpisim expresses it;
#   - the manual page's synopsis of each command lists every option that
#     `kpisim COMMAND --help` lists.
#
# Run from the repository root; KPISIM names the binary (default ./kpisim).
set -u
TEST_NAME=test_docs_cli
. "$(dirname "$0")/shlib.sh"

# --- claim ids ---------------------------------------------------------------------
check "docs/sources.md exists" test -f docs/sources.md
# The ids with an entry: the first cell of a table row, "| F1 | ...".
entries=$(grep -oE '^\| [FRCBKM][0-9] \|' docs/sources.md | tr -d '| ' | sort -u)
cited=$(grep -rIohwE '[FRCBKM][0-9]' README.md docs scenarios | sort -u)
check "some ids are cited" test -n "$cited"
for id in $cited; do
    if printf '%s\n' "$entries" | grep -qx "$id"; then ok; else
        bad "claim $id is cited in $(grep -rIlw "$id" README.md docs scenarios | grep -v sources.md | head -3 | tr '\n' ' ')but has no entry in docs/sources.md"
    fi
done
# Each entry says where kpisim expresses the claim, or that it does not yet.
while IFS= read -r row; do
    id=$(printf '%s' "$row" | cut -d'|' -f2 | tr -d ' ')
    where=$(printf '%s' "$row" | cut -d'|' -f5)
    check "docs/sources.md: $id says where it is expressed" test -n "$(printf '%s' "$where" | tr -d ' ')"
done < <(grep -E '^\| [FRCBKM][0-9] \|' docs/sources.md)
check "README.md links docs/sources.md" grep -q '](docs/sources.md)' README.md

# --- the manual page lists every option of every command -----------------------------
# The options of COMMAND --help: from its usage lines (up to the first blank
# line) and its option lines ("  -o, --output DIR"); the synopsis of the
# manual page: from ".B kpisim COMMAND" to the next ".br", with \- as -.
man_synopsis() {
    sed -n "/^\.B kpisim $1\$/,/^\.br/p" docs/kpisim.1 | sed 's/\\-/-/g'
}
for c in run validate compare sweep sensitivity explain plot; do
    "$KPISIM" "$c" --help >"$T/help" 2>&1 || bad "kpisim $c --help failed"
    syn=$(man_synopsis "$c")
    check "docs/kpisim.1 has a synopsis of $c" test -n "$syn"
    opts=$( { sed '/^$/q' "$T/help"; grep -E '^  -' "$T/help"; } |
        grep -oE '(^|[][ ,])--?[a-z][a-z-]*' | sed 's/^[][ ,]*//' | grep -v -x -e '-h' -e '--help' | sort -u)
    for o in $opts; do
        # An option line "-o, --output DIR": either spelling will do.
        alias=$(grep -E "^  (-[a-z], )?--[a-z-]+" "$T/help" | grep -E -- "(^|[ ,])$o([ ,=]|\$)" |
            grep -oE -- '--?[a-z][a-z-]*' | head -n 2 | tr '\n' ' ')
        found=0
        for a in $o $alias; do
            if printf '%s\n' "$syn" | grep -q -E -- "(^|[[ ])$a( |\$|\])"; then found=1; fi
        done
        if [ "$found" -eq 1 ]; then ok; else bad "docs/kpisim.1: the synopsis of $c lacks $o (kpisim $c --help lists it)"; fi
    done
done

summary
