#!/usr/bin/env bash
# dealscore score --server: the deals scored by a running service print exactly
# what local scoring prints (every format and addition, errors and duplicates
# included), with the same summary and exit status; serve --listen takes host
# names and :PORT.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
EX=$SRC/models/examples/pipeline.jsonl

# generated deals, some broken, some repeated: errors and duplicates too
$PY "$SRC/tests/reference/gen_deals.py" --seed 9 --count 400 >"$TMP/deals.jsonl"
printf '%s\n' '{"id": "r1", "stakeholders": [{"id": "a", "influence": 3}]}' '{"id": "r2", oops' \
    '{"id": "r3", "stakeholders": "x"}' >>"$TMP/deals.jsonl"
head -n 5 "$TMP/deals.jsonl" >>"$TMP/deals.jsonl"

start_server "$TMP/server.log" || fail "server did not start: $(cat "$TMP/server.log")"
IN=/dev/null
same() { # same NAME ARGS...: local and --server runs print the same, exit the same
    local name=$1
    shift
    "$DS" score "$@" <"$IN" >"$TMP/local.out" 2>"$TMP/local.err"
    local a=$?
    "$DS" score --server "127.0.0.1:$PORT" "$@" <"$IN" >"$TMP/remote.out" 2>"$TMP/remote.err"
    local b=$?
    check "$name: same output" cmp -s "$TMP/local.out" "$TMP/remote.out"
    check "$name: same exit status ($a, $b)" [ "$a" = "$b" ]
    sed -n 's/ in [0-9.]* s (.*//p' "$TMP/local.err" >"$TMP/local.sum"
    sed -n 's/ in [0-9.]* s (.*//p' "$TMP/remote.err" >"$TMP/remote.sum"
    check "$name: same summary ($(cat "$TMP/remote.sum"))" cmp -s "$TMP/local.sum" "$TMP/remote.sum"
}
same "example pipeline" "$EX"
same "generated, with errors and duplicates" "$TMP/deals.jsonl"
same "--explain" --explain "$TMP/deals.jsonl"
same "--actions" --actions "$EX"
same "--questions" --questions "$EX"
same "-f table" -f table "$TMP/deals.jsonl"
same "-f csv" -f csv "$TMP/deals.jsonl"
IN=$TMP/deals.jsonl same "standard input, one job" -j 1 -
"$DS" score -q "$EX" >"$TMP/expected"
"$DS" score -q --server "localhost:$PORT" "$EX" >"$TMP/byname"
check "--server localhost:PORT" cmp -s "$TMP/expected" "$TMP/byname"
"$DS" score -q --server ":$PORT" "$EX" >"$TMP/colon"
check "--server :PORT" cmp -s "$TMP/expected" "$TMP/colon"

expect_exit "--server with --policy: usage" 2 "$DS" score --server ":$PORT" --policy "$SRC/scripts/default.lua" "$EX"
check "--policy refused with a reason" contains "$TMP/err" "server's model, policies"
expect_exit "--server with two additions: usage" 2 "$DS" score --server ":$PORT" --explain --actions "$EX"
expect_exit "--server not a HOST:PORT" 2 "$DS" score --server nowhere "$EX"
stop_server
expect_exit "--server where nothing listens" 2 "$DS" score --server "127.0.0.1:$PORT" "$EX"
check "says it cannot connect" contains "$TMP/err" "cannot connect"

# serve --listen: host names and :PORT
start_server_at() { # LOG ADDRESS: like start_server, any address
    "$DS" serve --listen "$2" --workers 1 2>"$1" &
    SPID=$!
    SERVERS="$SERVERS $SPID"
    for _ in $(seq 200); do
        PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' "$1" | head -n 1)
        [ -n "$PORT" ] && return 0
        kill -0 "$SPID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
start_server_at "$TMP/name.log" localhost:0 || fail "serve --listen localhost:0 did not start: $(cat "$TMP/name.log")"
check "--listen localhost: logs the address bound" grep -qE 'listening on (127\.0\.0\.1|\[::1\]):[0-9]+ ' "$TMP/name.log"
"$DS" score -q --server "localhost:$PORT" "$EX" >"$TMP/listen-name"
check "--listen localhost:0 serves" cmp -s "$TMP/expected" "$TMP/listen-name"
stop_server
start_server_at "$TMP/any.log" :0 || fail "serve --listen :0 did not start: $(cat "$TMP/any.log")"
check "--listen :PORT is every IPv4 interface" grep -q 'listening on 0\.0\.0\.0:' "$TMP/any.log"
"$DS" score -q --server "127.0.0.1:$PORT" "$EX" >"$TMP/listen-any"
check "--listen :0 serves" cmp -s "$TMP/expected" "$TMP/listen-any"
stop_server
finish
