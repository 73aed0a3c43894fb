#!/bin/sh
# make-history.sh - makes history.csv: one replication of truth.yaml (a real
# team has one history), its monthly figures in the history format of
# `kpisim calibrate` (docs/calibration.md).
#
#   sh scenarios/calibration/make-history.sh [KPISIM] [SEED]
#
# history.csv in this folder was made with the defaults: ./kpisim, seed 7.
set -e
here=$(dirname "$0")
kpisim=${1:-./kpisim}
seed=${2:-7}
tmp=${TMPDIR:-/tmp}/kpisim-history.$$
trap 'rm -rf "$tmp"' EXIT
"$kpisim" run "$here/truth.yaml" -n 1 --seed "$seed" --per-replication -o "$tmp" --quiet >/dev/null
# The columns a sales manager keeps: headcount, recruits, exits, meetings,
# cases and premium.
awk -F, -v want="month headcount recruits exits meetings cases premium" '
NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) col[$i] = i
          for (j = 1; j <= n; j++) printf "%s%s", w[j], j < n ? "," : "\n"; next }
{ for (j = 1; j <= n; j++) printf "%s%s", $(col[w[j]]), j < n ? "," : "\n" }
' "$tmp/replications.csv" > "$here/history.csv"
