#!/usr/bin/env bash
# The questions that would change the verdict (`dealscore score --questions`,
# docs/questions.md): a worked example whose ranking follows from the model, every
# question re-scored independently (the answer written into the deal and scored
# through the program), with the default policy and with one that reads fields the
# default one does not, through --jobs, explain and the service.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
CHECK="$PY $SRC/tests/e2e/check_questions.py $DS"

# The worked example: the solution gives everything but capability and prototype;
# the CFO (buyer and champion) gives everything; Jonas Schreiber (IT) everything but
# his stance; Sam, an analyst in no set and tied to nobody, gives nothing.
# - capability 0..1 adds up to 35 points of value (0.35 x 100, the CFO convinced):
#   the largest swing, and its low end is the deal as it stands (0 is the default);
# - Schreiber's stance moves IT resistance (opposition, the IT champion mitigation):
#   a few points;
# - a prototype multiplies viability by 1.05: a swing of 5% of the deal's viability;
# - nothing about Sam can move viability under the default policy: not asked.
$PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' \
    "$SRC/tests/e2e/questions/worked.json" >"$TMP/worked.jsonl"
"$DS" score -q --questions "$TMP/worked.jsonl" >"$TMP/worked.out"
check "worked example: capability, then Schreiber's stance, then prototype" $PY - "$TMP/worked.out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
q = r["questions"]
v = r["scores"]["viability"]
band = lambda x: "pursue" if x >= 70 else "shape" if x >= 50 else "at_risk" if x >= 30 else "walk_away"
assert [x["field"] for x in q] == ["$.solution.capability", "$.stakeholders[1].stance",
                                   "$.solution.prototype"], q
assert not any(x["stakeholder"] == "sam" for x in q), q
cap, stance, proto = q
assert cap["answers"] == [0, 1] and cap["low"] == v and cap["stakeholder"] is None, cap
assert 20 < cap["swing"] <= 35, cap
assert stance["stakeholder"] == "schreiber" and stance["answers"] == [-1, 1], stance
assert stance["question"] == "Find out where Jonas Schreiber (Head of ERP Applications) stands"
assert proto["answers"] == [False, True] and proto["low"] == v, proto
assert abs(proto["swing"] - 0.05 * v) < 0.06, proto
for x in q:
    assert x["verdicts"] == [band(x["low"]), band(x["high"])], x
