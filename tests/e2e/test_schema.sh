#!/usr/bin/env bash
# Inputs and outputs against the published JSON schemas (models/*.schema.json):
# the example deals, generated deals, and the results for them, with --explain,
# --actions and --questions.
. "$(dirname "$0")/lib.sh"
CHECK="$PY $SRC/tests/e2e/check_schema.py"
EX=$SRC/models/examples/pipeline.jsonl

check "examples match deal.schema.json" $CHECK "$SRC/models/deal.schema.json" "$EX"
$PY "$SRC/tests/reference/gen_deals.py" --seed 7 --count 500 >"$TMP/deals.jsonl"
check "generated deals match deal.schema.json" $CHECK "$SRC/models/deal.schema.json" "$TMP/deals.jsonl"
$PY "$SRC/tests/reference/gen_deals.py" --seed 9 --count 300 --thin-share 1 >"$TMP/thin.jsonl"
check "thinned deals, some fields inferred, match deal.schema.json" $CHECK "$SRC/models/deal.schema.json" "$TMP/thin.jsonl"
"$DS" score -q --explain "$TMP/thin.jsonl" >"$TMP/thin_results.jsonl"
check "their results are all scored" bash -c "! grep -q '\"error\"' '$TMP/thin_results.jsonl'"
check "and match result.schema.json" $CHECK "$SRC/models/result.schema.json" "$TMP/thin_results.jsonl"
check "explain results carry what was inferred" grep -q '"predicted_stance":[-0-9.]*,"inferred":{"' "$TMP/thin_results.jsonl"
"$DS" score -q --explain "$EX" "$TMP/deals.jsonl" >"$TMP/results.jsonl"
check "results match result.schema.json" $CHECK "$SRC/models/result.schema.json" "$TMP/results.jsonl"
# every question, even those that move nothing, so each kind of answer is checked
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["questions"]["min_swing"]=-1; m["questions"]["exact"]=True; json.dump(m,open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/all_questions.json"
head -n 100 "$TMP/deals.jsonl" >"$TMP/some.jsonl"
"$DS" score -q --actions --questions --max-questions 1000 --model "$TMP/all_questions.json" \
    "$EX" "$TMP/some.jsonl" >"$TMP/questions.jsonl"
check "results with actions and questions match result.schema.json" \
    $CHECK "$SRC/models/result.schema.json" "$TMP/questions.jsonl"
check "every question was there to check" \
    $PY -c 'import json,sys; n=sum(len(json.loads(l).get("questions",[])) for l in open(sys.argv[1])); sys.exit(n < 1000)' "$TMP/questions.jsonl"
$PY "$SRC/tests/reference/gen_deals.py" --seed 8 --count 300 --invalid-share 1 >"$TMP/bad.jsonl"
"$DS" score -q "$TMP/bad.jsonl" >"$TMP/errors.jsonl"
check "error results match result.schema.json" $CHECK "$SRC/models/result.schema.json" "$TMP/errors.jsonl"
check "bad deals are rejected by deal.schema.json too" bash -c "! $CHECK '$SRC/models/deal.schema.json' '$TMP/bad.jsonl' >/dev/null 2>&1"
finish
