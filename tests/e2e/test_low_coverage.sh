#!/usr/bin/env bash
# Saying what is not known (issue 12, SCORING.md v1.1): a deal below coverage_min
# is insufficient_data in every output (table, CSV, explain, diff, backtest), and a
# run whose deals have contact dates but no as_of says once that staleness was not
# judged; --as-of today is accepted by every command that takes --as-of.
. "$(dirname "$0")/lib.sh"

# thin: a vanilla CRM deal (roles, titles, a contact date); full: the same with the
# judgements a seller records
cat >"$TMP/old.jsonl" <<'JSON'
{"id":"thin","as_of":"2024-06-01","solution":{"capability":0.9,"strategic":0.9},"stakeholders":[{"id":"b","name":"Bea Stone","title":"COO","can_buy":true,"roles":["champion"],"last_contact":"2024-05-20"},{"id":"t","title":"CIO","function":"it"}]}
{"id":"full","as_of":"2024-06-01","solution":{"capability":0.9,"strategic":0.9,"data_readiness":0.8,"security_risk":0.2,"user_change":0.3,"user_transparency":0.2,"user_benefit":0.7,"users_consulted":true,"prototype":true,"for_it":false},"stakeholders":[{"id":"b","name":"Bea Stone","title":"COO","can_buy":true,"roles":["champion"],"stance":0.9,"influence":0.9,"convinced":{"capability":true,"strategic":true},"benefits":{"work":0.8},"last_contact":"2024-05-20"},{"id":"t","title":"CIO","function":"it","stance":0.2,"ai_interest":0.7}]}
JSON
# the same two deals a week later: thin got its judgements, full lost them
$PY - "$TMP/old.jsonl" >"$TMP/new.jsonl" <<'PYEOF'
import json, sys
thin, full = [json.loads(l) for l in open(sys.argv[1])]
thin["solution"], full["solution"] = full["solution"], thin["solution"]
thin["stakeholders"], full["stakeholders"] = full["stakeholders"], thin["stakeholders"]
print(json.dumps(thin)); print(json.dumps(full))
PYEOF

"$DS" score -q "$TMP/old.jsonl" >"$TMP/old.out"
check "thin deal: insufficient_data, low_coverage last" contains "$TMP/old.out" '"id":"thin".*"verdict":"insufficient_data".*"warnings":\[.*"low_coverage"\],"coverage":0\.[0-2]'
check "its viability is still computed" $PY -c '
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["scores"]["viability"] > 0, r' "$TMP/old.out"
check "full deal: judged" contains "$TMP/old.out" '"id":"full".*"verdict":"\(pursue\|shape\|at_risk\|walk_away\)"'

# table and CSV
"$DS" score -q -f table "$TMP/old.jsonl" >"$TMP/table.txt"
check "table: verdict and what is missing" contains "$TMP/table.txt" '^thin  *[0-9.]*  insufficient_data  too little known: coverage [0-9]*%$'
check "table: the judged deal keeps its reason" contains "$TMP/table.txt" '^full  *[0-9.]*  [a-z_]* *[a-z_-]*$'
"$DS" score -q -f csv "$TMP/old.jsonl" >"$TMP/table.csv"
check "CSV: verdict, coverage and warning in their columns" $PY - "$TMP/table.csv" <<'PYEOF'
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
t, f = rows["thin"], rows["full"]
assert t["verdict"] == "insufficient_data" and float(t["coverage"]) < 0.3, t
assert "low_coverage" in t["warnings"].split(";") and float(t["viability"]) > 0, t
assert f["verdict"] != "insufficient_data" and "low_coverage" not in f["warnings"], f
PYEOF

# explain
"$DS" explain --id thin "$TMP/old.jsonl" >"$TMP/thin.txt" 2>"$TMP/err"
check "explain says plainly that too little is known" contains "$TMP/thin.txt" "^Too little is known to judge this deal$"
check "and what coverage is" contains "$TMP/thin.txt" "coverage [0-9]*%: [0-9]* of the 38 facts the model weighs were given, the model needs 30%"
check "and that the viability is no verdict" contains "$TMP/thin.txt" "is computed from those defaults: it is not a verdict"
check "and what is not known" contains "$TMP/thin.txt" "not known for any of the 2 people: influence, stance"
check "it leads: before the reasons" $PY -c '
import sys
t = open(sys.argv[1]).read()
assert t.index("Verdict: insufficient_data") < t.index("Too little is known") < t.index("What moves each score"), t' "$TMP/thin.txt"
check "the warning says what to do" contains "$TMP/thin.txt" "low_coverage: only [0-9]*% of what the model weighs is known (it needs 30%)"
sed -n 1p "$TMP/old.jsonl" | sed 's/^{"id":"thin",/{"id":"thin","override":{"viability":75},/' >"$TMP/over.jsonl"
"$DS" explain "$TMP/over.jsonl" >"$TMP/over.txt" 2>"$TMP/err"
check "overridden: the verdict is the person's" contains "$TMP/over.txt" "^Verdict: pursue (viability 75.0; [0-9.]* computed before the override)"
check "overridden: still says what is unknown" contains "$TMP/over.txt" "^Too little is known to judge this deal$"
check "overridden: the computed value is the one from defaults" contains "$TMP/over.txt" "viability [0-9.]* was computed from those defaults; the verdict comes from the override"
"$DS" explain --id full "$TMP/old.jsonl" >"$TMP/full.txt" 2>"$TMP/err"
check "a judged deal says nothing of it" bash -c "! grep -q 'Too little' '$TMP/full.txt'"

