#!/usr/bin/env bash
# Large committees (issue 14, item 4): graph work in proportion to the committee's
# size. A committee of 3,000 members, every one an IT champion who can buy,
# scores within a deal memory limit that n x n matrices would pass 100 times
# over; --actions tries at most actions.max_candidates catalogue actions; every
# form of deal:reach (one search from a whole set) agrees with the pairwise
# answers. Speed figures are in benchmarks/ (bench_committee.sh), not here.
. "$(dirname "$0")/lib.sh"
GEN="$PY $SRC/benchmarks/gen_committee.py"
$GEN 3000 >"$TMP/c3000.jsonl"
$GEN 200 --sparse >"$TMP/c200.jsonl"

# 3,000 members: two n x n matrices of doubles alone would need 144 MB
expect_exit "3000 members score within 24M of deal memory" 0 \
    "$DS" score -q --max-deal-memory 24M "$TMP/c3000.jsonl"
check "3000 members: a verdict" contains "$TMP/out" '"verdict"'

# every catalogue action through, so the list shows what was tried
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["actions"]["min_gain"]=-1e9; json.dump(m, open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/all.json"
expect_exit "3000 members with --actions" 0 \
    "$DS" score -q --model "$TMP/all.json" --max-actions 1000 "$TMP/c3000.jsonl"
# jv FILE EXPR: a value of the first result line (EXPR in Python over `r`)
jv() { $PY -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); print(eval(sys.argv[2]))' "$@"; }
tried=$(jv "$TMP/out" 'len(r["actions"])')
check "at most 64 catalogue actions tried (got $tried)" test "$tried" -eq 64
check "the solution's actions are among them" \
    test "$(jv "$TMP/out" 'len({"prototype", "consult_users", "frame_it_workload"} & {a["action"] for a in r["actions"]})')" -eq 3
model() { $PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["actions"]["max_candidates"]=json.loads(sys.argv[2]); json.dump(m, open(sys.argv[3],"w"))' "$TMP/all.json" "$1" "$2"; }
model 5 "$TMP/five.json"
"$DS" score -q --model "$TMP/five.json" --max-actions 1000 "$TMP/c200.jsonl" >"$TMP/five.out"
check "actions.max_candidates is the model's" test "$(jv "$TMP/five.out" 'len(r["actions"])')" -eq 5
model -1 "$TMP/bad.json"
expect_exit "a bad max_candidates is a setup error" 2 "$DS" score -q --actions --model "$TMP/bad.json" "$TMP/c200.jsonl"
check "the error names the key" contains "$TMP/err" "actions.max_candidates"

# deal:reach in every form against the pairwise answers
cat >"$TMP/reach.lua" <<'EOF'
local p = { name = "reach", version = 1 }
function p.score(deal, s)
  local all, buyers = deal.stakeholders, deal:members("decision_makers")
  local function pairwise(from, to)
    local best = 0
    for _, a in ipairs(from) do
      for _, b in ipairs(to) do best = math.max(best, deal:reach(a, b)) end
    end
    return best
  end
  local function same(what, got, want)
    if math.abs(got - want) > 1e-12 then error(what .. ": " .. got .. " ~= " .. want) end
  end
  local checked = 0
  for i = 1, #all, 7 do
    local h = all[i]
    local want = pairwise({ h }, buyers)
    same("one to a set", deal:reach(h, "decision_makers"), want)
    same("a set to one", deal:reach("decision_makers", h), want)
    same("one to a list", deal:reach(h.id, buyers), want)
    same("a list to one", deal:reach(buyers, h), want)
    local pair = { all[i], all[(i * 13) % #all + 1] }
    same("a list to a list", deal:reach(pair, buyers), pairwise(pair, buyers))
    same("a list to a set", deal:reach(pair, "decision_makers"), pairwise(pair, buyers))
    checked = checked + 1
  end
  same("a set to a set", deal:reach("it", "decision_makers"), 1)
  same("to an empty set", deal:reach(all[1], "users"), 0)
  return { viability = checked, verdict = "shape", reasons = {},
           factors = { { factor = "checked", effect = checked, detail = "reach forms checked" } } }
end
return p
EOF
expect_exit "deal:reach forms agree" 0 "$DS" score -q --policy "$TMP/reach.lua" "$TMP/c200.jsonl"
check "deal:reach: every seventh member checked" test "$(jv "$TMP/out" 'r["scores"]["viability"]')" = 29.0
sed 's/deal:reach(h, "decision_makers")/deal:reach("nobody", "decision_makers")/' "$TMP/reach.lua" >"$TMP/nobody.lua"
expect_exit "deal:reach names an unknown stakeholder" 1 "$DS" score -q --policy "$TMP/nobody.lua" "$TMP/c200.jsonl"
check "unknown stakeholder: the error names it" contains "$TMP/out" "no stakeholder 'nobody'"
finish
