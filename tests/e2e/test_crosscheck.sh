#!/usr/bin/env bash
# The engine against the independent reference implementation of SCORING.md
# (tests/reference/dealscore_ref.py) on generated deals, valid and invalid:
# every score within 0.1, same verdicts, reasons, warnings, error codes and paths.
# A third of the deals are thinned out like vanilla CRM exports (--thin-share), some
# fields marked inferred, so coverage falls on both sides of coverage_min.
. "$(dirname "$0")/lib.sh"
REF=$SRC/tests/reference

crosscheck() { # SEED COUNT INVALID_SHARE
    $PY "$REF/gen_deals.py" --seed "$1" --count "$2" --invalid-share "$3" --thin-share 0.35 \
        >"$TMP/deals.jsonl"
    $PY "$REF/dealscore_ref.py" --as-of 2024-06-01 "$TMP/deals.jsonl" >"$TMP/expected.jsonl"
    "$DS" score -q --as-of 2024-06-01 "$TMP/deals.jsonl" >"$TMP/actual.jsonl"
    $PY "$REF/compare.py" "$TMP/expected.jsonl" "$TMP/actual.jsonl" >"$TMP/compare.txt"
}
for seed in 11 12 13; do
    check "seed $seed agrees with the reference" crosscheck $seed 1500 0.2
    tail -n 1 "$TMP/compare.txt"
done
check "examples agree with the reference" bash -c "'$PY' '$REF/dealscore_ref.py' '$SRC/models/examples/pipeline.jsonl' >'$TMP/e' && '$DS' score -q '$SRC/models/examples/pipeline.jsonl' >'$TMP/a'; '$PY' '$REF/compare.py' '$TMP/e' '$TMP/a' >/dev/null"
finish
