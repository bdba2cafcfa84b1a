#!/usr/bin/env bash
# score --jobs: results in input order and byte-identical for any number of jobs,
# the duplicate-id check in input order, --format csv, progress and summary.
. "$(dirname "$0")/lib.sh"

# 3000 generated deals, a tenth with an input error, then the first 200 deals again
# (duplicate ids), so errors and duplicates land on every worker.
$PY "$SRC/tests/reference/gen_deals.py" --seed 7 --count 3000 --invalid-share 0.1 >"$TMP/deals.jsonl"
grep . "$TMP/deals.jsonl" | head -n 200 >"$TMP/repeat.jsonl"
cat "$TMP/repeat.jsonl" >>"$TMP/deals.jsonl"
n=$(grep -c . "$TMP/deals.jsonl") # deals: the generator's errors include blank lines

for j in 1 2 3 8; do
    "$DS" score -q --jobs "$j" "$TMP/deals.jsonl" >"$TMP/out$j.jsonl" 2>"$TMP/err$j"
    check "--jobs $j: one line per deal" [ "$(wc -l <"$TMP/out$j.jsonl")" -eq "$n" ]
    check "--jobs $j: -q prints nothing on stderr" [ ! -s "$TMP/err$j" ]
done
for j in 2 3 8; do
    check "--jobs $j output equals --jobs 1" cmp -s "$TMP/out1.jsonl" "$TMP/out$j.jsonl"
done
ids() { $PY -c 'import json,sys; [print(json.loads(l).get("id")) for l in open(sys.argv[1])]' "$1"; }
in_ids() { $PY -c '
import json, sys
def strict(name):
    raise ValueError(name)  # NaN and Infinity are not JSON
for l in open(sys.argv[1]):
    if not l.strip():
        continue
    try:
        d = json.loads(l, parse_constant=strict)
        print(d.get("id") if isinstance(d, dict) and isinstance(d.get("id"), str) else None)
    except ValueError:
        print(None)' "$1"; }
check "--jobs 8 keeps input order" [ "$(ids "$TMP/out8.jsonl")" = "$(in_ids "$TMP/deals.jsonl")" ]
check "repeats of scored deals are duplicate_id" $PY -c '
import json, sys
out = [json.loads(l) for l in open(sys.argv[1])]
first, again = out[:200], out[-200:]
assert sum("verdict" in r for r in first) > 100
for a, b in zip(first, again):
    if "verdict" in a:
        assert b.get("error", {}).get("code") == "duplicate_id", (a["id"], b)
' "$TMP/out8.jsonl"
check "duplicate message names the line" contains "$TMP/out8.jsonl" 'deals.jsonl:[0-9]*: deal id \\"D7-00000\\" was already scored' 
check "... and the line the id came first on" $PY -c '
import json, sys
lines = open(sys.argv[1]).read().split("\n")
first = {}
for n, l in enumerate(lines, 1):
    try:
        d = json.loads(l)
    except ValueError:
        continue
    if isinstance(d, dict) and isinstance(d.get("id"), str):
        first.setdefault(d["id"], n)
out = [json.loads(l) for l in open(sys.argv[2])]
dups = [r for r in out if r.get("error", {}).get("path") == "$.id"]
assert len(dups) > 100, len(dups)
for r in dups:
    assert r["error"]["message"].endswith("(first on line %d)" % first[r["id"]]), r
' "$TMP/deals.jsonl" "$TMP/out8.jsonl"
for j in 1 8; do "$DS" score -q -j "$j" --explain "$TMP/deals.jsonl" >"$TMP/explain$j.jsonl"; done
check "--explain identical for 1 and 8 jobs" cmp -s "$TMP/explain1.jsonl" "$TMP/explain8.jsonl"

# exit status and summary (stderr is not a terminal: no progress line)
expect_exit "errors exit 1 under --jobs" 1 "$DS" score --jobs 4 "$TMP/deals.jsonl"
check "summary counts every deal" contains "$TMP/err" "^dealscore: $n deals, "
check "no progress line off a terminal" [ "$(tr -cd '\r' <"$TMP/err" | wc -c)" -eq 0 ]
check "summary is one line (and the as_of notice)" [ "$(grep -vc 'staleness was not judged' "$TMP/err")" -eq 1 ]
expect_exit "--jobs 0 is a usage error" 2 "$DS" score --jobs 0 "$TMP/deals.jsonl"
expect_exit "--jobs x is a usage error" 2 "$DS" score --jobs x "$TMP/deals.jsonl"
expect_exit "--format xml is a usage error" 2 "$DS" score --format xml "$TMP/deals.jsonl"

# --format csv: one row per deal with RFC 4180 quoting, same order and values
printf 'return {name="q", version=1, score=function(deal, s)\n  return {viability = 42, verdict = "shape", reasons = {"says \\"hi\\", twice", "line\\nbreak"}}\nend}\n' >"$TMP/quote.lua"
"$DS" score -q -j 3 --format csv "$TMP/deals.jsonl" >"$TMP/out.csv"
"$DS" score -q -j 3 --format csv --policy "$TMP/quote.lua" "$TMP/deals.jsonl" >"$TMP/quote.csv"
check "csv rows match the JSONL results" $PY - "$TMP/out.csv" "$TMP/out1.jsonl" "$TMP/quote.csv" <<'PYEOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
results = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(results), (len(rows), len(results))
for row, r in zip(rows, results):
    assert row["id"] == (r["id"] or ""), (row, r)
    if "error" in r:
        assert row["verdict"] == "error" and row["error_code"] == r["error"]["code"], row
        assert row["error_path"] == r["error"]["path"] and row["viability"] == ""
    else:
        assert float(row["viability"]) == r["scores"]["viability"], row
        assert float(row["it_resistance"]) == r["scores"]["it_resistance"], row
        assert row["verdict"] == r["verdict"]
        assert row["reasons"] == ";".join(r["reasons"]) and row["warnings"] == ";".join(r["warnings"])
quoted = list(csv.DictReader(open(sys.argv[3], newline="")))
ok = [q for q in quoted if q["verdict"] == "shape"]
assert ok and all(q["reasons"] == 'says "hi", twice;line\nbreak' for q in ok), ok[:1]
PYEOF

finish
