#!/usr/bin/env bash
# bench_actions.sh: the cost of next best actions. `dealscore score --actions`
# against a plain `dealscore score` of the same generated deals, both with
# --jobs 1 so the two compare like with like, and how many actions each deal
# tries. The issue's budget is under 20x a plain scoring. Writes
# results/50-actions.md.
set -euo pipefail
. "$HERE/lib.sh"
N=${N:-20000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
gen_deals "$N" "$WORK/deals.jsonl"
# every action through, to count how many each deal tries
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["actions"]["min_gain"]=-1e9; json.dump(m, open(sys.argv[2],"w"))' \
    "$HERE/../models/default.json" "$WORK/all.json"

LOAD=$(cut -d' ' -f1 /proc/loadavg) # other work on the machine skews both runs
t_plain=$(best "$DS" score -q --jobs 1 "$WORK/deals.jsonl")
t_actions=$(best "$DS" score -q --jobs 1 --actions "$WORK/deals.jsonl")
"$DS" score -q --jobs 1 --model "$WORK/all.json" --max-actions 1000 "$WORK/deals.jsonl" \
    >"$WORK/all.jsonl" || true
tried=$(jq -s '[.[] | select(.actions) | (.actions | length)] | add / length' "$WORK/all.jsonl")
{
    echo "## Next best actions (one thread)"
    echo
    echo "$N generated deals; best of ${REPEAT:-3} runs, both with \`--jobs 1\`. Each deal"
    echo "tries $(printf '%.1f' "$tried") actions on average, each a re-analysis of a copy (the"
    echo "graph is reused when an action changes neither relationships nor stated stances)"
    echo "and a run of the policy."
    echo
    echo "| run | seconds | deals/s |"
    echo "|---|---|---|"
    echo "| \`dealscore score --jobs 1\` | $t_plain | $(rate "$N" "$t_plain") |"
    echo "| \`dealscore score --jobs 1 --actions\` | $t_actions | $(rate "$N" "$t_actions") |"
    echo
    echo "Actions cost $(awk -v a="$t_actions" -v b="$t_plain" 'BEGIN {printf "%.1f", a / b}')x a plain scoring (budget: under 20x). Load"
    echo "average of the machine before the runs: $LOAD."
} >"$HERE/results/50-actions.md"
cat "$HERE/results/50-actions.md"
