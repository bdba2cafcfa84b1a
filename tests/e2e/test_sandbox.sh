#!/usr/bin/env bash
# The policy sandbox and budgets: escapes from Redis' scripting tests and our own
# fail, policies sharing one state cannot meet, a policy that loops or eats memory
# ends only its own deal, and errors name the file and line.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
SB=$SRC/tests/policy/sandbox
first_lines() { head -n "$1" "$EX"; }

# every escape attempt fails; on the second deal the kept view is stale
first_lines 3 >"$TMP/three.jsonl"
expect_exit "escapes policy scores" 0 "$DS" score -q --policy "$SB/escapes.lua" "$TMP/three.jsonl"
check "no escape got through" [ "$(grep -c '"reasons":\[\]' "$TMP/out")" -eq 3 ]
[ "$(grep -c '"reasons":\[\]' "$TMP/out")" -eq 3 ] || head -n 3 "$TMP/out" >&2

# two policies in one worker (each in a Lua state of its own): what one tries does not reach the other
first_lines 4 | $PY -c '
import json, sys
for i, line in enumerate(sys.stdin):
    d = json.loads(line); d["policy"] = "escapes" if i % 2 == 0 else "other"; print(json.dumps(d))
' >"$TMP/mixed.jsonl"
expect_exit "two policies, one state" 0 "$DS" score -q --policy "escapes=$SB/escapes.lua" \
    --policy "other=$SB/other.lua" "$TMP/mixed.jsonl"
check "escapes then other" [ "$(grep -c '"policy":"other@1","model":"default@1".*"reasons":\[\]' "$TMP/out")" -eq 2 ]
check "escapes held in the shared state" [ "$(grep -c '"policy":"escapes@1".*"reasons":\[\]' "$TMP/out")" -eq 2 ]

# require: the policy's own folder only, cached
expect_exit "require from the policy's folder" 0 "$DS" score -q --policy "$SB/uses_require.lua" "$TMP/three.jsonl"
check "module result used" contains "$TMP/out" '"policy":"uses_require@1.2".*"viability":40.0'

expect_exit "a broken module fails the same way twice" 0 "$DS" score -q --policy "$SB/require_twice.lua" "$TMP/three.jsonl"
check "broken module error, twice" contains "$TMP/out" '"reasons":\["[^"]*lib/broken.lua:2: broken module","[^"]*lib/broken.lua:2: broken module"\]'

# a forgotten `local` fails at load, with file:line
expect_exit "global assignment at load" 2 "$DS" score -q --policy "$SB/global_write.lua" "$TMP/three.jsonl"
check "global write names file:line" contains "$TMP/err" "global_write.lua:2: assignment to global 'counter'"
# an undefined global is an error for that deal, with file:line
expect_exit "undefined global" 1 "$DS" score -q --policy "$SB/typo.lua" "$TMP/three.jsonl"
check "undefined global names file:line" contains "$TMP/out" "typo.lua:5: undefined global 'mth'"
# syntax errors: file:line, from score and from check
expect_exit "syntax error (score)" 2 "$DS" score -q --policy "$SB/syntax.lua" "$TMP/three.jsonl"
check "syntax error names file:line" contains "$TMP/err" "syntax.lua:4:"
expect_exit "syntax error (check)" 1 "$DS" check "$SB/syntax.lua"
check "check names file:line" contains "$TMP/err" "syntax.lua:4:"
# print goes to stderr, results stay clean
expect_exit "print" 0 "$DS" score -q --policy "$SB/prints.lua" "$TMP/three.jsonl"
check "print on stderr" contains "$TMP/err" "policy: looking at	NBM-2026-014"
check "results stay JSON" [ "$(grep -vc '^{' "$TMP/out")" -eq 0 ]

# budgets: each misbehaving deal ends alone, the deal after it scores normally
first_lines 11 | $PY -c '
import json, sys
bad = {1: "loop", 3: "loop_pcall", 5: "memory", 7: "memory_pcall", 9: "string"}
for i, line in enumerate(sys.stdin):
    d = json.loads(line)
    if i in bad: d["misbehave"] = bad[i]
    print(json.dumps(d))
' >"$TMP/budget.jsonl"
expect_exit "budgets" 1 "$DS" score --policy "$SB/budget.lua" --policy-instructions 5M \
    --policy-memory 16 "$TMP/budget.jsonl"
line() { sed -n "$1p" "$TMP/out"; }
check "loop is policy_timeout" bash -c "sed -n 2p '$TMP/out' | grep -q '\"code\":\"policy_timeout\".*budget.lua: score() ran past its budget of 5000000'"
check "pcall cannot swallow the timeout" bash -c "sed -n 4p '$TMP/out' | grep -q '\"code\":\"policy_timeout\"'"
check "memory is policy_memory" bash -c "sed -n 6p '$TMP/out' | grep -q '\"code\":\"policy_memory\".*16 MB'"
check "pcall cannot swallow the memory error" bash -c "sed -n 8p '$TMP/out' | grep -q '\"code\":\"policy_memory\"'"
check "a huge string is policy_memory" bash -c "sed -n 10p '$TMP/out' | grep -q '\"code\":\"policy_memory\"'"
check "every other deal scored normally" [ "$(grep -c '"reasons":\["normal"\]' "$TMP/out")" -eq 6 ]
check "summary counts 5 errors" contains "$TMP/err" "11 deals, 6 scored, 5 errors"
# the same limits from the model's runtime section
$PY -c '
import json, sys
m = json.load(open(sys.argv[1])); m["runtime"] = {"instruction_budget": 5000000, "memory_limit_mb": 16}
json.dump(m, open(sys.argv[2], "w"))' "$SRC/models/default.json" "$TMP/model.json"
expect_exit "budgets from the model" 1 "$DS" score -q -m "$TMP/model.json" --policy "$SB/budget.lua" "$TMP/budget.jsonl"
check "model budget: timeout" bash -c "sed -n 2p '$TMP/out' | grep -q 'policy_timeout.*5000000'"
check "model budget: memory" bash -c "sed -n 6p '$TMP/out' | grep -q 'policy_memory.*16 MB'"
$PY -c '
import json, sys
m = json.load(open(sys.argv[1])); m["runtime"] = {"instruction_budget": "lots"}
json.dump(m, open(sys.argv[2], "w"))' "$SRC/models/default.json" "$TMP/badmodel.json"
expect_exit "bad runtime section" 2 "$DS" score -q -m "$TMP/badmodel.json" "$TMP/three.jsonl"
check "bad runtime key named" contains "$TMP/err" "runtime.instruction_budget"
expect_exit "bad --policy-instructions" 2 "$DS" score --policy-instructions lots "$TMP/three.jsonl"
expect_exit "bad --policy-memory" 2 "$DS" score --policy-memory -3 "$TMP/three.jsonl"
# a policy that loops while loading is stopped too
printf 'while true do end\n' >"$TMP/hang.lua"
expect_exit "loop at load" 2 "$DS" score --policy "$TMP/hang.lua" --policy-instructions 1M "$TMP/three.jsonl"
check "loop at load named" contains "$TMP/err" "hang.lua: loading ran past its instruction budget"
finish
