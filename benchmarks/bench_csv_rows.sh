#!/usr/bin/env bash
# bench_csv_rows.sh: bounded work per CSV row (issue 13, item 6). Wide rows (40k,
# 200k and 1M columns) must cost time linear in their width, and a huge cell
# must cost memory bounded by --max-deal-memory, not by the cell. Converts with
# `dealscore convert` (reading, mapping, joining: the CSV work, without scoring).
# Writes results/35-csv-rows.md.
set -euo pipefail
. "$HERE/lib.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

wide() { # COLUMNS FILE: one header and one deal row of COLUMNS custom columns
    python3 - "$1" "$2" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("id," + ",".join("c%d" % i for i in range(n)) + "\n")
    f.write("W1," + ",".join(str(i % 1000) for i in range(n)) + "\n")
PY
}
huge() { # MIB FILE: a deal row whose note cell holds MIB MiB, then a normal row
    python3 - "$1" "$2" <<'PY'
import sys
mib, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write("id,name,note\nH1,huge,\"")
    chunk = "x" * (1 << 20)
    for _ in range(mib):
        f.write(chunk)
    f.write("\"\nH2,after,ok\n")
PY
}

rows=""
for cols in 40000 200000 1000000; do
    wide "$cols" "$WORK/wide.csv"
    t=$(best "$DS" convert -o /dev/null "$WORK/wide.csv")
    read -r rss _ < <(peak_rss_mib "$DS" convert -o /dev/null "$WORK/wide.csv")
    rows+="| $cols columns | $(stat -c %s "$WORK/wide.csv" | awk '{printf "%.1f", $1 / 1048576}') MiB | $t | $(awk -v c="$cols" -v t="$t" 'BEGIN {printf "%.2f", t * 1e6 / c}') | $rss |"$'\n'
done
rm -f "$WORK/wide.csv"
huge_rows=""
for mib in 48 200 600; do
    huge "$mib" "$WORK/huge.csv"
    read -r rss t < <(peak_rss_mib "$DS" convert -o /dev/null "$WORK/huge.csv")
    huge_rows+="| $mib MiB cell, default --max-deal-memory 256M (rows up to 64 MiB) | $rss | $t |"$'\n'
    read -r rss t < <(peak_rss_mib "$DS" score -q -o /dev/null --csv "$WORK/huge.csv")
    huge_rows+="| $mib MiB cell, \`score\`, default limit | $rss | $t |"$'\n'
    rm -f "$WORK/huge.csv"
done
{
    echo "## CSV rows: width and size (bounded work per row)"
    echo
    echo "One deal row of N custom columns, read, mapped and written as JSON by"
    echo "\`dealscore convert\` (best of 3): the time per column stays flat, as column"
    echo "lookup is a hash and custom columns are appended without a lookup per cell."
    echo
    echo "| row | file | seconds | µs per column | peak MiB |"
    echo "|---|---|---|---|---|"
    printf '%s' "$rows"
    echo
    echo "A row with one huge quoted cell, then a normal row. A row may take a quarter"
    echo "of --max-deal-memory (its text is held about four times over while it becomes"
    echo "a deal, as the 48 MiB row shows); past that it is skipped to its end without"
    echo "being buffered (a too_large error, the next row read), so peak memory follows"
    echo "the limit, not the cell."
    echo
    echo "| input | peak MiB | seconds |"
    echo "|---|---|---|"
    printf '%s' "$huge_rows"
} >"$HERE/results/35-csv-rows.md"
cat "$HERE/results/35-csv-rows.md"
