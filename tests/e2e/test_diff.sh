#!/usr/bin/env bash
# `dealscore diff OLD NEW` on two crafted snapshots of the example pipeline: score
# and verdict changes agree with `dealscore score` on each side, stakeholders who
# appeared, left and moved, new and resolved warnings, added and removed deals;
# deal exports and result exports; the text format; errors.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
OLD=$TMP/old.jsonl
NEW=$TMP/new.jsonl
cp "$EX" "$OLD"
$PY - "$EX" "$NEW" <<'PYEOF'
import json, sys
deals = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {d["id"]: d for d in deals}
def person(deal, sid): return next(p for p in by[deal]["stakeholders"] if p["id"] == sid)
nbm = by["NBM-2026-014"]
nbm["stakeholders"] = [p for p in nbm["stakeholders"] if p["id"] != "kumar"]       # left
nbm["relationships"] = [r for r in nbm["relationships"] if "kumar" not in (r["from"], r["to"])]
nbm["stakeholders"].append({"id": "cto", "name": "Sam Okafor", "title": "CTO", "function": "it",
                            "level": "c_level", "stance": -0.4, "influence": 0.7})   # appeared
person("NBM-2026-014", "marsh")["stance"] = 0.1                                      # moved
person("TVC-2026-018", "moretti")["expectation_gap"] = 0.7                           # new gap
person("KOR-2026-011", "hughes")["last_contact"] = "2026-05-01"                      # goes stale
person("TVC-2026-018", "lindgren")["last_contact"] = "2026-11-01"                    # stale resolved
person("ASM-2026-007", "yilmaz")["convinced"].update(capability=True, strategic=True)  # verdict
del by["LRH-2026-003"]                                                               # removed
added = json.loads(json.dumps(by["NPM-2026-016"])); added["id"] = "NEW-2026-001"
with open(sys.argv[2], "w") as f:
    for d in deals:
        if d["id"] in by: f.write(json.dumps(d) + "\n")
    f.write(json.dumps(added) + "\n")                                                # added
PYEOF

"$DS" diff "$OLD" "$NEW" >"$TMP/diff.jsonl" 2>"$TMP/err"
check "diff of deal exports exits 0" [ $? -eq 0 ]
"$DS" score -q --explain "$OLD" >"$TMP/old.res"
"$DS" score -q --explain "$NEW" >"$TMP/new.res"
CHECK=$TMP/check.py
cat >"$CHECK" <<'PYEOF'
import json, sys
diff = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    diff[r["id"]] = r
old = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[2])}
new = {json.loads(l)["id"]: json.loads(l) for l in open(sys.argv[3])}
deals_given = sys.argv[4] == "deals"
order = [json.loads(l)["id"] for l in open(sys.argv[3])]
removed = [i for i in old if i not in new]
assert list(diff) == order + removed, (list(diff), order + removed)
assert diff["NEW-2026-001"]["change"] == "added" and diff["NEW-2026-001"]["new"]["verdict"] == new["NEW-2026-001"]["verdict"]
assert diff["LRH-2026-003"]["change"] == "removed" and diff["LRH-2026-003"]["old"]["viability"] == old["LRH-2026-003"]["scores"]["viability"]
for i in order:
    if i not in old:
        continue
    d = diff[i]
    for key, s in d["scores"].items():
        assert s["old"] == old[i]["scores"][key] and s["new"] == new[i]["scores"][key], (i, key, s)
        assert abs(s["change"] - (s["new"] - s["old"])) < 1e-9, (i, key, s)
    assert d["verdict"] == {"old": old[i]["verdict"], "new": new[i]["verdict"]}, (i, d["verdict"])
    ow, nw = set(old[i]["warnings"]), set(new[i]["warnings"])
    extra_new = {"expectation_gap:moretti"} if deals_given and i == "TVC-2026-018" else set()
    extra_new |= {"expectation_gap"} if not deals_given and i == "TVC-2026-018" and "expectation_gap" not in old[i]["reasons"] and "expectation_gap" in new[i]["reasons"] else set()
    assert set(d["new_warnings"]) == (nw - ow) | extra_new, (i, d["new_warnings"], nw - ow)
    assert set(d["resolved_warnings"]) == ow - nw, (i, d["resolved_warnings"])
    unchanged = (d["scores"] and all(s["change"] == 0 for s in d["scores"].values())
                 and not d["new_warnings"] and not d["resolved_warnings"]
                 and not any(d["stakeholders"].values()))
    assert (d["change"] == "unchanged") == unchanged, (i, d)
