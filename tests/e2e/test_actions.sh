#!/usr/bin/env bash
# Next best actions (`dealscore score --actions`): every gain is exactly what scoring
# the modified deal gives (the modified deals are rebuilt independently in Python and
# scored through the program), the catalogue is SCORING.md section 6's, policy
# actions work as docs/actions.md says, and the output keeps its promises.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
CHECK="$PY $SRC/tests/e2e/check_actions.py $DS"

# a model that lets every action through, so the whole catalogue is checked
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["actions"]["min_gain"]=-1000; json.dump(m, open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/all.json"
check "examples: gains re-score exactly" $CHECK "$EX" "$TMP/all.json" "$SRC/scripts/default.lua" "$TMP"
$PY "$SRC/tests/reference/gen_deals.py" --seed 61 --count 120 >"$TMP/gen.jsonl"
check "generated deals: gains re-score exactly" $CHECK "$TMP/gen.jsonl" "$TMP/all.json" "$SRC/scripts/default.lua" "$TMP"

# a policy with its own actions() (docs/policies.md, "actions"): declarative patches
cat >"$TMP/custom.lua" <<'EOF'
local p = { name = "custom", version = 3 }
function p.score(deal, s)
  local v = 0.4 * s.capability_roi + 0.3 * s.strategic_roi + 0.3 * s.measurable_roi
    - 0.2 * s.it_resistance - 0.1 * s.user_threat
  for _, d in ipairs(deal:members("decision_makers")) do v = v + 5 * d.predicted_stance end
  v = math.max(0, math.min(100, v))
  local verdict = v >= 70 and "pursue" or v >= 50 and "shape" or v >= 30 and "at_risk" or "walk_away"
  return { viability = v, verdict = verdict, reasons = {},
           factors = { { factor = "all", effect = v, detail = "everything" } } }
end
function p.actions(deal, s)
  local list = {
    { action = "security_review", patch = { solution = { security_risk = 0.1, data_readiness = 0.9 } } },
    { action = "prototype", patch = { solution = { prototype = true, capability = 1 } } },
  }
  local first = deal.stakeholders[1]
  if first then
    list[#list + 1] = { action = "exec_dinner", target = first.id,
      patch = { add_stakeholders = { { id = "new_cfo", can_buy = true, stance = 0.9, influence = 0.9 } },
                relationships = { { from = "new_cfo", to = first.id, type = "influences", strength = 0.9 } },
                stakeholders = { [first.id] = { stance = 1, convinced = { strategic = true } } } } }
  end
  return list
end
return p
EOF
# the expected changes, as docs/policies.md defines them ($FIRST: the deal's first stakeholder)
custom='{"security_review": {"solution": {"security_risk": 0.1, "data_readiness": 0.9}},
  "prototype": {"solution": {"prototype": true, "capability": 1}},
  "exec_dinner": {"add_stakeholders": [{"id": "new_cfo", "can_buy": true, "stance": 0.9, "influence": 0.9}],
    "relationships": [{"from": "new_cfo", "to": "$FIRST", "type": "influences", "strength": 0.9}],
    "stakeholders": {"$FIRST": {"stance": 1, "convinced": {"strategic": true}}}}}'
check "policy actions (one replacing prototype) re-score exactly" \
    $CHECK "$EX" "$TMP/all.json" "$TMP/custom.lua" "$TMP" "$custom"

# actions are computed by the worker that scores the deal: any number of jobs
# gives the same bytes
for jobs in 1 3; do
    "$DS" score -q --jobs $jobs --actions --policy "$TMP/custom.lua" "$TMP/gen.jsonl" >"$TMP/jobs$jobs.jsonl"
done
check "--jobs 3 gives the actions of --jobs 1" cmp -s "$TMP/jobs1.jsonl" "$TMP/jobs3.jsonl"
check "every generated deal has actions" [ "$(grep -c '"actions":\[' "$TMP/jobs3.jsonl")" -eq 120 ]

# a policy's actions() runs under the same budgets as score()
cat >"$TMP/loops.lua" <<'EOF'
local p = { name = "loops", version = 1 }
function p.score(deal, s) return { viability = 50, verdict = "shape", reasons = {} } end
function p.actions(deal, s)
  if deal.id == "KOR-2026-011" then while true do end end
  return {}
