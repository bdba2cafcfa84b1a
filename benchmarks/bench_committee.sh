#!/usr/bin/env bash
# bench_committee.sh: scoring cost against committee size (issue 14, item 4).
# Committees from gen_committee.py (every member an IT champion who can buy,
# chained by peer ties: the shape that made the old per-member widest-path
# searches cubic), 10 to 3,000 members, scored plain and with --actions, one
# thread. Each run scores enough copies of the deal to hold ~30,000 members, so
# process start-up does not hide the small sizes. Figures are CPU seconds
# (user + sys, GNU time), best of REPEAT, per deal: the machine is shared, and
# CPU time is what one deal costs a worker. Writes results/60-committee.md.
set -euo pipefail
. "$HERE/lib.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SIZES=${SIZES:-10 30 100 300 1000 3000}

# cpu CMD...: best of REPEAT (default 3) user + sys seconds of a command
cpu() {
    local best=999999 t
    for _ in $(seq "${REPEAT:-3}"); do
        /usr/bin/time -o "$WORK/time" -f '%U %S' "$@" >/dev/null 2>&1 || true
        t=$(tail -n1 "$WORK/time" | awk '{print $1 + $2}')
        best=$(awk -v a="$t" -v b="$best" 'BEGIN {print ((a + 0 < b + 0) ? a : b)}')
    done
    echo "$best"
}

LOAD=$(cut -d' ' -f1 /proc/loadavg)
{
    echo "## Committee size (one thread)"
    echo
    echo "One deal of N members (\`benchmarks/gen_committee.py N\`: every member an IT"
    echo "champion who can buy, chained by peer ties), scored by the default policy;"
    echo "CPU milliseconds per deal (user + sys), best of ${REPEAT:-3}. \`--actions\` tries at most"
    echo "\`actions.max_candidates\` (64) catalogue actions, each a re-analysis and a run"
    echo "of the policy."
    echo
    echo "| members | deals per run | plain (ms/deal) | --actions (ms/deal) | actions / plain |"
    echo "|---|---|---|---|---|"
    for n in $SIZES; do
        copies=$(( 30000 / n )); [ "$copies" -lt 1 ] && copies=1
        python3 "$HERE/gen_committee.py" "$n" | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
for k in range(int(sys.argv[1])):
    d["id"] = "committee-%d" % k
    print(json.dumps(d, separators=(",", ":")))' "$copies" >"$WORK/c.jsonl"
        t_plain=$(cpu "$DS" score -q --jobs 1 "$WORK/c.jsonl")
        t_actions=$(cpu "$DS" score -q --jobs 1 --actions "$WORK/c.jsonl")
        awk -v n="$n" -v c="$copies" -v p="$t_plain" -v a="$t_actions" 'BEGIN {
            printf "| %d | %d | %.2f | %.2f | %.1f |\n", n, c, 1000 * p / c, 1000 * a / c, a / p }'
    done
    echo
    echo "Before issue 14 the same deals cost, in wall-clock seconds on this machine,"
    echo "1,000 members 2.1 s plain and 300 members 20.8 s with --actions (one"
    echo "widest-path search per member over an n x n matrix, and every catalogue action"
    echo "tried). Recorded $(date -u +%Y-%m-%d) on: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores, $(uname -sr)."
    echo "Load average before the runs: $LOAD (2 cores shared with other work;"
    echo "CPU time is not inflated by waiting, wall-clock time is)."
} >"$HERE/results/60-committee.md"
cat "$HERE/results/60-committee.md"
