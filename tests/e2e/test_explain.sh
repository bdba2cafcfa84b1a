#!/usr/bin/env bash
# `dealscore explain`: the report on example deals against golden files (colour
# off), Markdown, no colour when piped, errors. Colour on a terminal is
# test_explain_tty.sh, hostile names test_explain_naughty.sh.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
GOLDEN=$SRC/tests/e2e/golden

# golden files: reviewed by hand against `dealscore score --explain --actions`
"$DS" explain --id ASM-2026-007 "$EX" >"$TMP/asm.txt" 2>"$TMP/err"
check "text report matches the golden file" diff -u "$GOLDEN/explain_ASM-2026-007.txt" "$TMP/asm.txt"
"$DS" explain --format markdown --id TVC-2026-018 "$EX" >"$TMP/tvc.md"
check "markdown report matches the golden file" diff -u "$GOLDEN/explain_TVC-2026-018.md" "$TMP/tvc.md"

# the report says what `score` says
"$DS" score -q --actions "$EX" >"$TMP/scores.jsonl"
check "numbers agree with dealscore score" $PY - "$TMP/scores.jsonl" "$TMP/asm.txt" <<'PYEOF'
import json, re, sys
r = next(json.loads(l) for l in open(sys.argv[1]) if '"ASM-2026-007"' in l)
report = open(sys.argv[2]).read()
names = {"viability": "Viability", "capability_roi": "Capability ROI", "strategic_roi": "Strategic ROI",
         "measurable_roi": "Measurable ROI", "it_resistance": "IT resistance", "user_threat": "User threat"}
for key, title in names.items():
    m = re.search(r"^  %s +([0-9.]+)  \[" % re.escape(title), report, re.M)
    assert m and float(m.group(1)) == r["scores"][key], (key, m and m.group(1))
assert f"Verdict: {r['verdict']}" in report
for reason in r["reasons"]:
    assert f"  {reason}: " in report, reason
for a in r["actions"]:
    assert f"{a['gain']:+.2f}" in report and f"[{a['action']}]" in report, a
PYEOF
"$DS" explain "$EX" >"$TMP/all.txt"
check "without --id every deal is explained" [ "$(grep -c '^Verdict: ' "$TMP/all.txt")" -eq 12 ]
check "names stakeholders by name and title" contains "$TMP/all.txt" "Priya Raman (Chief Information Officer)"
check "warnings say what to do" contains "$TMP/all.txt" "stale:lindgren: Sofia Lindgren (VP Consumer Marketing) was last contacted 195 days ago"

# colour: never when piped (on a terminal: test_explain_tty.sh)
esc=$(printf '\033')
check "piped output has no escape codes" bash -c "! grep -q '$esc' '$TMP/all.txt'"

# errors and usage
expect_exit "unknown id" 1 "$DS" explain --id nope "$EX"
check "says which id" contains "$TMP/err" "no deal with id 'nope'"
expect_exit "no file" 2 "$DS" explain
expect_exit "missing file" 2 "$DS" explain "$TMP/none.jsonl"
expect_exit "bad format" 2 "$DS" explain --format html "$EX"
expect_exit "--help" 0 "$DS" explain --help
check "--help documents --no-color" contains "$TMP/out" "no-color"
{ head -n 1 "$EX"; echo '{"id": "broken", "stakeholders": 3}'; } >"$TMP/mixed.jsonl"
expect_exit "a broken deal is exit 1" 1 "$DS" explain "$TMP/mixed.jsonl"
check "the good deal is still explained" contains "$TMP/out" "Verdict: pursue"
check "the broken one is named" contains "$TMP/err" "mixed.jsonl:2"

# input goes through the bounded reader of `score`: a broken array is named, the
# deal on the line after it is still explained
{ echo '[{"id": "cut", "stakeholders": ['; tail -n 1 "$EX"; } >"$TMP/broken.json"
expect_exit "a broken array is exit 1" 1 "$DS" explain "$TMP/broken.json"
check "the broken array is named with its line" contains "$TMP/err" "broken.json:1.*(bad_json)"
check "the deal after it is explained" contains "$TMP/out" "(FEN-2026-029)$"

# policies as for `score`: NAME=FILE picked by the deal's policy field, budgets
cat >"$TMP/named.lua" <<'EOF'
local p = { name = "named", version = 4 }
function p.score(deal, s)
  if deal.id == "KOR-2026-011" then while true do end end
  return { viability = 42, verdict = "at_risk", reasons = { "named_policy" } }
end
return p
EOF
sed 's/^{"id": *"\(ASM-2026-007\|KOR-2026-011\)"/{"policy": "named", "id": "\1"/' "$EX" >"$TMP/named.jsonl"
check "the named deals name the policy" [ "$(grep -c '"policy": "named"' "$TMP/named.jsonl")" -eq 2 ]
expect_exit "explain --policy NAME=FILE" 0 "$DS" explain --id ASM-2026-007 --policy "named=$TMP/named.lua" "$TMP/named.jsonl"
check "the deal's policy scores it" contains "$TMP/out" "^  Viability *42.0 "
check "its reasons are shown" contains "$TMP/out" "named_policy"
expect_exit "a policy past its budget is a deal error" 1 "$DS" explain --id KOR-2026-011 \
    --policy-instructions 100k --policy "named=$TMP/named.lua" "$TMP/named.jsonl"
