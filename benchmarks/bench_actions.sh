#!/usr/bin/env bash
# bench_actions.sh: the cost of next best actions. `dealscore score --actions`
# against a plain `dealscore score` of the same generated deals (one thread), and
# how many actions each deal tries. The issue's budget is under 20x a plain scoring.
set -euo pipefail
N=${N:-20000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 "$HERE/../tests/reference/gen_deals.py" --seed 42 --count "$N" >"$WORK/deals.jsonl"
# every action through, to count how many each deal tries
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["actions"]["min_gain"]=-1e9; json.dump(m, open(sys.argv[2],"w"))' \
    "$HERE/../models/default.json" "$WORK/all.json"

best() { # best of 3 wall-clock seconds of a command
    local best=999999
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        best=$(echo "$t1 - $t0" | bc -l | awk -v b="$best" '{printf "%.3f", ($1 < b) ? $1 : b}')
    done
    echo "$best"
}
t_plain=$(best "$DS" score -q "$WORK/deals.jsonl")
t_actions=$(best "$DS" score -q --actions "$WORK/deals.jsonl")
"$DS" score -q --model "$WORK/all.json" --max-actions 1000 "$WORK/deals.jsonl" >"$WORK/all.jsonl" || true
tried=$(jq -s '[.[] | select(.actions) | (.actions | length)] | add / length' "$WORK/all.jsonl")
rate() { awk -v n="$N" -v t="$1" 'BEGIN {printf "%.0f", n / t}'; }
{
    echo "## Next best actions (one thread)"
    echo
    echo "$N generated deals; best of 3 runs. Each deal tries $(printf '%.1f' "$tried") actions on"
    echo "average, each a full re-analysis of a copy (the graph is reused when an action"
    echo "changes neither relationships nor stated stances) and a run of the policy."
    echo
    echo "| run | seconds | deals/s |"
    echo "|---|---|---|"
    echo "| \`dealscore score\` | $t_plain | $(rate "$t_plain") |"
    echo "| \`dealscore score --actions\` | $t_actions | $(rate "$t_actions") |"
    echo
    echo "Actions cost $(awk -v a="$t_actions" -v b="$t_plain" 'BEGIN {printf "%.1f", a / b}')x a plain scoring (budget: under 20x)."
} >"$HERE/results/50-actions.md"
cat "$HERE/results/50-actions.md"
