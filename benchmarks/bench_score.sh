#!/usr/bin/env bash
# bench_score.sh: single-thread throughput of `dealscore score` with the default
# policy on generated deals, against a parse-only pass over the same file with
# cJSON (benchmarks/parse_only.c, the limit of JSON input).
set -euo pipefail
. "$HERE/lib.sh"
N=${N:-50000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
gen_deals "$N" "$WORK/deals.jsonl"
BYTES=$(stat -c %s "$WORK/deals.jsonl")
build_parse_only "$WORK"
t_score=$(best "$DS" score -q --jobs 1 "$WORK/deals.jsonl")
t_parse=$(best "$WORK/parse_only" "$WORK/deals.jsonl")
{
    echo "## Scoring throughput (one thread)"
    echo
    echo "$N generated deals, $((BYTES / 1024)) KiB of JSONL; best of 3 runs."
    echo
    echo "| run | seconds | deals/s |"
    echo "|---|---|---|"
    echo "| \`dealscore score --jobs 1\` (default policy) | $t_score | $(rate "$N" "$t_score") |"
    echo "| cJSON parse only | $t_parse | $(rate "$N" "$t_parse") |"
    echo
    echo "Scoring runs at $(awk -v a="$t_parse" -v b="$t_score" 'BEGIN {printf "%.0f", 100 * a / b}')% of the parse-only rate."
} >"$HERE/results/10-score.md"
cat "$HERE/results/10-score.md"
