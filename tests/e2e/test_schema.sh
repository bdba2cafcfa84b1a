#!/usr/bin/env bash
# Inputs and outputs against the published JSON schemas (models/*.schema.json):
# the example deals, generated deals, and the results for them, with --explain.
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
$PY "$SRC/tests/reference/gen_deals.py" --seed 8 --count 300 --invalid-share 1 >"$TMP/bad.jsonl"
"$DS" score -q "$TMP/bad.jsonl" >"$TMP/errors.jsonl"
check "error results match result.schema.json" $CHECK "$SRC/models/result.schema.json" "$TMP/errors.jsonl"
check "bad deals are rejected by deal.schema.json too" bash -c "! $CHECK '$SRC/models/deal.schema.json' '$TMP/bad.jsonl' >/dev/null 2>&1"
finish
