#!/usr/bin/env bash
# The policy runtime's smaller promises (issue 14): math.random is reseeded per
# deal from its id (the same results whatever --jobs), require opens regular
# files only, print cannot forge log lines, a gmatch iterator does not outlive
# its call, a policy table read through __index is read once at load, and the
# library functions the sandbox wraps answer as stock Lua does.
# The hostile policies of tests/reliability/policies run in test_hostile_policies.sh.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl

# ---- math.random: per deal, from the deal's id ----
cat >"$TMP/dice.lua" <<'LUA'
return { name = "dice", version = 1, score = function(deal)
  local a, b = math.random(1000000), math.random(1000000)
  return { viability = 50, verdict = "shape", reasons = { a .. "/" .. b } }
end }
LUA
# the example pipeline three times over, so each worker sees many deals
for i in 1 2 3; do $PY -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        d = json.loads(line); d["id"] = d["id"] + "-" + sys.argv[2]; print(json.dumps(d))
' "$EX" "$i"; done >"$TMP/many.jsonl"
expect_exit "random, one job" 0 "$DS" score -q --jobs 1 --policy "$TMP/dice.lua" "$TMP/many.jsonl"
cp "$TMP/out" "$TMP/jobs1"
expect_exit "random, two jobs" 0 "$DS" score -q --jobs 2 --policy "$TMP/dice.lua" "$TMP/many.jsonl"
check "--jobs 2 gives what --jobs 1 gives" cmp -s "$TMP/out" "$TMP/jobs1"
# the same deal alone gives the same draw as in the batch
tail -n 1 "$TMP/many.jsonl" >"$TMP/last.jsonl"
expect_exit "random, one deal" 0 "$DS" score -q --policy "$TMP/dice.lua" "$TMP/last.jsonl"
check "a deal draws the same alone and in a batch" [ "$(cat "$TMP/out")" = "$(tail -n 1 "$TMP/jobs1")" ]
check "deals draw differently" [ "$(grep -o '"reasons":\["[0-9/]*"\]' "$TMP/jobs1" | sort -u | wc -l)" -gt 3 ]

# ---- require: regular files only ----
mkdir -p "$TMP/req"
cat >"$TMP/req/p.lua" <<'LUA'
local ok, err = pcall(require, MODULE)
return { name = "req", version = 1, score = function()
  return { viability = 50, verdict = "shape", reasons = { ok and "loaded" or tostring(err) } }
end }
LUA
ln -s /dev/zero "$TMP/req/zero.lua"
mkfifo "$TMP/req/fifo.lua"
mkdir "$TMP/req/dir.lua"
head -n 1 "$EX" >"$TMP/one.jsonl"
for m in zero fifo dir; do
    sed "s/MODULE/\"$m\"/" "$TMP/req/p.lua" >"$TMP/req/p_$m.lua"
    expect_exit "require $m ends" 0 timeout 20 "$DS" score -q --policy "$TMP/req/p_$m.lua" "$TMP/one.jsonl"
    check "require $m: not a regular file" contains "$TMP/out" "$m.lua: not a regular file"
done

# ---- print: one line per call, whatever the deal's name holds ----
cat >"$TMP/printer.lua" <<'LUA'
return { name = "printer", version = 1, score = function(deal)
  print("name:", "x\nINFO forged line\r\xff")
  return { viability = 50, verdict = "shape" }
end }
LUA
expect_exit "print" 0 "$DS" score -q --policy "$TMP/printer.lua" "$TMP/one.jsonl"
check "print is one line" [ "$(grep -c . "$TMP/err")" -eq 1 ]
check "print escapes line breaks and bad bytes" contains "$TMP/err" '^policy: name:	x\\nINFO forged line\\r\\xff$'

# ---- a gmatch iterator kept for the next deal ----
cat >"$TMP/keep_gmatch.lua" <<'LUA'
local kept
return { name = "keep_gmatch", version = 1, score = function(deal)
  if kept then kept() end
  kept = string.rep("ab", 1000):gmatch("a")
  return { viability = 50, verdict = "shape" }
end }
LUA
head -n 2 "$EX" >"$TMP/two.jsonl"
expect_exit "kept gmatch" 1 "$DS" score -q --jobs 1 --policy "$TMP/keep_gmatch.lua" "$TMP/two.jsonl"
check "the first deal scores" contains "$TMP/out" '"verdict":"shape"'
check "the kept iterator is refused" contains "$TMP/out" "iterator used after the call that made it"

# ---- a policy table behind __index: read once, at load ----
cat >"$TMP/inherits.lua" <<'LUA'
local reads = 0
local base = { name = "inherits", version = 2,
  score = function() return { viability = 42, verdict = "at_risk", reasons = { tostring(reads) } } end }
return setmetatable({}, { __index = function(_, k) reads = reads + 1 return base[k] end })
LUA
expect_exit "policy behind __index" 0 "$DS" score -q --policy "$TMP/inherits.lua" "$TMP/two.jsonl"
check "read at load only" [ "$(grep -c '"policy":"inherits@2".*"reasons":\["5"\]' "$TMP/out")" -eq 2 ]

# ---- the wrapped library functions give what stock Lua gives ----
expect_exit "library checks" 0 "$DS" score -q --policy "$SRC/tests/policy/sandbox/library.lua" "$TMP/one.jsonl"
check "library: every check passed" contains "$TMP/out" '"reasons":\["ok"\]'
grep -q '"reasons":\["ok"\]' "$TMP/out" || head -c 2000 "$TMP/out" >&2
# ---- deal.explain: the same for every call of a deal, true only when explained ----
cat >"$TMP/explain.lua" <<'LUA'
return { name = "explains", version = 1,
  score = function(deal)
    local v = (deal.explain and 60 or 40) + (deal.solution.capability == 1 and 10 or 0)
    return { viability = v, verdict = "shape", reasons = { tostring(deal.explain) },
             factors = { { factor = "f", effect = 1, detail = "" } } }
  end,
  actions = function(deal) -- actions' copies are scored with the deal's value too
    return { { action = "same_" .. tostring(deal.explain), patch = { solution = { capability = 1 } } } }
  end }
LUA
head -n 1 "$EX" >"$TMP/one.jsonl"
expect_exit "explain: plain" 0 "$DS" score -q --policy "$TMP/explain.lua" "$TMP/one.jsonl"
check "plain: deal.explain is false" contains "$TMP/out" '"viability":40.0},"verdict":"shape","reasons":\["false"\]'
check "plain: no factors shown" bash -c "! grep -q factors '$TMP/out'"
expect_exit "explain: --explain" 0 "$DS" score -q --explain --policy "$TMP/explain.lua" "$TMP/one.jsonl"
check "--explain: deal.explain is true" contains "$TMP/out" '"reasons":\["true"\]'
check "--explain: the policy's factors shown" contains "$TMP/out" '"viability":\[{"factor":"f"'
expect_exit "explain: --actions" 0 "$DS" score -q --actions --policy "$TMP/explain.lua" "$TMP/one.jsonl"
check "--actions: actions() sees false" contains "$TMP/out" '"same_false"'
expect_exit "explain: --explain --actions" 0 "$DS" score -q --explain --actions --policy "$TMP/explain.lua" "$TMP/one.jsonl"
check "--explain --actions: actions() sees true" contains "$TMP/out" '"same_true"'

finish
