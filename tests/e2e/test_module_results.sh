#!/bin/bash
# test_module_results.sh: `require "dealscore"` gives, for every deal, the table
# that the program's result line parses to: same keys, same strings, numbers
# rounded as written (lib/dealscore.h's typed result, pushed without writing
# and re-parsing JSON). Compared in one canonical form printed by Lua and by
# Python, on the example pipeline plus invalid deals, plain and with explain.
. "$(dirname "$0")/lib.sh" "$@"
MODULE_DIR=$(dirname "$DS")/lua
[ -f "$MODULE_DIR/dealscore.so" ] || { echo "FAIL: no $MODULE_DIR/dealscore.so" >&2; exit 1; }
# an instrumented module (make asan) needs the sanitizer runtimes loaded first,
# as tests/CMakeLists.txt gives the policy tests
PRELOAD=
if ldd "$MODULE_DIR/dealscore.so" | grep -q libasan; then
    PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
fi

IN=$TMP/deals.jsonl
cat "$SRC/models/examples/pipeline.jsonl" >"$IN"
printf '%s\n' '{"id":"bad-amount","amount":"lots","stakeholders":[]}' '{not json' \
    '{"id":42,"stakeholders":[{"id":"a","roles":["nobody"]}]}' >>"$IN"

cat >"$TMP/canon.lua" <<'LUA'
package.cpath = arg[1] .. "/?.so;" .. package.cpath
local ds = require "dealscore"
local function canon(v)
    local t = type(v)
    if t == "number" then return string.format("%.17g", v) end
    if t == "string" then return string.format("%q", v) end
    if t == "boolean" then return tostring(v) end
    if t ~= "table" then return "nil" end
    local n, keys = #v, {}
    for k in pairs(v) do keys[#keys + 1] = k end
    if #keys == n then -- an array (or empty)
        local out = {}
        for i = 1, n do out[i] = canon(v[i]) end
        return "[" .. table.concat(out, ",") .. "]"
    end
    table.sort(keys)
    local out = {}
    for _, k in ipairs(keys) do out[#out + 1] = string.format("%q", k) .. ":" .. canon(v[k]) end
    return "{" .. table.concat(out, ",") .. "}"
end
local explain = arg[4] == "explain"
for line in io.lines(arg[2]) do
    print(canon(ds.score(line, arg[3], {explain = explain})))
end
LUA

cat >"$TMP/canon.py" <<'PY'
import json, sys
def canon(v):
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, (int, float)): return "%.17g" % float(v)
    if isinstance(v, str): return lua_quote(v)
    if v is None: return "nil"
    if isinstance(v, list) or not v: return "[" + ",".join(canon(x) for x in v) + "]"
    items = sorted((k, x) for k, x in v.items() if x is not None)
    return "{" + ",".join(lua_quote(k) + ":" + canon(x) for k, x in items) + "}"
def lua_quote(s):  # string.format("%q") for the characters results hold
    out = ['"']
    for ch in s:
        if ch in '"\\': out.append("\\" + ch)
        elif ch == "\n": out.append("\\n")
        elif ch == "\r": out.append("\\r")
        elif ch == "\0": out.append("\\0")
        else: out.append(ch)
    out.append('"')
    return "".join(out)
for line in sys.stdin:
    print(canon(json.loads(line)))
PY

for mode in plain explain; do
    flag=; [ $mode = explain ] && flag=--explain
    # the module names a deal's position "deal", the program "FILE:LINE": messages
    # are compared with that part taken out
    "$DS" score --quiet $flag "$IN" >"$TMP/$mode.jsonl"
    $PY "$TMP/canon.py" <"$TMP/$mode.jsonl" | sed "s|$IN:[0-9]*|deal|g" >"$TMP/$mode.py"
    LUA_PATH= LD_PRELOAD=$PRELOAD lua5.4 "$TMP/canon.lua" "$MODULE_DIR" "$IN" "$SRC/scripts/default.lua" $mode \
        >"$TMP/$mode.lua" 2>"$TMP/$mode.err"
    check "$mode: module ran ($(head -c 300 "$TMP/$mode.err"))" test -s "$TMP/$mode.lua"
    check "$mode: as many results as deals" test "$(wc -l <"$TMP/$mode.lua")" -eq "$(wc -l <"$IN")"
    if diff "$TMP/$mode.py" "$TMP/$mode.lua" >"$TMP/$mode.diff"; then ok; else
        fail "$mode: module tables differ from the program's lines: $(head -c 600 "$TMP/$mode.diff")"
    fi
done
check "explain tables hold factors" grep -q '"factors":{' "$TMP/explain.lua"
check "an invalid deal is an error table" grep -q '"error":{"code":"bad_type"' "$TMP/plain.lua"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
