#!/usr/bin/env bash
# Bad input: the input reader's own edge cases: broken arrays, over-long lines,
# huge committees, the per-deal memory limit. (JSONTestSuite and the naughty
# strings: test_badinput_corpora.sh.)
. "$(dirname "$0")/lib.sh"
V='{"id":"next","stakeholders":[{"id":"a","can_buy":true}]}'

# score STREAM...: scores the concatenated arguments from stdin into $TMP/out
score() { printf '%s' "$@" | "$DS" score -q "${OPTS[@]}" - >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
lines() { grep -c . "$TMP/out"; }
OPTS=()

# an array then JSONL: both are read
score "[$V]" $'\n' '{"id":"two"}' $'\n'
check "array then JSONL: two lines" [ "$(lines)" -eq 2 ]
check "array then JSONL: JSONL deal read" contains "$TMP/out" '"id":"two","policy"'
# a later line that is an array is one bad deal, as in JSONL
score '{"id":"one"}' $'\n' "[$V]" $'\n'
check "array line in JSONL is bad_type" contains "$TMP/out" '"code":"bad_type"'
# a line break inside a string abandons the array; the next line is read again
score $'["broken\n' "$V" $'\n'
check "newline in string: bad_json names the element" contains "$TMP/out" '"code":"bad_json","message":"<stdin>:1 element 1: not valid JSON: a line ends inside a string'
check "newline in string: next deal scored" contains "$TMP/out" '"id":"next","policy"'
# a missing comma in a one-deal-per-line array: the deals after it are salvaged
score "[$V" $'\n' '{"id":"after"},' $'\n' '  "stray": 1,' $'\n' '{"id":"last"}]' $'\n'
check "missing comma: error" contains "$TMP/out" "where ',' or ']' should follow"
check "missing comma: the deals on the next lines are read" [ "$(grep -c '"id":"after","policy"\|"id":"last","policy"' "$TMP/out")" -eq 2 ]
check "missing comma: one bad_json, stray line skipped" [ "$(grep -c bad_json "$TMP/out")" -eq 1 ]
# a truncated pretty-printed export: its complete deals are scored
printf '[\n  %s,\n  {\n    "id": "cut",\n' "$V" | "$DS" score -q - >"$TMP/out"
check "truncated array: complete deal scored" contains "$TMP/out" '"id":"next","policy"'
check "truncated array: one error for the rest" [ "$(grep -c '"error"' "$TMP/out")" -eq 1 ]
# trailing and missing elements
score '[1,]' $'\n' "$V"
check "trailing comma is bad_json" contains "$TMP/out" "no element before ']'"
# 100,000 nested arrays then a deal: no stack overflow, the deal is read
$PY -c "print('[' * 100000)" >"$TMP/deep"; echo "$V" >>"$TMP/deep"
"$DS" score -q "$TMP/deep" >"$TMP/out" 2>"$TMP/err"
check "deep nesting: ends normally" [ $? -eq 1 ]
check "deep nesting: next deal scored" contains "$TMP/out" '"id":"next","policy"'
# deep nesting inside a deal reaches a policy through deal:custom() whole, and
# past cJSON's 1,000 levels is bad_json
cat >"$TMP/deep.lua" <<'LUA'
return { name = "deep", version = 1, score = function(deal)
    local v, n = deal:custom("x"), 0
    while type(v) == "table" do v, n = v[1], n + 1 end
    return { viability = 50, verdict = "shape", reasons = { "depth " .. n } } end }
LUA
$PY -c "
for n in (998, 1200): print('{\"id\":\"d%d\",\"x\":' % n + '[' * n + ']' * n + '}')" >"$TMP/deep.jsonl"
"$DS" score -q --policy "$TMP/deep.lua" "$TMP/deep.jsonl" >"$TMP/out"
check "998 levels reach the policy" contains "$TMP/out" '"id":"d998",.*"reasons":\["depth 998"\]'
check "1200 levels are bad_json" contains "$TMP/out" '"code":"bad_json","message":"[^"]*deep.jsonl:2:'

# the per-deal memory limit: a line over it is skipped (too_large), a committee
# that needs more is out_of_memory, and the deal after either is scored
OPTS=(--max-deal-memory 1M)
$PY -c "print('{\"id\":\"big\",\"name\":\"' + 'x' * 3000000 + '\"}')" >"$TMP/big"
echo "$V" >>"$TMP/big"
"$DS" score -q --max-deal-memory 1M "$TMP/big" >"$TMP/out"
check "long line is too_large" contains "$TMP/out" '"code":"too_large","message":"[^"]*big:1: deal of 3000022 bytes'
check "after a long line the next deal is scored" contains "$TMP/out" '"id":"next","policy"'
$PY -c "
import json; n = 30000
print(json.dumps({'id': 'committee', 'stakeholders': [{'id': 's%d' % i} for i in range(n)]}))" >"$TMP/wide"
echo "$V" >>"$TMP/wide"
"$DS" score -q --max-deal-memory 16M "$TMP/wide" >"$TMP/out"
check "huge committee is out_of_memory" contains "$TMP/out" '"id":"committee","error":{"code":"out_of_memory","message":"[^"]*wide:1: deal needs more memory than the limit of 16 MiB'
check "after out_of_memory the next deal is scored" contains "$TMP/out" '"id":"next","policy"'
expect_exit "bad --max-deal-memory" 2 "$DS" score --max-deal-memory 12Q "$TMP/wide"
expect_exit "too small --max-deal-memory" 2 "$DS" score --max-deal-memory 4K "$TMP/wide"
finish