assert cap["verdicts"][0] != cap["verdicts"][1], "the capability case decides the verdict"
PY
"$DS" score -q --max-questions 1 "$TMP/worked.jsonl" >"$TMP/one.out"
check "--max-questions 1: the largest swing only" $PY -c '
import json, sys; q = json.load(open(sys.argv[1]))["questions"]
assert [x["field"] for x in q] == ["$.solution.capability"], q' "$TMP/one.out"
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["min_swing"]=30; json.dump(m,open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/high.json"
"$DS" score -q --questions --model "$TMP/high.json" "$TMP/worked.jsonl" >"$TMP/high.out"
check "a swing at or below the model's min_swing is not asked" \
    $PY -c 'import json, sys; assert json.load(open(sys.argv[1]))["questions"] == []' "$TMP/high.out"

# Every question, re-scored independently: the answer written at its path (marked
# inferred, so coverage stays) and scored through the program gives low and high.
# questions.exact: every question answered, whatever the policy runs cost.
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["min_swing"]=-1; m["questions"]["exact"]=True; json.dump(m,open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/all.json"
$PY "$SRC/tests/reference/gen_deals.py" --seed 71 --count 60 >"$TMP/gen.jsonl"
$PY "$SRC/tests/reference/gen_deals.py" --seed 72 --count 60 --thin-share 1 >"$TMP/thin.jsonl"
cat "$TMP/worked.jsonl" "$EX" "$TMP/gen.jsonl" "$TMP/thin.jsonl" >"$TMP/mix.jsonl"
check "default policy: every answer re-scores exactly" \
    $CHECK "$TMP/mix.jsonl" "$TMP/all.json" "$SRC/scripts/default.lua" "$TMP"

# A policy that reads what the default one does not (anyone's ai_interest, burden,
# influence, benefits, coverage, predicted stances): skipping copies must still be exact.
cat >"$TMP/curious.lua" <<'LUA'
local p = { name = "curious", version = 1 }
function p.score(deal, s)
  local v = 0.3 * s.capability_roi + 0.3 * s.strategic_roi + 0.2 * s.measurable_roi
    - 0.1 * s.it_resistance - 0.1 * s.user_threat + 10 * deal.coverage
  for _, h in ipairs(deal.stakeholders) do
    v = v + 3 * h.ai_interest - 2 * h.burden + 2 * h.influence + h.benefits_career
      + 2 * h.predicted_stance + (h.convinced_measurable and 1 or 0)
  end
  local sol = deal.solution
  if sol.it_career then v = v + 4 * sol.it_career end
  v = math.max(0, math.min(100, v))
  local verdict = v >= 70 and "pursue" or v >= 50 and "shape" or v >= 30 and "at_risk" or "walk_away"
  return { viability = v, verdict = verdict, reasons = {} }
end
return p
LUA
check "a policy reading other fields: every answer re-scores exactly" \
    $CHECK "$TMP/mix.jsonl" "$TMP/all.json" "$TMP/curious.lua" "$TMP"

# The default: at most as many policy runs as --actions makes on the deal. The
# budget decides which questions are answered, never how: every question the
# budgeted run lists is the exact run's, number for number, and what it leaves
# out is answered by the exact run only.
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["exact"]=False; json.dump(m,open(sys.argv[2],"w"))' \
    "$TMP/all.json" "$TMP/budget.json"
for pol in default curious; do
    p=$([ $pol = default ] && echo "$SRC/scripts/default.lua" || echo "$TMP/curious.lua")
    "$DS" score -q --model "$TMP/all.json" --max-questions 1000 -p "$p" "$TMP/mix.jsonl" >"$TMP/exact_$pol.out"
    "$DS" score -q --model "$TMP/budget.json" --max-questions 1000 -p "$p" "$TMP/mix.jsonl" >"$TMP/budget_$pol.out"
    check "$pol policy: a budgeted question is the exact one" $PY - "$TMP/exact_$pol.out" "$TMP/budget_$pol.out" <<'PY'
import json, sys
exact = [json.loads(l) for l in open(sys.argv[1])]
budget = [json.loads(l) for l in open(sys.argv[2])]
assert len(exact) == len(budget)
fewer = 0
for e, b in zip(exact, budget):
    by_field = {q["field"]: q for q in e["questions"]}
    for q in b["questions"]:
        assert by_field.get(q["field"]) == q, (b["id"], q, by_field.get(q["field"]))
    fewer += len(b["questions"]) < len(e["questions"])
assert fewer > 0, "the budget never bound: the test shows nothing"
PY
done
check "--questions-exact is questions.exact" $PY -c '
import sys; assert open(sys.argv[1]).read() == open(sys.argv[2]).read()' "$TMP/exact_default.out" \
    <("$DS" score -q --model "$TMP/budget.json" --max-questions 1000 --questions-exact "$TMP/mix.jsonl")

# The budget is honoured: a policy that reads everything (so no answer is decided
# without it) counts its own runs; the second deal's reason says how many the first
# deal took. With --questions the first deal takes no more runs than with
# --actions; with --questions-exact (every answer) far more.
$PY - "$TMP/thin.jsonl" "$TMP/runs.jsonl" <<'PY'
import json, sys
# the CRM-like deal (most fields not given) with the largest committee: its
# actions are many, so the budget is theirs, not the floor of a small deal's
d = max((json.loads(l) for l in open(sys.argv[1])), key=lambda d: len(d.get("stakeholders") or []))
with open(sys.argv[2], "w") as f:
    f.write(json.dumps(d) + "\n")
    f.write(json.dumps({"id": "marker", "stakeholders": [{"id": "m", "level": "vp"}]}) + "\n")
PY
cat >"$TMP/runs.lua" <<'LUA'
local p = { name = "runs", version = 1 }
local runs = 0
function p.score(deal, s)
  runs = runs + 1
  local v = 0.3 * s.capability_roi + 0.3 * s.strategic_roi + 0.2 * s.measurable_roi
  for _, h in ipairs(deal.stakeholders) do
    v = v + h.influence + h.stance + h.benefits_work + h.benefits_career + h.ai_interest
      + h.burden + h.credibility_threat + (h.convinced_capability and 1 or 0)
      + (h.convinced_strategic and 1 or 0) + (h.convinced_measurable and 1 or 0)
  end
  return { viability = math.max(0, math.min(100, v)), verdict = "shape", reasons = { "runs_" .. runs } }
end
return p
LUA
runs() { # runs OPTION: policy runs of the first deal of runs.jsonl (its own, and its copies)
    "$DS" score -q --jobs 1 "$1" -p "$TMP/runs.lua" "$TMP/runs.jsonl" |
        $PY -c 'import json,sys; print(int(json.loads(sys.stdin.readlines()[1])["reasons"][0][5:]) - 1)'
}
r_actions=$(runs --actions)
r_questions=$(runs --questions)
r_exact=$(runs --questions-exact)
check "--questions runs the policy no more than --actions ($r_questions <= $r_actions)" \
    test "$r_questions" -le "$r_actions"
check "--questions-exact runs it for every answer ($r_exact > 2 x $r_actions)" \
    test "$r_exact" -gt $((2 * r_actions))
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["exact"]="yes"; json.dump(m,open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/badexact.json"
expect_exit "a questions.exact that is not a boolean is a setup error" 2 \
    "$DS" score -q --questions --model "$TMP/badexact.json" "$TMP/runs.jsonl"
check "the error names questions.exact" contains "$TMP/err" "questions.exact"

# A committee of 200 has about a thousand questions: at most questions.max_candidates
# (128) are answered, those about the solution and decision makers first.
$PY "$SRC/benchmarks/gen_committee.py" 200 --sparse >"$TMP/c200.jsonl"
"$DS" score -q --model "$TMP/all.json" --max-questions 1000 "$TMP/c200.jsonl" >"$TMP/c200.out"
check "a committee: at most 128 questions answered" $PY -c '
import json, sys
r = json.load(open(sys.argv[1])); d = json.loads(open(sys.argv[2]).readline())
q = r["questions"]
assert len(q) == 128, len(q)
buyers = {i for i, s in enumerate(d["stakeholders"]) if s.get("can_buy")}
asked = {int(x["field"].split("[")[1].split("]")[0]) for x in q if x["stakeholder"]}
assert buyers <= asked, sorted(buyers - asked)' "$TMP/c200.out" "$TMP/c200.jsonl"
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["max_candidates"]=int(sys.argv[3]); json.dump(m,open(sys.argv[2],"w"))' \
    "$TMP/all.json" "$TMP/five.json" 5
"$DS" score -q --model "$TMP/five.json" --max-questions 1000 "$TMP/c200.jsonl" >"$TMP/five.out"
check "questions.max_candidates is the model's" $PY -c '
import json, sys; assert len(json.load(open(sys.argv[1]))["questions"]) == 5' "$TMP/five.out"
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["max_candidates"]=-1; json.dump(m,open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/bad.json"
expect_exit "a bad questions.max_candidates is a setup error" 2 \
    "$DS" score -q --questions --model "$TMP/bad.json" "$TMP/c200.jsonl"
check "the error names the key" contains "$TMP/err" "questions.max_candidates"

# What a copy costs (every answer: --questions-exact): a question whose answer
# moves no core score and nothing the policy reads is decided without running the policy, also for a policy that asks
# deal:has_warning() (as the default one does). A policy that counts its own runs
# shows, in the second deal's reasons, how many runs the first deal's questions
# took; one that calls a method whose answer a copy may change (inferred) runs for
# every answer, which shows that the count can tell the difference.
$PY - "$SRC/tests/e2e/questions/worked.json" "$TMP/two.jsonl" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["solution"].update(capability=0.5, prototype=False)  # only Sam (no set, no ties) is asked
d["stakeholders"][1]["stance"] = -0.2
with open(sys.argv[2], "w") as f:
    for i in (1, 2):
        d["id"] = "W-%d" % i
        f.write(json.dumps(d) + "\n")
PY
counted() { # counted NAME LUA-LINE: the policy runs of the first deal and its questions
    cat >"$TMP/$1.lua" <<LUA
local p = { name = "count", version = 1 }
local runs = 0
function p.score(deal, s)
  runs = runs + 1
  local v = 0.5 * s.capability_roi + 0.5 * s.strategic_roi - 0.2 * s.it_resistance
  $2
  return { viability = v, verdict = "shape", reasons = { "runs_" .. runs } }
end
return p
LUA
    "$DS" score -q --jobs 1 --questions-exact -p "$TMP/$1.lua" "$TMP/two.jsonl" |
        $PY -c 'import json,sys; print(json.loads(sys.stdin.readlines()[1])["reasons"][0][5:])'
}
plain=$(counted plain "")
warned=$(counted warned 'if deal:has_warning("low_coverage") then v = 40 end')
opaque=$(counted opaque 'if deal.stakeholders[1]:inferred("stance") then v = 40 end')
check "deal:has_warning() costs no policy runs for questions ($warned vs $plain)" \
    test "$warned" -eq "$plain"
check "an opaque method runs the policy for every answer ($opaque vs $plain)" \
    test "$opaque" -gt $((plain + 10))

# The worker that scores a deal asks its questions: any number of jobs, same bytes.
for jobs in 1 2; do
    "$DS" score -q --jobs $jobs --actions --questions "$TMP/mix.jsonl" >"$TMP/jobs$jobs.jsonl"
done
check "--jobs 2 gives the questions of --jobs 1" cmp -s "$TMP/jobs1.jsonl" "$TMP/jobs2.jsonl"
check "questions come after actions" $PY -c '
import json, sys
for line in open(sys.argv[1]):
    keys = list(json.loads(line))
    assert keys[-2:] == ["actions", "questions"], keys' "$TMP/jobs2.jsonl"

# usage
expect_exit "--questions with --format table" 2 "$DS" score --questions --format table "$EX"
check "--questions with a table is said" contains "$TMP/err" "--questions"
expect_exit "--max-questions takes a count" 2 "$DS" score --max-questions lots "$EX"
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["min_swing"]="small"; json.dump(m,open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/broken.json"
expect_exit "a broken questions section is a setup error" 2 "$DS" score --questions --model "$TMP/broken.json" "$EX"
check "the broken key is named" contains "$TMP/err" "questions.min_swing"

# explain: "What to find out", in words, with the viabilities and the verdicts
"$DS" explain --id W-1 "$TMP/worked.jsonl" >"$TMP/explain.txt"
check "explain lists what to find out" contains "$TMP/explain.txt" "What to find out"
check "explain words a question" contains "$TMP/explain.txt" \
    "Find out where Jonas Schreiber (Head of ERP Applications) stands: viability 26.4 to 31.7, walk_away to at_risk"
"$DS" explain --max-questions 1 --id W-1 "$TMP/worked.jsonl" >"$TMP/explain1.txt"
check "explain --max-questions 1" [ "$(grep -c '^ *[0-9.]*  Find out' "$TMP/explain1.txt")" -eq 1 ]

# A deal too little is known about (low_coverage, insufficient_data): explain leads
# with what to find out, right after the verdict and what is not known.
$PY - "$EX" >"$TMP/crm.jsonl" <<'PY'
import json, sys
keep = ("id", "name", "title", "function", "level", "roles", "can_buy", "last_contact")
for line in open(sys.argv[1]):
    d = json.loads(line)
    d = {"id": d["id"], "name": d["name"], "as_of": d.get("as_of"),
         "stakeholders": [{k: s[k] for k in keep if k in s} for s in d["stakeholders"]],
         "relationships": d.get("relationships", [])}
    print(json.dumps(d))
PY
"$DS" explain --id NBM-2026-014 "$TMP/crm.jsonl" >"$TMP/crm.txt"
check "a low-coverage deal's explain leads with its questions" $PY - "$TMP/crm.txt" <<'PY'
import sys
text = open(sys.argv[1]).read()
assert "insufficient_data" in text, text
verdict, unknown = text.find("Verdict:"), text.find("Too little is known")
ask, factors = text.find("What to find out"), text.find("What moves each score")
assert 0 <= verdict < unknown < ask < factors, text
assert text.count("What to find out") == 1, text
assert "Find out the measurable case (annual benefit, cost, payback, confidence)" in text, text
PY

# The service: op questions answers the result line of score --questions.
start_server "$TMP/server.log" || fail "server did not start: $(cat "$TMP/server.log")"
head -n 20 "$TMP/mix.jsonl" >"$TMP/some.jsonl"
"$DS" score -q --questions "$TMP/some.jsonl" >"$TMP/some.expected"
check "op questions answers as score --questions" $PY - "$PORT" "$TMP/some.jsonl" "$TMP/some.expected" "$SRC/tests/e2e" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[4])
from server_client import Client
port, deals, expected = int(sys.argv[1]), open(sys.argv[2]).read().splitlines(), sys.argv[3]
c = Client(port)
for i, (deal, want) in enumerate(zip(deals, open(expected))):
    r = c.call('{"op": "questions", "id": %d, "deal": %s}' % (i, deal))
    assert r["id"] == i and r["result"] == json.loads(want), (r, want)
    assert "questions" in r["result"]
r = c.call({"op": "stats", "id": "s"})
assert r["stats"]["requests"]["questions"] == len(deals), r
c.close()
PY
finish
