#!/usr/bin/env bash
# `dealscore diff` reports the deal's own fields a seller reads a nightly diff
# for (QA pass 2, F33): a deal that went closed_lost, whose amount fell from
# 420,000 to 1 and whose close date slipped six months is "changed", with each
# move named (JSON "deal" key, text lines), even though its scores held. A
# field only one side gives is not a change; result exports do not carry them.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
cd "$TMP" || exit 2
head -n 1 "$EX" >old.jsonl
$PY - old.jsonl <<'PYEOF'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
d.update(stage="negotiation", amount=420000, close_date="2026-12-19")
open(sys.argv[1], "w").write(json.dumps(d) + "\n")
moved = dict(d, stage="closed_lost", amount=1, close_date="2027-06-19")
open("moved.jsonl", "w").write(json.dumps(moved) + "\n")
pulled = dict(d, close_date="2026-11-30")
open("pulled.jsonl", "w").write(json.dumps(pulled) + "\n")
bare = {k: v for k, v in d.items() if k not in ("stage", "amount", "close_date")}
open("bare.jsonl", "w").write(json.dumps(bare) + "\n")
PYEOF
ID=$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' old.jsonl)

expect_exit "stage, amount, close date moved: exit 0" 0 "$DS" diff old.jsonl moved.jsonl
check "the deal is changed" contains "$TMP/out" '"change":"changed"'
check "the scores held (what hid it before)" $PY -c '
import json, sys
c = json.loads(open(sys.argv[1]).readline())
assert all(v["change"] == 0 for v in c["scores"].values()), c["scores"]
assert c["deal"] == {"stage": {"old": "negotiation", "new": "closed_lost"},
                     "amount": {"old": 420000, "new": 1, "change": -419999},
                     "close_date": {"old": "2026-12-19", "new": "2027-06-19", "days": 182}}, c["deal"]
' "$TMP/out"
expect_exit "text: exit 0" 0 "$DS" diff --format text old.jsonl moved.jsonl
check "text: stage named" contains "$TMP/out" "^  stage negotiation -> closed_lost$"
check "text: amount named" contains "$TMP/out" "^  amount 420000 -> 1$"
check "text: close date slipped" contains "$TMP/out" "^  close date 2026-12-19 -> 2027-06-19 (slipped 182 days)$"
check "text: summary counts it changed" contains "$TMP/out" "1 deals in NEW: 1 changed, 0 unchanged"
expect_exit "close date pulled in" 0 "$DS" diff --format text old.jsonl pulled.jsonl
check "text: pulled in" contains "$TMP/out" "(pulled in 19 days)$"
check "text: only the close date" [ "$(grep -c '^  stage\|^  amount' "$TMP/out")" -eq 0 ]

# a field one side does not give is not a move; the same deal is unchanged
expect_exit "fields given on one side only" 0 "$DS" diff old.jsonl bare.jsonl
check "one side only: no deal key" [ "$(grep -c '"deal":' "$TMP/out")" -eq 0 ]
expect_exit "same deal" 0 "$DS" diff old.jsonl old.jsonl
check "same deal: unchanged" contains "$TMP/out" '"change":"unchanged"'
check "same deal: no deal key" [ "$(grep -c '"deal":' "$TMP/out")" -eq 0 ]
# result exports carry no stage: compared by their scores as before
"$DS" score -q old.jsonl >old.res
"$DS" score -q moved.jsonl >moved.res
expect_exit "result exports" 0 "$DS" diff old.res moved.res
check "result exports: no deal key" [ "$(grep -c '"deal":' "$TMP/out")" -eq 0 ]
finish