# diff
"$DS" diff -f text "$TMP/old.jsonl" "$TMP/new.jsonl" >"$TMP/diff.txt"
check "diff: from insufficient_data, enough is known now" contains "$TMP/diff.txt" "^thin: .*, insufficient_data -> [a-z_]*$"
check "diff: with the coverage change" contains "$TMP/diff.txt" "^  coverage [0-9]*% -> [0-9]*%: enough is known now to judge it$"
check "diff: to insufficient_data, the old verdict no longer holds" contains "$TMP/diff.txt" "^  coverage [0-9]*% -> [0-9]*%: too little is known now to judge it; the old verdict no longer holds$"
"$DS" diff "$TMP/old.jsonl" "$TMP/new.jsonl" >"$TMP/diff.jsonl"
check "diff JSON: coverage old and new, the verdict change, the warning" $PY - "$TMP/diff.jsonl" <<'PYEOF'
import json, sys
d = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
t = d["thin"]
assert t["verdict"]["old"] == "insufficient_data" and t["verdict"]["new"] != "insufficient_data", t
assert t["coverage"]["old"] < 0.3 <= t["coverage"]["new"], t
assert "low_coverage" in t["resolved_warnings"] and "low_coverage" in d["full"]["new_warnings"], d
PYEOF
"$DS" score -q "$TMP/new.jsonl" >"$TMP/new.out"
"$DS" diff "$TMP/old.out" "$TMP/new.out" >"$TMP/diff2.jsonl"
check "diff of result files: coverage too" contains "$TMP/diff2.jsonl" '"id":"thin".*"coverage":{"old":0\.[0-9]*,"new":0\.[0-9]*'

# backtest: insufficient_data deals are counted apart and not measured (docs/backtest.md)
$PY "$SRC/tests/reference/gen_deals.py" --seed 21 --count 500 --closed-share 1 --thin-share 0.4 >"$TMP/closed.jsonl"
"$DS" score -q --as-of 2024-06-01 "$TMP/closed.jsonl" >"$TMP/closed.out"
"$DS" backtest -q --as-of 2024-06-01 --bootstrap 0 -f json "$TMP/closed.jsonl" >"$TMP/bt.json"
"$DS" backtest -q --as-of 2024-06-01 --bootstrap 0 -f json --measure-insufficient "$TMP/closed.jsonl" >"$TMP/bt_all.json"
check "backtest: judged and insufficient deals counted as score sees them" $PY - "$TMP/closed.jsonl" "$TMP/closed.out" "$TMP/bt.json" "$TMP/bt_all.json" <<'PYEOF'
import json, sys
deals = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
results = [json.loads(l) for l in open(sys.argv[2])]
won = {d["id"]: d["stage"] == "closed_won" for d in deals}
count = {}
for r in results:
    if "verdict" not in r:
        continue
    key = ("insufficient" if r["verdict"] == "insufficient_data" else "judged", won[r["id"]])
    count[key] = count.get(key, 0) + 1
p = json.load(open(sys.argv[3]))["policies"][0]
assert (p["won"], p["lost"]) == (count[("judged", True)], count[("judged", False)]), (p, count)
i = p["insufficient_data"]
assert (i["won"], i["lost"], i["measured"]) == (count[("insufficient", True)], count[("insufficient", False)], False), (i, count)
assert i["won"] + i["lost"] >= 50, i
a = json.load(open(sys.argv[4]))["policies"][0]
assert a["won"] == p["won"] + i["won"] and a["lost"] == p["lost"] + i["lost"], (a, p)
assert a["insufficient_data"]["measured"] is True and a["auc"] != p["auc"], (a, p)
PYEOF
"$DS" backtest -q --as-of 2024-06-01 --bootstrap 0 "$TMP/closed.jsonl" >"$TMP/bt.txt"
check "backtest text: the row" contains "$TMP/bt.txt" "^insufficient_data (apart)  *[0-9]* / [0-9]*"

