#!/usr/bin/env bash
# JSON input as people hand it over (QA findings F35, F15, F28): a pretty-printed
# deal (`jq . deal.json`) is one deal, not one bad_json row per line; a Latin-1
# byte is named as not UTF-8 (byte, line, what to do) and the deal keeps its id
# when that is readable; 1e400 is named as beyond the range of a double.
. "$(dirname "$0")/lib.sh"

head -n 1 "$SRC/models/examples/pipeline.jsonl" >"$TMP/one.jsonl"
sed -n 2p "$SRC/models/examples/pipeline.jsonl" >"$TMP/two.jsonl"
$PY - "$TMP" <<'PYEOF'
import json, sys
t = sys.argv[1]
one = json.loads(open(t + "/one.jsonl").read())
two = json.loads(open(t + "/two.jsonl").read())
open(t + "/pretty.json", "w").write(json.dumps(one, indent=2) + "\n")
open(t + "/pretty_tab.json", "w").write(json.dumps(one, indent="\t") + "\n")
open(t + "/pretty_two.json", "w").write(json.dumps(one, indent=2) + "\n" + json.dumps(two, indent=2) + "\n")
# a comma lost inside the first deal, a compact deal after it
broken = json.dumps(one, indent=2).replace('",\n', '"\n', 1)
open(t + "/pretty_broken.json", "w").write(broken + "\n" + json.dumps(two) + "\n")
# JSONL with a line cut short: the lines after it are deals of their own
open(t + "/cut.jsonl", "w").write(json.dumps(one)[:200] + "\n" + json.dumps(two) + "\n")
PYEOF
n_lines=$(wc -l <"$TMP/pretty.json")

"$DS" score -q "$TMP/one.jsonl" >"$TMP/compact.out"
"$DS" score -q "$TMP/pretty.json" >"$TMP/pretty.out"
check "a pretty-printed deal is one deal" [ "$(wc -l <"$TMP/pretty.out")" -eq 1 ]
check "scored as its compact line is" cmp -s "$TMP/compact.out" "$TMP/pretty.out"
check "(it spans $n_lines lines)" [ "$n_lines" -gt 50 ]
"$DS" score -q "$TMP/pretty_tab.json" >"$TMP/tab.out"
check "indented with tabs too" cmp -s "$TMP/compact.out" "$TMP/tab.out"
"$DS" score -q "$TMP/pretty_two.json" >"$TMP/two.out"
check "two pretty deals one after the other are two deals" [ "$(grep -c '"verdict"' "$TMP/two.out")" -eq 2 ]
expect_exit "no error: exit 0" 0 "$DS" score -q "$TMP/pretty_two.json"

"$DS" score -q "$TMP/pretty_broken.json" >"$TMP/broken.out"
check "a broken pretty deal is one error row" [ "$(grep -c '"error"' "$TMP/broken.out")" -eq 1 ]
check "named at its first line, with the line inside it" contains "$TMP/broken.out" '"code":"bad_json","message":"[^"]*pretty_broken.json:1: not valid JSON (at byte [0-9]*, line [0-9]* of the deal)"'
check "the deal after it is scored" [ "$(grep -c '"verdict"' "$TMP/broken.out")" -eq 1 ]
"$DS" score -q "$TMP/cut.jsonl" >"$TMP/cut.out"
check "JSONL: a line cut short costs itself only" [ "$(grep -c '"error"' "$TMP/cut.out")" -eq 1 ] 
check "JSONL: the next line is scored" [ "$(grep -c '"verdict"' "$TMP/cut.out")" -eq 1 ]
check "JSONL: the cut line is named at its line" contains "$TMP/cut.out" 'cut.jsonl:1: not valid JSON (at byte'

# F15: a Latin-1 byte
printf '{"id":"LAT-1","account":"M\xfcller GmbH","stakeholders":[]}\n{"id":"LAT-\xe92"}\n' >"$TMP/latin1.jsonl"
"$DS" score -q "$TMP/latin1.jsonl" >"$TMP/latin1.out"
check "named as not UTF-8, with the byte and what to do" contains "$TMP/latin1.out" '"id":"LAT-1","error":{"code":"bad_json","message":"[^"]*latin1.jsonl:1: not valid JSON: byte 27 (0xFC) is not UTF-8; JSON text is UTF-8 (is the file Latin-1 or Windows-1252? convert it: iconv -f windows-1252 -t utf-8)"'
check "an id that is itself not UTF-8 is not made up" contains "$TMP/latin1.out" '^{"id":null,"error":{"code":"bad_json","message":"[^"]*latin1.jsonl:2: not valid JSON: byte 12 (0xE9)'
printf '{"id":"NUL\0"}\n' >"$TMP/nul.jsonl"
"$DS" score -q "$TMP/nul.jsonl" >"$TMP/nul.out"
check "a NUL byte is named" contains "$TMP/nul.out" 'byte 11 is a NUL byte, which JSON text cannot hold'
check "plain syntax errors keep their message" bash -c "printf '{\"id\":\"a\",}\n' | '$DS' score -q - | grep -q 'not valid JSON (at byte 11)\"'"

# F28
printf '{"id":"BIG","amount":1e400}\n' | "$DS" score -q - >"$TMP/big.out"
check "1e400 is beyond the range of a double" contains "$TMP/big.out" '"code":"out_of_range","message":"<stdin>:1: $.amount is a number beyond the range of a double (about 1.8e308)"'
finish