check "the budget is named" contains "$TMP/err" "policy_timeout"
check "a failed deal is said in words, not as its JSON line" contains "$TMP/err" \
    "^dealscore explain: .*named.jsonl:[0-9]*: cannot be scored: policy_timeout: [^{]*$"
first=$($PY -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$EX")
cat >"$TMP/boom.lua" <<'EOF'
return { name = "boom", version = 1, score = function(deal) error("no " .. deal.id) end }
EOF
expect_exit "a policy error is a deal error" 1 "$DS" explain --policy "$TMP/boom.lua" "$TMP/mixed.jsonl"
check "the policy error: where, code, the policy's message" contains "$TMP/err" \
    "^dealscore explain: $TMP/mixed.jsonl:1: cannot be scored: policy_error: .*boom.lua:1: no $first$"
check "no JSON line on stderr" bash -c "! grep -q '{\"id\"' '$TMP/err'"
{ head -n 2 "$EX"; head -n 1 "$EX"; } >"$TMP/dup.jsonl"
expect_exit "a repeated deal id is exit 1" 1 "$DS" explain "$TMP/dup.jsonl"
check "a repeated id names the line it came first on" contains "$TMP/err" \
    "^dealscore explain: $TMP/dup.jsonl:3: cannot be scored: duplicate_id: deal id \"$first\" was already scored in this batch (first on line 1)$"
printf '{"id":"e","solution":{},"stakeholders":[{"id":"a\\u001b[2J"},{"id":"a\\u001b[2J"}]}\n' >"$TMP/esc.jsonl"
expect_exit "a deal with an escape sequence in an id" 1 "$DS" explain "$TMP/esc.jsonl"
check "the message shows the escape, never sends it" contains "$TMP/err" 'repeats "a\\x1b\[2J"'
check "no escape byte on stderr" bash -c "! grep -q \$'\\033' '$TMP/err'"
# Inferred values (docs/model.md "Inferred values"): explain says what was inferred
# from what, and coverage does not count them as given.
cat >"$TMP/inferred.jsonl" <<'EOF2'
{"id":"inf","as_of":"2024-06-01","solution":{"capability":0.6,"inferred":{"capability":"Identified Pain"}},"stakeholders":[{"id":"a","name":"Ann Lee","title":"VP, IT Infrastructure","function":"it","level":"vp","stance":0.4,"influence":0.7,"last_contact":"2024-05-01","inferred":{"function":"title \"VP, IT Infrastructure\"","level":"title \"VP, IT Infrastructure\"","last_contact":"Last Activity","stance":"Contact Role \"Decision Maker\""}},{"id":"b","can_buy":true,"influence":0.8}]}
{"id":"given","as_of":"2024-06-01","solution":{"capability":0.6},"stakeholders":[{"id":"a","name":"Ann Lee","title":"VP, IT Infrastructure","function":"it","level":"vp","stance":0.4,"influence":0.7,"last_contact":"2024-05-01"},{"id":"b","can_buy":true,"influence":0.8}]}
EOF2
"$DS" explain --id inf "$TMP/inferred.jsonl" >"$TMP/inf.txt" 2>"$TMP/err"
check "inferred values are listed" contains "$TMP/inf.txt" "^Inferred, not given"
check "function and level with their source" contains "$TMP/inf.txt" 'Ann Lee (VP, IT Infrastructure): function it (inferred from title "VP, IT Infrastructure"), level vp (inferred from title "VP, IT Infrastructure"), last_contact 2024-05-01 (inferred from Last Activity), stance +0.40 (inferred from Contact Role "Decision Maker")'
check "solution fields too" contains "$TMP/inf.txt" "solution: capability (inferred from Identified Pain)"
check "coverage counts them as unknown" contains "$TMP/inf.txt" "coverage 5%"
"$DS" explain --id given "$TMP/inferred.jsonl" >"$TMP/given.txt" 2>"$TMP/err"
check "the same values given count" contains "$TMP/given.txt" "coverage 11%"
check "and nothing is said inferred" bash -c "! grep -q 'Inferred' '$TMP/given.txt'"
"$DS" score -q "$TMP/inferred.jsonl" >"$TMP/inf.jsonl"
check "scores are the same either way" $PY - "$TMP/inf.jsonl" <<'PYEOF'
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
assert a["scores"] == b["scores"], (a, b)
assert a["coverage"] < b["coverage"], (a, b)
PYEOF
"$DS" score -q --explain "$TMP/inferred.jsonl" >"$TMP/inf.jsonl"
check "--explain results list the inferred fields per stakeholder" $PY - "$TMP/inf.jsonl" <<'PYEOF'
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
assert a["stakeholders"][0]["inferred"] == {"function": 'title "VP, IT Infrastructure"', "level": 'title "VP, IT Infrastructure"', "last_contact": "Last Activity", "stance": 'Contact Role "Decision Maker"'}, a
assert "inferred" not in a["stakeholders"][1] and all("inferred" not in s for s in b["stakeholders"]), (a, b)
assert list(a["stakeholders"][0]["inferred"]) == ["function", "level", "last_contact", "stance"]
PYEOF
finish