# as_of: said once when contact dates cannot age; --as-of today everywhere
cat >"$TMP/undated.jsonl" <<'JSON'
{"id":"u1","stakeholders":[{"id":"b","can_buy":true,"last_contact":"2001-01-01"}]}
{"id":"u2","stakeholders":[{"id":"b","roles":["champion"],"first_contact":"2001-01-01"}]}
{"id":"n1","stakeholders":[{"id":"b","can_buy":true}]}
{"id":"d1","as_of":"2024-06-01","stakeholders":[{"id":"b","can_buy":true,"last_contact":"2001-01-01"}]}
JSON
"$DS" score "$TMP/undated.jsonl" >"$TMP/out" 2>"$TMP/err"
check "said once, counting the deals" [ "$(grep -c 'staleness was not judged' "$TMP/err")" -eq 1 ]
check "with how to fix it" contains "$TMP/err" "dealscore score: 2 deals have contact dates but no as_of, so staleness was not judged (nothing decays, no stale: warning); give --as-of today or --as-of YYYY-MM-DD"
"$DS" score --jobs 3 "$TMP/undated.jsonl" "$TMP/undated.jsonl" >"$TMP/out" 2>"$TMP/err"
check "once for several workers and files" [ "$(grep -c 'staleness was not judged' "$TMP/err")" -eq 1 ]
"$DS" score -q "$TMP/undated.jsonl" >"$TMP/out" 2>"$TMP/err"
check "-q keeps standard error quiet" [ ! -s "$TMP/err" ]
"$DS" score --as-of 2024-06-01 "$TMP/undated.jsonl" >"$TMP/out" 2>"$TMP/err"
check "not with --as-of" bash -c "! grep -q 'staleness' '$TMP/err'"
head -n 1 "$TMP/undated.jsonl" >"$TMP/one.jsonl"
sed -n 3,4p "$TMP/undated.jsonl" >"$TMP/dated.jsonl"
"$DS" score "$TMP/dated.jsonl" >"$TMP/out" 2>"$TMP/err"
check "not when every deal with dates has as_of" bash -c "! grep -q 'staleness' '$TMP/err'"
"$DS" score "$TMP/one.jsonl" >"$TMP/out" 2>"$TMP/err"
check "one deal: singular" contains "$TMP/err" "1 deal has contact dates but no as_of"
for cmd in explain map; do
    "$DS" $cmd "$TMP/undated.jsonl" >"$TMP/out" 2>"$TMP/err"
    check "$cmd says it once too" [ "$(grep -c "dealscore $cmd: 2 deals have contact dates" "$TMP/err")" -eq 1 ]
done
"$DS" diff "$TMP/undated.jsonl" "$TMP/undated.jsonl" >"$TMP/out" 2>"$TMP/err"
check "diff says it once for both files" [ "$(grep -c 'staleness was not judged' "$TMP/err")" -eq 1 ]
"$DS" check "$SRC/scripts/default.lua" "$TMP/undated.jsonl" >"$TMP/out" 2>"$TMP/err"
check "check says it" contains "$TMP/err" "dealscore check: 2 deals have contact dates"

"$DS" score -q --as-of today "$TMP/one.jsonl" >"$TMP/out" 2>"$TMP/err"
check "--as-of today judges staleness" contains "$TMP/out" '"stale:b"'
check "--as-of today: nothing said" bash -c "! grep -q 'staleness' '$TMP/err'"
today=$(date +%Y-%m-%d)
"$DS" explain --as-of today "$TMP/one.jsonl" >"$TMP/out" 2>"$TMP/err"
check "explain --as-of today is today" contains "$TMP/out" "as of $today"
expect_exit "map --as-of today" 0 "$DS" map --as-of today "$TMP/one.jsonl"
expect_exit "diff --as-of today" 0 "$DS" diff --as-of today "$TMP/one.jsonl" "$TMP/one.jsonl"
expect_exit "check --as-of today" 0 "$DS" check --as-of today "$SRC/scripts/default.lua" "$TMP/one.jsonl"
expect_exit "backtest --as-of today" 0 "$DS" backtest -q --bootstrap 0 --as-of today "$TMP/closed.jsonl"
expect_exit "a bad --as-of is a usage error" 2 "$DS" score --as-of tomorrow "$TMP/one.jsonl"
check "naming both forms" contains "$TMP/err" "--as-of takes a date YYYY-MM-DD or 'today', not 'tomorrow'"
for cmd in score explain map diff check backtest; do
    "$DS" $cmd --help >"$TMP/out"
    check "$cmd --help documents --as-of today" contains "$TMP/out" "as-of.*today"
done
finish
