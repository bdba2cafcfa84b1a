#!/usr/bin/env bash
# Keys not read as written (QA findings F27, F26; docs/model.md "Unknown and
# repeated keys"): a near miss of a field ("Stance", "capabilty") leaves the
# field's default, so every front end says so beside the result (a note on
# standard error, once per key path with the number of deals; `check` lists
# each), never in the result line; custom CRM fields with other names are not
# mentioned. Of a repeated key the last is read, as Python's json and jq read
# it, and that is noted too.
. "$(dirname "$0")/lib.sh"

head -n 1 "$SRC/models/examples/pipeline.jsonl" >"$TMP/one.jsonl"

# the first example deal, with a typo in solution and the CRM's label case on
# every stakeholder's stance; twice, and once with custom fields only
$PY - "$TMP/one.jsonl" "$TMP" <<'PYEOF'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
out = sys.argv[2]
def typo(d, i):
    t = json.loads(json.dumps(d))
    t["id"] = "TYPO-%d" % i
    t["solution"]["capabilty"] = t["solution"].pop("capability")
    for h in t["stakeholders"]:
        if "stance" in h: h["Stance"] = h.pop("stance")
    return t
custom = json.loads(json.dumps(d))
custom["id"] = "CUSTOM"
custom.update({"Owner": "kim", "region": "EMEA", "ACCOUNTID": "001A", "probability": 40})
for h in custom["stakeholders"]:
    h.update({"email": "x@example.com", "phone": "1", "team": "ops", "ID": h["id"]})
with open(out + "/typo.jsonl", "w") as f:
    for i in (1, 2): f.write(json.dumps(typo(d, i)) + "\n")
with open(out + "/custom.jsonl", "w") as f: f.write(json.dumps(custom) + "\n")
# defaults: the same deal without the fields the typos hide
plain = typo(d, 1)
del plain["solution"]["capabilty"]
for h in plain["stakeholders"]: h.pop("Stance", None)
with open(out + "/defaults.jsonl", "w") as f: f.write(json.dumps(plain) + "\n")
# a stance given twice, as a string-concatenating exporter writes it
line = json.dumps(d)
first = d["stakeholders"][0]
assert "stance" in first
fs = json.dumps(first)
dup = line.replace(fs, fs[:-1] + ', "stance": -0.95}', 1)
assert dup != line
with open(out + "/dup.jsonl", "w") as f: f.write(dup + "\n")
PYEOF
n_sh=$($PY -c 'import json,sys; print(sum("stance" in h for h in json.loads(open(sys.argv[1]).readline())["stakeholders"]))' "$TMP/one.jsonl")

"$DS" score "$TMP/typo.jsonl" >"$TMP/typo.out" 2>"$TMP/typo.err"
check "score exits 0 (unknown keys are no error)" [ $? -eq 0 ]
check "capabilty is named once, with the number of deals" \
    [ "$(grep -c 'note: 2 deals have \$\.solution\.capabilty, which dealscore does not read; did you mean "capability"?' "$TMP/typo.err")" -eq 1 ]
check "Stance is named once for all stakeholders of all deals" \
    [ "$(grep -c 'note: 2 deals have \$\.stakeholders\[\]\.Stance, which dealscore does not read; did you mean "stance"?' "$TMP/typo.err")" -eq 1 ]
check "two notes only" [ "$(grep -c 'note:' "$TMP/typo.err")" -eq 2 ]
# the result is what the input says: the defaults, no warning, no extra key
"$DS" score -q "$TMP/defaults.jsonl" >"$TMP/defaults.out"
check "the result line is the defaults' result" [ "$(sed 's/"TYPO-2"/"TYPO-1"/' "$TMP/typo.out" | sort -u)" = "$(cat "$TMP/defaults.out")" ]
check "nothing of it in the result line" bash -c "! grep -q 'capabilty\|Stance\|key' '$TMP/typo.out'"
"$DS" score --jobs 2 -o /dev/null "$TMP/typo.jsonl" "$TMP/typo.jsonl" 2>"$TMP/jobs.err"
check "--jobs 2: the engines' counts are added" contains "$TMP/jobs.err" 'note: 4 deals have \$\.stakeholders\[\]\.Stance'
check "--jobs 2: one line per path" [ "$(grep -c 'Stance' "$TMP/jobs.err")" -eq 1 ]
"$DS" score -q "$TMP/typo.jsonl" >/dev/null 2>"$TMP/quiet.err"
check "--quiet: no notes" [ ! -s "$TMP/quiet.err" ]

"$DS" score -o /dev/null "$TMP/custom.jsonl" 2>"$TMP/custom.err"
check "custom CRM fields with other names are not noisy" bash -c "! grep -q 'note:' '$TMP/custom.err'"

"$DS" check "$SRC/scripts/default.lua" "$TMP/typo.jsonl" >"$TMP/check.out" 2>"$TMP/check.err"
check "check passes the policy (input problems do not fail it)" [ $? -eq 0 ]
check "check lists each near miss of each deal" \
    [ "$(grep -c '^key  TYPO-[12] .*\$\.solution\.capabilty is not read by dealscore; did you mean "capability"?' "$TMP/check.out")" -eq 2 ]
check "check names the stakeholder's index" contains "$TMP/check.out" '^key  TYPO-1 .*\$\.stakeholders\[0\]\.Stance is not read'
check "check: the run's notes" contains "$TMP/check.err" 'dealscore check: note: 2 deals have \$\.solution\.capabilty'
check "check --quiet still lists them" bash -c "'$DS' check -q '$SRC/scripts/default.lua' '$TMP/typo.jsonl' 2>/dev/null | grep -q '^key  TYPO-1'"

"$DS" explain "$TMP/typo.jsonl" --id TYPO-1 >/dev/null 2>"$TMP/explain.err"
check "explain says it too" contains "$TMP/explain.err" 'dealscore explain: note: 1 deal has \$\.solution\.capabilty'

# F26: the last of a repeated key is read, as Python's json reads the line
"$DS" score "$TMP/dup.jsonl" >"$TMP/dup.out" 2>"$TMP/dup.err"
$PY -c 'import json,sys; print(json.dumps(json.loads(open(sys.argv[1]).read())))' "$TMP/dup.jsonl" >"$TMP/py.jsonl"
"$DS" score -q "$TMP/py.jsonl" >"$TMP/py.out"
check "a repeated key scores as Python's json reads it (the last)" cmp -s "$TMP/dup.out" "$TMP/py.out"
"$DS" score -q "$TMP/one.jsonl" >"$TMP/first.out"
check "and not as the first" bash -c "! cmp -s '$TMP/dup.out' '$TMP/first.out'"
check "a repeated key is noted with its path" contains "$TMP/dup.err" 'note: 1 deal gives \$\.stakeholders\[\]\.stance more than once in one object; the last one is read'
[ "$n_sh" -gt 0 ] && ok || fail "the example deal has stances"
finish