n = diff["NBM-2026-014"]["stakeholders"]
assert [p["id"] for p in n["appeared"]] == ["cto"] and [p["id"] for p in n["left"]] == ["kumar"], n
moved = {p["id"]: p for p in n["moved"]}
assert "marsh" in moved, n
if deals_given:
    assert n["appeared"][0]["name"] == "Sam Okafor"
    assert moved["marsh"]["stance"] == {"old": 0.7, "new": 0.1, "change": -0.6}, moved["marsh"]
assert "stale:hughes" in diff["KOR-2026-011"]["new_warnings"]
assert "stale:lindgren" in diff["TVC-2026-018"]["resolved_warnings"]
assert diff["ASM-2026-007"]["verdict"]["old"] != diff["ASM-2026-007"]["verdict"]["new"]
assert diff["OKC-2026-005"]["change"] == "unchanged"
PYEOF
check "deal exports: every change agrees with dealscore score" $PY "$CHECK" "$TMP/diff.jsonl" "$TMP/old.res" "$TMP/new.res" deals
check "expectation gap becomes a new warning" contains "$TMP/diff.jsonl" '"id":"TVC-2026-018".*"new_warnings":\[[^]]*"expectation_gap:moretti"'

# result exports (with --explain they carry stakeholders and predicted stances)
"$DS" diff "$TMP/old.res" "$TMP/new.res" >"$TMP/rdiff.jsonl"
check "result exports: every change agrees" $PY "$CHECK" "$TMP/rdiff.jsonl" "$TMP/old.res" "$TMP/new.res" results
"$DS" diff "$OLD" "$TMP/new.res" >"$TMP/mixed.jsonl"
check "a deal export against a result export" [ "$(grep -c '"change"' "$TMP/mixed.jsonl")" -eq 13 ]
"$DS" diff "$OLD" "$OLD" >"$TMP/same.jsonl"
check "a file against itself: all unchanged" [ "$(grep -c '"change":"unchanged"' "$TMP/same.jsonl")" -eq 12 ]

# text
"$DS" diff --format text "$OLD" "$NEW" >"$TMP/diff.txt"
check "text: summary line" contains "$TMP/diff.txt" "12 deals in NEW: 4 changed, 7 unchanged, 1 added; 1 removed"
check "text: appeared by name and title" contains "$TMP/diff.txt" "appeared: Sam Okafor (CTO)"
check "text: moved" contains "$TMP/diff.txt" "moved: Helen Marsh (Chief Financial Officer), stance +0.70 -> +0.10"
check "text: new warnings" contains "$TMP/diff.txt" "new warnings: .*stale:hughes"
check "text: verdict change" contains "$TMP/diff.txt" "ASM-2026-007: viability .*, at_risk -> "
check "text: unchanged deals are not listed" bash -c "! grep -q '^OKC-2026-005' '$TMP/diff.txt'"
check "text: added and removed" bash -c "grep -q '^added: NEW-2026-001' '$TMP/diff.txt' && grep -q '^removed: LRH-2026-003' '$TMP/diff.txt'"

# errors
{ cat "$NEW"; echo '{"id": "KOR-2026-011", "stakeholders": []}'; echo '{"id": "BAD", "stakeholders": 1}'; } >"$TMP/bad.jsonl"
expect_exit "a deal that cannot be scored is exit 1" 1 "$DS" diff "$OLD" "$TMP/bad.jsonl"
check "it is listed with its error" contains "$TMP/out" '"id":"BAD","change":"added","new":{"error":"bad_type"}'
check "a repeated id is reported" contains "$TMP/err" "repeats an earlier one"
{ cat "$NEW"; echo '[{"id": "cut",'; } >"$TMP/cut.jsonl"
expect_exit "a broken array at the end is exit 1" 1 "$DS" diff "$OLD" "$TMP/cut.jsonl"
check "it is named with its file and line" contains "$TMP/err" "cut.jsonl:[0-9]*.*(bad_json)"
check "the deals before it are compared" contains "$TMP/out" '"id":"NEW-2026-001","change":"added"'
expect_exit "one file" 2 "$DS" diff "$OLD"
expect_exit "missing file" 2 "$DS" diff "$OLD" "$TMP/none.jsonl"
expect_exit "bad format" 2 "$DS" diff --format csv "$OLD" "$NEW"
expect_exit "--help" 0 "$DS" diff --help
finish
