#!/usr/bin/env bash
# Messages that quote input stay UTF-8: an error quotes a bad value up to a byte
# limit ("%.40s"), and a long path or message is cut by its buffer; a cut through
# a multibyte character must not leave a lone byte in the result line, which would
# no longer be JSON text. Every cut position of two-, three- and four-byte
# characters, in enum and date values, ids and keys, through score and explain.
. "$(dirname "$0")/lib.sh"
$PY - "$TMP/deals.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w", encoding="utf-8")
n = 0
for ch in ("é", "€", "𝄞"):
    for pad in range(30, 72):
        v = "x" * pad + ch * 3
        for field in ("level", "last_contact", "function"):
            n += 1
            d = {"id": "u%d" % n, "stakeholders": [{"id": "a", "name": "A", field: v}]}
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
        n += 1  # a long key: its path is quoted in the message and the path
        d = {"id": "k%d" % n, "stakeholders": [{"id": "a", "name": "A"}],
             "solution": {("k" * pad * 4) + ch * 40: 1}}
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
PY
"$DS" score -q "$TMP/deals.jsonl" >"$TMP/score.jsonl" 2>"$TMP/err"
check "score writes a result line per deal" [ "$(wc -l <"$TMP/score.jsonl")" -eq "$(wc -l <"$TMP/deals.jsonl")" ]
valid_lines() {
    $PY -c '
import json, sys
bad = 0
for raw in open(sys.argv[1], "rb"):
    try:
        json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        bad += 1
        if bad < 4: print(repr(raw[:160]), e, file=sys.stderr)
sys.exit(1 if bad else 0)' "$1"
}
check "every result line is UTF-8 JSON" valid_lines "$TMP/score.jsonl"
check "the bad values were refused" grep -q '"bad_enum"' "$TMP/score.jsonl"
check "the bad dates were refused" grep -q '"bad_date"' "$TMP/score.jsonl"
"$DS" explain -q "$TMP/deals.jsonl" >"$TMP/explain.txt" 2>&1
check "explain's report is UTF-8" $PY -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$TMP/explain.txt"
finish
