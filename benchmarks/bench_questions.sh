#!/usr/bin/env bash
# bench_questions.sh: the cost of the questions that would change the verdict.
# `dealscore score --questions` against a plain `dealscore score` and against
# `--actions`, all with --jobs 1, on the generated deals bench_actions.sh uses and
# on the same number of deals thinned out like a vanilla CRM export (where most
# fields are not given, so most fields are questions). Wall-clock figures, and
# instruction counts from callgrind on the first deals (not disturbed by other
# work on the machine). The budget is that of --actions; with --questions-exact
# (every answer through the policy) the cost and how often the budget's top
# lists differ from the exact ones. Writes results/55-questions.md.
set -euo pipefail
. "$HERE/lib.sh"
N=${N:-20000}
NCG=${NCG:-200}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
gen_deals "$N" "$WORK/deals.jsonl"
python3 "$HERE/../tests/reference/gen_deals.py" --seed 42 --count "$N" --thin-share 1 >"$WORK/thin.jsonl"
# every question through, to count how many each deal has
# (every one answered: questions.exact; builds before it ignore the key)
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["min_swing"]=-1; m["questions"]["exact"]=True; json.dump(m, open(sys.argv[2],"w"))' \
    "$HERE/../models/default.json" "$WORK/all.json"

# asked KIND FILE: questions per deal (every field not given)
asked() {
    "$DS" score -q --jobs 1 --model "$WORK/all.json" --max-questions 1000 "$1" >"$WORK/all.jsonl" || true
    jq -s '[.[] | select(.questions) | (.questions | length)] | add / length' "$WORK/all.jsonl"
}
# instructions CMD...: callgrind's instruction count of a run
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$@" >/dev/null 2>&1 || true
    callgrind_annotate "$WORK/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}'
}

# top_lists_differ EXACT BUDGET: of the deals, how many list other questions (or
# in another order) under the budget than exact; how many of the questions that
# decide the verdict (verdicts differ) the budget leaves out
top_lists_differ() {
    python3 - "$1" "$2" <<'PY'
import json, sys
exact = [json.loads(l) for l in open(sys.argv[1])]
budget = [json.loads(l) for l in open(sys.argv[2])]
differ = missed = deciding = 0
for e, b in zip(exact, budget):
    fe = [q["field"] for q in e.get("questions", [])]
    fb = {q["field"] for q in b.get("questions", [])}
    differ += fe != [q["field"] for q in b.get("questions", [])]
    for q in e.get("questions", []):
        if q["verdicts"][0] != q["verdicts"][1]:
            deciding += 1
            missed += q["field"] not in fb
print(f"{differ}/{len(exact)} ({missed}/{deciding} deciding left out)")  # scored deals
PY
}

LOAD=$(cut -d' ' -f1 /proc/loadavg) # other work on the machine skews every run
rows=""
# measure BUILD PROGRAM: a table row per kind of deal
measure() {
    local build=$1 ds=$2 kind f
    for kind in deals thin; do
        f="$WORK/$kind.jsonl"
        t_plain=$(best "$ds" score -q --jobs 1 "$f")
        t_actions=$(best "$ds" score -q --jobs 1 --actions "$f")
        t_questions=$(best "$ds" score -q --jobs 1 --questions "$f")
        head -n "$NCG" "$f" >"$WORK/cg.jsonl"
        i_plain=$(instructions "$ds" score -q --jobs 1 "$WORK/cg.jsonl")
        i_actions=$(instructions "$ds" score -q --jobs 1 --actions "$WORK/cg.jsonl")
        i_questions=$(instructions "$ds" score -q --jobs 1 --questions "$WORK/cg.jsonl")
        # --questions-exact (every answer through the policy; builds before the
        # policy-run budget have no such option: their --questions is exact)
        exact_ratio="-" differ="-"
        if "$ds" score -q --jobs 1 --questions-exact "$WORK/cg.jsonl" >"$WORK/exact.jsonl" 2>/dev/null; then
            i_exact=$(instructions "$ds" score -q --jobs 1 --questions-exact "$WORK/cg.jsonl")
            exact_ratio="$(ratio "$i_exact" "$i_actions")x"
            "$ds" score -q --jobs 1 --questions "$WORK/cg.jsonl" >"$WORK/budget.jsonl"
            differ=$(top_lists_differ "$WORK/exact.jsonl" "$WORK/budget.jsonl")
        fi
        n_asked=$(DS=$ds asked "$f")
        label=$([ "$kind" = deals ] && echo "generated deals" || echo "thinned like a CRM export")
        rows="$rows| $build | $label | $(printf '%.1f' "$n_asked") | $t_plain | $t_actions | $t_questions | $(ratio "$t_questions" "$t_plain")x | $(ratio "$t_questions" "$t_actions")x | $(ratio "$i_questions" "$i_plain")x | $(ratio "$i_questions" "$i_actions")x | $exact_ratio | $differ |
"
    done
}
[ -n "${DS_BEFORE:-}" ] && measure before "$DS_BEFORE"
measure "$([ -n "${DS_BEFORE:-}" ] && echo after || echo this)" "$DS"
{
    echo "## Next best questions (one thread)"
    echo
    echo "$N generated deals, and the same number thinned out like a vanilla CRM export"
    echo "(\`gen_deals.py --thin-share 1\`: no stances, convictions or benefits); best of"
    echo "${REPEAT:-3} runs, all with \`--jobs 1\`. Each question answers a field the deal does not"
    echo "give at both ends of its range, each answer a re-analysis of a copy and, unless"
    echo "its scores and everything the policy read are the deal's own, a run of the"
    echo "policy (docs/questions.md). Instructions: callgrind on the first $NCG deals."
    echo
    echo "| build | deals | questions per deal | plain s | --actions s | --questions s | questions / plain | questions / actions | instructions: questions / plain | instructions: questions / actions | instructions: --questions-exact / actions | top lists unlike the exact ones |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    printf '%s' "$rows"
    echo
    echo "Budget: that of --actions (questions / actions at most 1): by default at most"
    echo "as many policy runs per deal as --actions makes, less what the questions spent"
    echo "on analysing their copies; --questions-exact answers every question. Top lists:"
    echo "of the $NCG deals, those whose listed questions (the model's five) differ from"
    echo "--questions-exact's, in the fields or their order; in brackets the questions"
    echo "whose answer decides the verdict that the budget left out. Load average of"
    echo "the machine before the runs: $LOAD. Command: \`${DS_BEFORE:+DS_BEFORE=... }N=$N"
    echo "BENCH=questions benchmarks/run.sh build/dealscore\`."
    if awk -v l="$LOAD" -v c="$(nproc)" 'BEGIN {exit !(l > c)}'; then
        echo "The load average was above the $(nproc) cores: the wall-clock columns are not"
        echo "comparable between rows; the instruction counts are not affected."
    fi
} >"$HERE/results/55-questions.md"
cat "$HERE/results/55-questions.md"
