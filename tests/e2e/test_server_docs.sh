#!/usr/bin/env bash
# The client examples of docs/protocol.md (Python standard library, Lua with
# LuaSocket) run as printed against a real server, so the docs stay true.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
# code_block LANG: the first ```LANG block of the protocol page, port 7411 replaced
code_block() {
    awk -v lang="$1" '$0 == "```" lang {on = 1; next} on && /^```/ {exit} on' \
        "$SRC/docs/protocol.md" | sed "s/7411/$PORT/g"
}
start_server "$TMP/server.log" || fail "server did not start"
code_block python >"$TMP/example.py"
(cd "$SRC" && $PY "$TMP/example.py") >"$TMP/py.out" 2>"$TMP/py.err"
rc=$?
check "python example runs ($(head -c 300 "$TMP/py.err"))" [ "$rc" -eq 0 ]
check "python example scores every deal" [ "$(wc -l <"$TMP/py.out")" -eq "$(grep -c . "$SRC/models/examples/pipeline.jsonl")" ]
check "python example prints verdicts" grep -qE ' (pursue|shape|at_risk|walk_away)$' "$TMP/py.out"
code_block lua >"$TMP/example.lua"
lua5.4 "$TMP/example.lua" >"$TMP/lua.out" 2>"$TMP/lua.err"
rc=$?
check "lua example runs ($(head -c 300 "$TMP/lua.err"))" [ "$rc" -eq 0 ]
check "lua example: policies then pong" grep -Eqx '\{"id":"ping","pong":true,"version":"[0-9.]+","generation":1\}' <(sed -n 2p "$TMP/lua.out")
check "lua example: policies listed" grep -q '"id":"p","generation":1,"policies":\[{"name":"default"' "$TMP/lua.out"
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]
finish
