#!/usr/bin/env bash
# bench_batch.sh: batch scoring of a pipeline export (benchmarks/gen_pipeline.c)
# with 1 and N jobs, from JSONL and from the CSV trio, against a cJSON parse-only
# pass over the same file (the limit of JSON input) and against jq computing a
# simple weighted sum per deal (what a user might do instead); then the peak
# memory for a 1 GiB input. Writes results/30-batch.md.
set -euo pipefail
. "$HERE/lib.sh"
N=${N:-50000}
BIG=${BIG:-1G}
JOBS=$(nproc)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
build_tools "$WORK"
"$WORK/gen_pipeline" --seed 42 --deals "$N" --jsonl "$WORK/deals.jsonl" --csv "$WORK/crm"
BYTES=$(stat -c %s "$WORK/deals.jsonl")
CSV_BYTES=$(cat "$WORK"/crm-*.csv | wc -c)
CSV=(--csv "$WORK/crm-deals.csv" --stakeholders "$WORK/crm-contacts.csv"
    --relationships "$WORK/crm-relationships.csv")
JQ='{id, score: (0.4 * (.solution.capability // 0) + 0.3 * (.solution.strategic // 0)
    + 0.3 * ([.stakeholders[]? | (.influence // 0.5) * (.stance // 0)] | add // 0))}'

LOAD=$(cut -d' ' -f1 /proc/loadavg) # other work on the machine skews the jobs figures
t_1=$(best "$DS" score -q --jobs 1 "$WORK/deals.jsonl")
t_n=$(best "$DS" score -q --jobs "$JOBS" "$WORK/deals.jsonl")
t_csv1=$(best "$DS" score -q --jobs 1 "${CSV[@]}")
t_csvn=$(best "$DS" score -q --jobs "$JOBS" "${CSV[@]}")
t_parse=$(best "$WORK/parse_only" "$WORK/deals.jsonl")
t_jq=$(best jq -c "$JQ" "$WORK/deals.jsonl")
read -r csv_rss _ < <(peak_rss_mib "$DS" score -q --jobs "$JOBS" "${CSV[@]}")

# the big input: generated, scored once, measured, deleted
"$WORK/gen_pipeline" --seed 7 --bytes "$BIG" --jsonl "$WORK/big.jsonl"
BIG_BYTES=$(stat -c %s "$WORK/big.jsonl")
BIG_N=$(wc -l <"$WORK/big.jsonl")
read -r big_rss big_t < <(peak_rss_mib "$DS" score -q --jobs "$JOBS" -o /dev/null "$WORK/big.jsonl")
rm -f "$WORK/big.jsonl"

row() { echo "| $1 | $2 | $(rate "$N" "$2") | $(ratio "$t_1" "$2") |"; }
{
    echo "## Batch scoring: jobs, CSV, and the alternatives"
    echo
    echo "$N generated deals (\`gen_pipeline --seed 42\`, 3 to 12 stakeholders each):"
    echo "$((BYTES / 1048576)) MiB of JSONL, or $((CSV_BYTES / 1048576)) MiB as the CSV trio"
    echo "(plain mapping). Best of 3 runs; $JOBS cores, load average $LOAD before the runs."
    echo
    echo "| run | seconds | deals/s | speed vs --jobs 1 |"
    echo "|---|---|---|---|"
    row "\`dealscore score --jobs 1\`" "$t_1"
    row "\`dealscore score --jobs $JOBS\`" "$t_n"
    row "\`dealscore score --jobs 1 --csv ...\`" "$t_csv1"
    row "\`dealscore score --jobs $JOBS --csv ...\`" "$t_csvn"
    row "cJSON parse only (one thread)" "$t_parse"
    row "\`jq\` weighted sum (one thread)" "$t_jq"
    echo
    echo "--jobs $JOBS runs $(ratio "$t_1" "$t_n")x as fast as --jobs 1; with $JOBS jobs scoring reaches"
    echo "$(awk -v a="$t_parse" -v b="$t_n" 'BEGIN {printf "%.0f", 100 * a / b}')% of the one-thread parse-only rate, and runs $(ratio "$t_jq" "$t_n")x as fast as"
    echo "jq doing a three-term weighted sum. Peak memory for the CSV run: $csv_rss MiB (the"
    echo "contacts and relationships files are indexed in memory; see docs/csv.md)."
    echo
    echo "Peak memory for a large input: $((BIG_BYTES / 1048576)) MiB of JSONL ($BIG_N deals),"
    echo "\`--jobs $JOBS\`: **$big_rss MiB** peak resident (GNU time), $big_t s"
    echo "($(rate "$BIG_N" "$big_t") deals/s)."
} >"$HERE/results/30-batch.md"
cat "$HERE/results/30-batch.md"
