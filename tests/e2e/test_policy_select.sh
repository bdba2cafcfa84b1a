#!/usr/bin/env bash
# Policies per segment (--policy NAME=FILE, the deal's policy field,
# --policy-field) and `dealscore check` with its contract.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
SB=$SRC/tests/policy/sandbox
DEF=$SRC/scripts/default.lua
cat >"$TMP/flat.lua" <<'LUA'
return { name = "flat", version = 3,
  score = function(deal, scores) return { viability = 42, verdict = "at_risk", reasons = { "flat" } } end }
LUA

# deals naming policies: none (default), "flat", "default", an unknown one, a number
head -n 5 "$EX" | $PY -c '
import json, sys
picks = [None, "flat", "default", "gold", 7]
for pick, line in zip(picks, sys.stdin):
    d = json.loads(line)
    if pick is not None: d["policy"] = pick
    d["segment"] = "flat" if pick == "flat" else None
    print(json.dumps(d))
' >"$TMP/segments.jsonl"
expect_exit "named policies" 1 "$DS" score -q --policy "flat=$TMP/flat.lua" "$TMP/segments.jsonl"
check "no field: default policy" bash -c "sed -n 1p '$TMP/out' | grep -q '\"policy\":\"default@1\"'"
check "policy field picks flat" bash -c "sed -n 2p '$TMP/out' | grep -q '\"policy\":\"flat@3\".*\"viability\":42.0'"
check "default by name" bash -c "sed -n 3p '$TMP/out' | grep -q '\"policy\":\"default@1\"'"
sed -n 4p "$TMP/out" >"$TMP/row4"
check "unknown policy is an error naming it" grep -qF 'segments.jsonl:4: no policy named \"gold\" (policies: flat, default)","path":"$.policy"' "$TMP/row4"
check "unknown policy code" grep -qF '"code":"unknown_policy"' "$TMP/row4"
check "non-string policy is bad_type" bash -c "sed -n 5p '$TMP/out' | grep -q '\"code\":\"bad_type\".*\"path\":\"\$.policy\"'"
check "error results match the schema" $PY "$SRC/tests/e2e/check_schema.py" "$SRC/models/result.schema.json" "$TMP/out" >/dev/null
# the same with an explicit default and another field
expect_exit "--policy-field" 0 "$DS" score -q --policy "$DEF" --policy "flat=$TMP/flat.lua" \
    --policy-field segment "$TMP/segments.jsonl"
check "segment field picks" [ "$(grep -c '"policy":"flat@3"' "$TMP/out")" -eq 1 ]
# a plain --policy FILE replaces the default; deals' policy fields are not read then
expect_exit "plain --policy ignores the field" 0 "$DS" score -q --policy "$TMP/flat.lua" "$TMP/segments.jsonl"
check "all flat" [ "$(grep -c '"policy":"flat@3"' "$TMP/out")" -eq 5 ]
expect_exit "bad NAME=" 2 "$DS" score --policy "=x.lua" "$EX"
expect_exit "a named policy that does not load" 2 "$DS" score --policy "gold=$SB/syntax.lua" "$EX"
check "its file:line" contains "$TMP/err" "syntax.lua:4:"

