#!/usr/bin/env bash
# The dealscore program as a user meets it: usage, exit codes, inputs, errors.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl

# usage and exit codes
expect_exit "--help" 0 "$DS" --help
check "--help names score" contains "$TMP/out" "score"
expect_exit "score --help" 0 "$DS" score --help
check "score --help documents exit status" contains "$TMP/out" "exit status"
expect_exit "no command" 2 "$DS"
expect_exit "unknown command" 2 "$DS" frobnicate
expect_exit "unknown option" 2 "$DS" score --frobnicate
expect_exit "bad --as-of" 2 "$DS" score --as-of 2024-02-30 "$EX"
expect_exit "missing input file" 2 "$DS" score "$TMP/nope.jsonl"
expect_exit "examples all score" 0 "$DS" score "$EX"
check "one line per deal" [ "$(wc -l <"$TMP/out")" -eq "$(grep -c . "$EX")" ]
check "summary on stderr" contains "$TMP/err" "12 scored, 0 errors"

# a bad deal in the middle: error line with where, the rest is scored, exit 1
{ head -n 2 "$EX"; echo '{"id": "broken", "stakeholders": [{"id": "a", "influence": 2}]}';
  echo '{not json'; tail -n 2 "$EX"; } >"$TMP/mixed.jsonl"
expect_exit "deal errors exit 1" 1 "$DS" score "$TMP/mixed.jsonl"
check "six result lines" [ "$(wc -l <"$TMP/out")" -eq 6 ]
check "out_of_range with path" contains "$TMP/out" '"id":"broken","error":{"code":"out_of_range".*"path":"$.stakeholders\[0\].influence"'
check "bad_json names the line" contains "$TMP/out" '"code":"bad_json","message":"[^"]*mixed.jsonl:4'
check "deals after the errors are scored" [ "$(tail -n 2 "$TMP/out" | grep -c '"verdict"')" -eq 2 ]

# input order is kept, output is byte-identical run to run
"$DS" score -q "$EX" "$EX" >"$TMP/twice1" 2>/dev/null
"$DS" score -q "$EX" "$EX" >"$TMP/twice2" 2>/dev/null
check "deterministic" cmp -s "$TMP/twice1" "$TMP/twice2"
ids_in() { $PY -c 'import json,sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1]) if l.strip()]' "$1"; }
check "input order kept" [ "$(ids_in "$TMP/twice1" 2>/dev/null | head -n 12)" = "$(ids_in "$EX")" ]
check "repeated deal ids are duplicate_id" [ "$(grep -c '"code":"duplicate_id",.*"path":"$.id"' "$TMP/twice1")" -eq 12 ]

# stdin, '-', a JSON array, and -o
"$DS" score -q <"$EX" >"$TMP/stdin.jsonl"
"$DS" score -q - <"$EX" >"$TMP/dash.jsonl"
"$DS" score -q "$EX" >"$TMP/file.jsonl"
check "stdin equals file" cmp -s "$TMP/stdin.jsonl" "$TMP/file.jsonl"
check "dash equals file" cmp -s "$TMP/dash.jsonl" "$TMP/file.jsonl"
$PY -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1]) if l.strip()], indent=2))' "$EX" >"$TMP/array.json"
"$DS" score -q "$TMP/array.json" >"$TMP/array.out"
check "JSON array equals JSONL" cmp -s "$TMP/array.out" "$TMP/file.jsonl"
"$DS" score -q -o "$TMP/o.jsonl" "$EX"
check "-o writes the results" cmp -s "$TMP/o.jsonl" "$TMP/file.jsonl"

# --explain: factors add up to every score, stakeholders listed
"$DS" score -q --explain "$EX" >"$TMP/explain.jsonl"
check "explain factors sum to scores" $PY - "$TMP/explain.jsonl" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    for name, factors in r["factors"].items():
        total = sum(f["effect"] for f in factors)
        if abs(total - r["scores"][name]) > 0.05 + 0.0001 * len(factors):
            sys.exit(f"{r['id']} {name}: factors {total} vs score {r['scores'][name]}")
    assert r["stakeholders"] and "predicted_stance" in r["stakeholders"][0]
PYEOF

# --as-of applies to deals without as_of only
echo '{"id":"d","stakeholders":[{"id":"c","roles":["champion"],"can_buy":true,"last_contact":"2024-01-01"}]}' >"$TMP/stale.jsonl"
"$DS" score -q --as-of 2024-06-01 "$TMP/stale.jsonl" >"$TMP/stale.out"
check "--as-of makes a stale warning" contains "$TMP/stale.out" '"stale:c"'
"$DS" score -q "$TMP/stale.jsonl" >"$TMP/fresh.out"
check "no as_of, no decay" contains "$TMP/fresh.out" '"warnings":\["it_unmapped","users_unmapped","low_coverage"\]'

# a broken model or policy is a setup error naming the key or the line
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); del m["graph"]["upward_voice"]; json.dump(m, open(sys.argv[2],"w"))' "$SRC/models/default.json" "$TMP/model.json"
expect_exit "model missing a key" 2 "$DS" score --model "$TMP/model.json" "$EX"
check "model error names the key" contains "$TMP/err" "graph.upward_voice"
echo '{"name": "x",' >"$TMP/badmodel.json"
expect_exit "model not JSON" 2 "$DS" score --model "$TMP/badmodel.json" "$EX"
printf 'local p = {name="p", version=1}\nfunction p.score(deal, s)\n  return {viability = = 50, verdict = "shape"}\nend\nreturn p\n' >"$TMP/syntax.lua"
expect_exit "policy syntax error" 2 "$DS" score --policy "$TMP/syntax.lua" "$EX"
check "syntax error names file:line" contains "$TMP/err" "syntax.lua:3:"
printf 'return {name="boom", version=2, score=function(deal, s)\n  if deal.id == "KOR-2026-011" then error("no such field") end\n  return {viability = 50, verdict = "shape", reasons = {}}\nend}\n' >"$TMP/boom.lua"
expect_exit "policy error is a deal error" 1 "$DS" score --policy "$TMP/boom.lua" "$EX"
check "policy_error with file:line" contains "$TMP/out" '"id":"KOR-2026-011","error":{"code":"policy_error","message":"[^"]*boom.lua:2: no such field"'
check "other deals use the policy" [ "$(grep -c '"policy":"boom@2"' "$TMP/out")" -eq 11 ]

# the table format
"$DS" score -q --format table "$EX" >"$TMP/table.txt"
check "table has a header and a row per deal" [ "$(wc -l <"$TMP/table.txt")" -eq 13 ]
check "table shows verdicts" contains "$TMP/table.txt" "walk_away"

finish
