#!/usr/bin/env bash
# bench_questions_committee.sh: the cost of --questions against committee size.
# A committee of N has about 6 N questions (gen_committee.py gives each member's
# stance, influence, AI interest and burden, not their benefits, convictions or
# credibility threat); questions.max_candidates (128) bounds how many are
# answered, as actions.max_candidates (64) bounds the actions tried. Each run
# scores copies of the deal holding ~3,000 members (so start-up and the timer's
# resolution do not hide small sizes), one thread; CPU milliseconds per deal
# (user + sys, GNU time), best of REPEAT: the machine is shared, and CPU time is
# what a deal costs a worker. With
# DS_BEFORE=PROGRAM an earlier build is measured in the rows above (BUILDS=TEXT
# says which builds they were). Writes
# results/56-questions-committee.md.
set -euo pipefail
. "$HERE/lib.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SIZES=${SIZES:-30 100 300}

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
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["min_swing"]=-1; json.dump(m, open(sys.argv[2],"w"))' \
    "$HERE/../models/default.json" "$WORK/all.json"

LOAD=$(cut -d' ' -f1 /proc/loadavg)
rows=""
measure() { # measure BUILD PROGRAM
    local build=$1 ds=$2 n
    for n in $SIZES; do
        copies=$((3000 / n))
        [ "$copies" -lt 1 ] && copies=1
        python3 "$HERE/gen_committee.py" "$n" | python3 -c '
import json, sys
d = json.loads(sys.stdin.readline())
for k in range(int(sys.argv[1])):
    d["id"] = "committee-%d" % k
    print(json.dumps(d, separators=(",", ":")))' "$copies" >"$WORK/c.jsonl"
        t_plain=$(cpu "$ds" score -q --jobs 1 "$WORK/c.jsonl")
        t_actions=$(cpu "$ds" score -q --jobs 1 --actions "$WORK/c.jsonl")
        t_questions=$(cpu "$ds" score -q --jobs 1 --questions "$WORK/c.jsonl")
        asked=$(head -n 1 "$WORK/c.jsonl" |
            "$ds" score -q --jobs 1 --model "$WORK/all.json" --max-questions 1000 | jq '.questions | length')
        rows="$rows$(awk -v b="$build" -v n="$n" -v c="$copies" -v q="$asked" -v p="$t_plain" -v a="$t_actions" -v x="$t_questions" 'BEGIN {
            printf "| %s | %d | %d | %d | %.2f | %.2f | %.2f | %.1fx |", b, n, c, q, 1000 * p / c, 1000 * a / c, 1000 * x / c, x / a }')
"
    done
}
[ -n "${DS_BEFORE:-}" ] && measure before "$DS_BEFORE"
measure "$([ -n "${DS_BEFORE:-}" ] && echo after || echo this)" "$DS"
{
    echo "## Next best questions on large committees (one thread)"
    echo
    echo "One deal of N members (\`benchmarks/gen_committee.py N\`), scored by the default"
    echo "policy; CPU milliseconds per deal (user + sys), best of ${REPEAT:-3}, each run scoring"
    echo "copies of the deal that hold ~3,000 members."
    echo "Questions answered: every one listed with questions.min_swing below 0 (the"
    echo "listing stops at 1,000)."
    echo
    echo "| build | members | deals per run | questions answered | plain (ms/deal) | --actions (ms/deal) | --questions (ms/deal) | questions / actions |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s' "$rows"
    echo
    [ -n "${BUILDS:-}" ] && echo "Builds: $BUILDS"
    echo "Command: \`${DS_BEFORE:+DS_BEFORE=... }${BUILDS:+BUILDS=... }BENCH=questions_committee benchmarks/run.sh"
    echo "build/dealscore\`. Load average before the runs: $LOAD (CPU time is not inflated"
    echo "by waiting, wall-clock time is)."
} >"$HERE/results/56-questions-committee.md"
cat "$HERE/results/56-questions-committee.md"