# check: the bundled default policy keeps the contract on the bundled examples
expect_exit "check default" 0 "$DS" check "$DEF"
check "check prints each deal" [ "$(grep -c '^ok ' "$TMP/out")" -eq "$(grep -c . "$EX")" ]
check "check prints the verdict" contains "$TMP/out" "NBM-2026-014 .*pursue"
expect_exit "check help" 0 "$DS" check --help
expect_exit "check without policy" 2 "$DS" check
expect_exit "check missing deals file" 2 "$DS" check "$DEF" "$TMP/nope.jsonl"
# contract breaches fail the check (exit 1) and say what was wrong
breach() { # NAME LUA-EXPRESSION-RETURNED EXPECTED-MESSAGE
    printf 'return { name = "b", version = 1, score = function(deal, s) return %s end }\n' "$2" >"$TMP/$1.lua"
    expect_exit "check $1" 1 "$DS" check -q "$TMP/$1.lua"
    check "check $1 says why" contains "$TMP/out" "$3"
}
breach viability_high '{ viability = 150, verdict = "pursue" }' "viability that is not a number in 0..100"
breach viability_string '{ viability = "50", verdict = "shape" }' "viability that is not a number in 0..100"
breach viability_nan '{ viability = 0/0, verdict = "shape" }' "viability that is not a number in 0..100"
breach verdict '{ viability = 50, verdict = "maybe" }' "verdict that is not pursue, shape, at_risk, walk_away or insufficient_data"
breach reasons '{ viability = 50, verdict = "shape", reasons = { 1 } }' "reasons that are not a list of strings"
breach nothing 'nil' "score() returned no table"
breach raises 'error("boom")' "b_raises.lua:1: boom\|raises.lua:1: boom"
breach raises_plain 'error("plain", 0)' "raises_plain.lua: score(): plain"
breach raises_table 'error({})' "raises_table.lua: score() raised an error that is not a string"
breach metatable 'setmetatable({}, { __index = function() while true do end end })' "a table with a metatable"
printf 'return { name = "b", score = function() end }\n' >"$TMP/noversion.lua"
expect_exit "check no version" 1 "$DS" check "$TMP/noversion.lua"
check "names the missing key" contains "$TMP/err" "needs version"
# custom actions: the shape is checked
act() { # NAME ACTIONS-EXPRESSION
    printf 'return { name = "a", version = 1, score = function() return { viability = 1, verdict = "walk_away" } end,\n actions = function(deal, s) return %s end }\n' "$2" >"$TMP/$1.lua"
}
act good '{ { action = "exec_briefing", target = deal.stakeholders[1].id, patch = { stakeholders = { [deal.stakeholders[1].id] = { stance = 1 } }, solution = { prototype = true } } } }'
expect_exit "check good actions" 0 "$DS" check "$TMP/good.lua"
check "actions listed" contains "$TMP/out" 'action exec_briefing -> okafor {"stakeholders":{"okafor":{"stance":1}},"solution":{"prototype":true}}\|action exec_briefing -> okafor {"solution":{"prototype":true},"stakeholders":{"okafor":{"stance":1}}}'
act noname '{ { patch = {} } }'
expect_exit "check action without name" 1 "$DS" check "$TMP/noname.lua"
check "says name" contains "$TMP/out" "an action without a name"
act badkey '{ { action = "x", patch = { budget = 1 } } }'
expect_exit "check action bad patch key" 1 "$DS" check "$TMP/badkey.lua"
act unknownid '{ { action = "x", patch = { stakeholders = { nobody = { stance = 1 } } } } }'
expect_exit "check action unknown stakeholder" 1 "$DS" check "$TMP/unknownid.lua"
check "says stakeholders" contains "$TMP/out" "patch.stakeholders"
act invalid '{ { action = "overdo", patch = { stakeholders = { [deal.stakeholders[1].id] = { stance = 3 } } } } }'
expect_exit "check action whose patch makes an invalid deal" 1 "$DS" check "$TMP/invalid.lua"
check "says which action, code and path" contains "$TMP/out" "action overdo makes an invalid deal: .*out_of_range at \$.stakeholders\[0\].stance"
act newpeople '{ { action = "hire", patch = { add_stakeholders = { { id = "new_cfo", can_buy = true } }, relationships = { { from = "new_cfo", to = deal.stakeholders[1].id, type = "influences", strength = 0.5 } }, deal = { stage = "proposal" } } } }'
expect_exit "check add_stakeholders, relationships and deal" 0 "$DS" check "$TMP/newpeople.lua"
act notlist '{ { action = "x", patch = { relationships = { first = { from = "a" } } } } }'
expect_exit "check relationships that are not a list" 1 "$DS" check "$TMP/notlist.lua"
check "says list" contains "$TMP/out" "in item 1, patch.relationships or patch.add_stakeholders that is not a list"
act func '{ { action = "x", patch = { solution = { f = print } } } }'
expect_exit "check action function value" 1 "$DS" check "$TMP/func.lua"
check "says function" contains "$TMP/out" "a function value"
finish
