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
# the agreement means something only if both sides of coverage_min were exercised
both_sides() {
    $PY - "$TMP/actual.jsonl" <<'EOF'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if '"scores"' in l]
low = [r for r in rs if "low_coverage" in r["warnings"]]
near = [r for r in rs if 0.3 <= r["coverage"] < 0.4]
assert sum(r["verdict"] == "insufficient_data" for r in low) >= 100, len(low)
assert sum(0.2 <= r["coverage"] < 0.3 for r in low) >= 20, "few just below"
assert sum(r["verdict"] != "insufficient_data" for r in near) >= 20, "few just above"
assert any("override" in r["reasons"] and r["verdict"] != "insufficient_data" for r in low)
assert all(("low_coverage" in r["warnings"]) == (r["coverage"] < 0.3) for r in rs)
EOF
}
for seed in 11 12 13; do
    check "seed $seed agrees with the reference" crosscheck $seed 1500 0.2
    tail -n 1 "$TMP/compare.txt"
    check "seed $seed: deals on both sides of coverage_min" both_sides
done
check "examples agree with the reference" bash -c "'$PY' '$REF/dealscore_ref.py' '$SRC/models/examples/pipeline.jsonl' >'$TMP/e' && '$DS' score -q '$SRC/models/examples/pipeline.jsonl' >'$TMP/a'; '$PY' '$REF/compare.py' '$TMP/e' '$TMP/a' >/dev/null"
finish
