#!/usr/bin/env bash
# `dealscore map`: the DOT parses with Graphviz's dot and has the expected nodes,
# clusters, edges and the highlighted champion-to-buyer path; hostile names cannot
# break out of DOT strings; --format svg with and without Graphviz.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
if ! command -v dot >/dev/null; then
    echo "Graphviz's dot is missing: run make test (it installs graphviz)" >&2
    exit 1
fi

n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s\n' "$line" >"$TMP/deal.json"
    id=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$TMP/deal.json")
    "$DS" map --id "$id" "$EX" >"$TMP/$n.dot" 2>"$TMP/err"
    check "$id: dot parses the map" dot -Tjson -o "$TMP/$n.json" "$TMP/$n.dot"
    check "$id: nodes, clusters, edges and path" $PY "$SRC/tests/e2e/check_map.py" "$TMP/deal.json" "$TMP/$n.json"
done <"$EX"
check "the example with a champion path highlights it" grep -q 'champion_path' "$TMP/1.dot"

# generated deals: every relationship type, missing names, bigger graphs
$PY "$SRC/tests/reference/gen_deals.py" --seed 5 --count 25 >"$TMP/gen.jsonl"
i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s\n' "$line" >"$TMP/g.json"
    "$DS" map "$TMP/g.json" >"$TMP/g.dot" 2>/dev/null || continue
    dot -Tjson -o "$TMP/g.out" "$TMP/g.dot" && $PY "$SRC/tests/e2e/check_map.py" "$TMP/g.json" "$TMP/g.out" >/dev/null ||
        fail "generated deal $i: map does not check out"
done <"$TMP/gen.jsonl"
ok

# hostile strings: quotes, backslashes, newlines, escapes, braces
$PY - >"$TMP/evil.json" <<'PYEOF'
import json
names = ['a"b', 'back\\slash\\N', 'line\nbreak', 'esc\x1b[31m', '}; digraph x {', '\\"]; evil [', 'bidi\u202eltr']
people = [{"id": n + str(i), "name": n, "title": n, "roles": ["champion"] if i == 0 else [],
           "can_buy": i == 1} for i, n in enumerate(names)]
rels = [{"from": people[i]["id"], "to": people[i + 1]["id"], "type": "trusts", "strength": 0.9}
        for i in range(len(people) - 1)]
print(json.dumps({"id": 'deal "quoted" \\ id', "name": "x\ny", "stakeholders": people, "relationships": rels}))
PYEOF
"$DS" map "$TMP/evil.json" >"$TMP/evil.dot"
check "hostile names: dot parses the map" dot -Tjson -o "$TMP/evil.out" "$TMP/evil.dot"
check "hostile names: same nodes and edges" $PY "$SRC/tests/e2e/check_map.py" "$TMP/evil.json" "$TMP/evil.out"
esc=$(printf '\033')
check "hostile names: no raw escape in the DOT" bash -c "! grep -q '$esc' '$TMP/evil.dot'"

# svg
"$DS" map --id NBM-2026-014 --format svg "$EX" >"$TMP/map.svg"
check "--format svg writes SVG" grep -q '<svg' "$TMP/map.svg"
check "the SVG has the stakeholders" grep -q 'Daniel Okafor' "$TMP/map.svg"
mkdir -p "$TMP/bin"
ln -s "$(command -v dirname)" "$TMP/bin/dirname"
PATH=$TMP/bin expect_exit "--format svg without Graphviz" 2 "$DS" map --id NBM-2026-014 --format svg "$EX"
check "says to install graphviz" contains "$TMP/err" "graphviz"

# usage
expect_exit "several deals need --id" 2 "$DS" map "$EX"
check "says to use --id" contains "$TMP/err" "--id"
expect_exit "unknown id" 1 "$DS" map --id nope "$EX"
expect_exit "bad format" 2 "$DS" map --format png "$EX"
expect_exit "--help" 0 "$DS" map --help
check "--help has the policy options of score" contains "$TMP/out" "policy-instructions"
expect_exit "a policy that does not load" 2 "$DS" map --id NBM-2026-014 --policy "$TMP/none.lua" "$EX"
check "says which policy" contains "$TMP/err" "none.lua"
finish
