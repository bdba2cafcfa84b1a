#!/usr/bin/env bash
# --format csv and spreadsheet formulas (QA pass 2, F16). A CSV cell that starts
# with = + - @, a tab or a CR is a formula to Excel, LibreOffice and Google
# Sheets (OWASP: CSV injection); ids, reasons and messages come from the export
# and from policies. Plain csv is loaded back into the CRM, so it keeps every
# cell as it is and says how many such cells it wrote; csv-sheet is for opening
# in a spreadsheet: each such text cell gets a ' before it (shown as text), and
# every other cell is the same as in csv. Every starting character of the class
# is tried, in the id and in a policy's reason.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
cd "$TMP" || exit 2
$PY - "$EX" <<'PYEOF'
import json, sys
base = json.loads(open(sys.argv[1]).readline())
ids = ['=HYPERLINK("http://x","a")', "@SUM(1+1)", "+1-2", "-3+4", "\tTAB", "\rCR", "plain", "a=b"]
with open("deals.jsonl", "w") as f:
    for i in ids:
        f.write(json.dumps(dict(base, id=i)) + "\n")
    f.write(json.dumps({"id": "=bad", "amount": "x"}) + "\n")  # an error row
json.dump(ids + ["=bad"], open("ids.json", "w"))
PYEOF
cat >reason.lua <<'LUAEOF'
local policy = { name = "formula", version = 1 }
function policy.score(deal, s)
  return { viability = 50, verdict = "shape", reasons = { "=cmd|' /C calc'!A0", "second" } }
end
return policy
LUAEOF

expect_exit "csv: exit 1 (one error row)" 1 "$DS" score -f csv deals.jsonl
mv "$TMP/out" plain.csv
check "csv: says how many cells start as formulas" contains "$TMP/err" \
    "note: 7 CSV cells start with = + - @, a tab or a CR.*--format csv-sheet"
expect_exit "csv-sheet: exit 1" 1 "$DS" score -q -f csv-sheet deals.jsonl
mv "$TMP/out" sheet.csv
check "csv-sheet: no note" [ ! -s "$TMP/err" ]
expect_exit "csv -q: no note" 1 "$DS" score -q -f csv deals.jsonl
check "csv -q: quiet" [ ! -s "$TMP/err" ]
check "ids: csv keeps them, csv-sheet defuses each one that starts as a formula" $PY - <<'PYEOF'
import csv, json
ids = json.load(open("ids.json"))
plain = list(csv.reader(open("plain.csv", newline="")))
sheet = list(csv.reader(open("sheet.csv", newline="")))
assert plain[0] == sheet[0] and len(plain) == len(sheet) == len(ids) + 1
for want, p, s in zip(ids, plain[1:], sheet[1:]):
    assert p[0] == want, (p[0], want)
    risky = want[0] in "=+-@\t\r"
    assert s[0] == ("'" + want if risky else want), (s[0], want)
    assert p[1:] == s[1:], (p, s)  # every other cell the same
for line in open("sheet.csv", newline=""):
    assert line[0] not in "=+-@\t\r", line
PYEOF
expect_exit "a policy's reason: csv" 0 "$DS" score -f csv -p reason.lua "$EX"
check "reason: csv keeps it" grep -q ",=cmd|' /C calc'!A0;second," "$TMP/out"
expect_exit "a policy's reason: csv-sheet" 0 "$DS" score -f csv-sheet -p reason.lua "$EX"
check "reason: csv-sheet defuses it" grep -q ",\"'=cmd|' /C calc'!A0;second\"," "$TMP/out"
expect_exit "--explain with csv-sheet: usage error" 2 "$DS" score --explain -f csv-sheet "$EX"
check "--explain with csv-sheet: names the format" contains "$TMP/err" "csv-sheet"
finish