end
return p
EOF
expect_exit "actions() past its budget is a deal error" 1 \
    "$DS" score --actions --policy-instructions 200k --policy "$TMP/loops.lua" "$EX"
check "policy_timeout names actions()" contains "$TMP/out" \
    '"id":"KOR-2026-011","error":{"code":"policy_timeout","message":"[^"]*actions()'
check "the other deals get their actions" [ "$(grep -c '"actions":\[' "$TMP/out")" -eq 11 ]

# defaults: at most five, each above 0.05, best first, ties by name; --max-actions
"$DS" score -q --actions "$EX" >"$TMP/default.jsonl"
check "default: at most 5 actions, gains > 0.05, best first" $PY - "$TMP/default.jsonl" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    acts = json.loads(line)["actions"]
    assert len(acts) <= 5, acts
    assert all(a["gain"] > 0.05 for a in acts), acts
    keys = [(-a["gain"], a["action"]) for a in acts]
    assert keys == sorted(keys), acts
EOF
check "some deal has five actions" [ "$(grep -c '"actions":\[\({[^}]*},\)\{4\}{' "$TMP/default.jsonl")" -ge 1 ]
"$DS" score -q --max-actions 2 "$EX" >"$TMP/two.jsonl"
check "--max-actions 2 implies --actions, keeps the two best" $PY - "$TMP/two.jsonl" "$TMP/default.jsonl" <<'EOF'
import json, sys
two = [json.loads(l)["actions"] for l in open(sys.argv[1])]
five = [json.loads(l)["actions"] for l in open(sys.argv[2])]
assert all(t == f[:2] for t, f in zip(two, five)), (two, five)
EOF
"$DS" score -q "$EX" >"$TMP/plain.jsonl"
check "no actions without --actions" bash -c "! grep -q '\"actions\"' '$TMP/plain.jsonl'"
check "results with actions match result.schema.json" \
    $PY "$SRC/tests/e2e/check_schema.py" "$SRC/models/result.schema.json" "$TMP/default.jsonl"
check "gains are at most two decimals" bash -c "! grep -Eq '\"gain\":-?[0-9]+\.[0-9]{3}' '$TMP/default.jsonl'"
check "an override deal still gets actions (measured before the override)" \
    contains "$TMP/default.jsonl" '"id":"BWU-2026-009".*"actions":\[{"action"'

# usage and setup errors
expect_exit "--max-actions not a count" 2 "$DS" score --max-actions lots "$EX"
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); del m["actions"]["relate_strength"]; json.dump(m, open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/noaction.json"
expect_exit "model without actions.relate_strength" 2 "$DS" score --actions --model "$TMP/noaction.json" "$EX"
check "the missing key is named" contains "$TMP/err" "actions.relate_strength"
expect_exit "that model still scores without --actions" 0 "$DS" score --model "$TMP/noaction.json" "$EX"

# a policy action that makes an invalid deal: policy_error naming action and path,
# the other deals are scored
cat >"$TMP/bad.lua" <<'EOF'
local p = { name = "bad", version = 1 }
function p.score(deal, s) return { viability = 50, verdict = "shape", reasons = {} } end
function p.actions(deal, s)
  if deal.id ~= "KOR-2026-011" then return {} end
  return { { action = "overdo", patch = { stakeholders = { hughes = { stance = 3 } } } } }
end
return p
EOF
expect_exit "invalid policy action is a deal error" 1 "$DS" score --actions --policy "$TMP/bad.lua" "$EX"
check "policy_error names the action and the path" contains "$TMP/out" \
    '"id":"KOR-2026-011","error":{"code":"policy_error","message":"[^"]*action overdo[^"]*stakeholders\[[0-9]\].stance'
check "the other deals are scored" [ "$(grep -c '"verdict"' "$TMP/out")" -eq 11 ]
printf 'return {name="b", version=1, score=function() return {viability=1, verdict="walk_away"} end,\n actions=function() return {{target="x"}} end}\n' >"$TMP/noname.lua"
expect_exit "an action without a name" 1 "$DS" score --actions --policy "$TMP/noname.lua" "$EX"
check "says what is missing" contains "$TMP/out" 'actions() returned, in item 1, an action without a name'

finish
