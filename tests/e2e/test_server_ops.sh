#!/usr/bin/env bash
# dealscore serve under trouble and operations: a slow reader, clients that vanish
# mid-response, reloads good and bad (op and SIGHUP), and shutdown with requests
# in flight.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
$PY "$SRC/tests/reference/gen_deals.py" --seed 7 --count 1500 >"$TMP/deals.jsonl"
"$DS" score -q "$TMP/deals.jsonl" >"$TMP/deals.expected" 2>/dev/null

# policies in a folder we can edit: default, and alt (the same rules, renamed)
cp "$SRC/scripts/default.lua" "$TMP/p.lua"
sed 's/name = "default"/name = "alt"/' "$SRC/scripts/default.lua" >"$TMP/alt.lua"
start_server "$TMP/server.log" --policy "default=$TMP/p.lua" --policy "alt=$TMP/alt.lua" ||
    fail "server did not start: $(cat "$TMP/server.log")"

check "slow reader" client slow_reader "$TMP/deals.jsonl" "$SPID"
check "disconnect mid-response" client disconnect "$TMP/deals.jsonl"

check "two policies listed" [ "$(client policies "default=default@1,alt=alt@1")" = 1 ]
check "requests name policies; stats count them" client policy_stats "$TMP/deals.jsonl"
sed -i 's/version = 1/version = 2/' "$TMP/p.lua"
check "reload picks up the edit" client reload ok default@2
check "generation 2" [ "$(client policies "default=default@2,alt=alt@1")" = 2 ]
echo 'return {name = "default", version = 3, score = nil +}' >"$TMP/p.lua"
client reload reload_failed default@2 >"$TMP/why" 2>&1
check "bad reload keeps the old policy" [ $? -eq 0 ]
check "bad reload says why (file:line)" contains "$TMP/why" "p.lua:1:"
check "bad reload logged" contains "$TMP/server.log" "reload failed, still serving generation 2"
check "still generation 2" [ "$(client policies "default=default@2,alt=alt@1")" = 2 ]
sed 's/version = 1/version = 4/' "$SRC/scripts/default.lua" >"$TMP/p.lua"
kill -HUP "$SPID"
for _ in $(seq 100); do grep -q "reloaded: generation 3" "$TMP/server.log" && break; sleep 0.05; done
check "SIGHUP reloads" [ "$(client policies "default=default@4,alt=alt@1")" = 3 ]

# shutdown with a batch in flight: every request received is answered, exit 0
rm -f "$TMP/sent"
# (the server now scores with the policy SIGHUP loaded, default@4)
"$DS" score -q --policy "$TMP/p.lua" "$TMP/deals.jsonl" >"$TMP/deals.expected4" 2>/dev/null
client inflight "$TMP/deals.jsonl" "$TMP/deals.expected4" "$TMP/sent" 2>"$TMP/inflight.err" &
CPID=$!
for _ in $(seq 400); do [ -s "$TMP/sent" ] && break; sleep 0.02; done
kill -TERM "$SPID"
wait "$CPID"
rc=$?
check "every request in flight answered ($(cat "$TMP/inflight.err"))" [ "$rc" -eq 0 ]
wait_exit "$SPID"
check "graceful shutdown exits 0" [ "$STATUS" = 0 ]
check "shutdown logged" contains "$TMP/server.log" "SIGTERM received"

# shutdown while a slow reader is paused with requests unread in its socket
start_server "$TMP/slow.log" || fail "server did not start"
rm -f "$TMP/paused"
client inflight_slow "$TMP/deals.jsonl" "$TMP/paused" 2>"$TMP/slow.err" &
CPID=$!
for _ in $(seq 400); do [ -s "$TMP/paused" ] && break; sleep 0.02; done
kill -TERM "$SPID"
wait "$CPID"
rc=$?
check "paused reader answered in full after SIGTERM ($(cat "$TMP/slow.err"))" [ "$rc" -eq 0 ]
wait_exit "$SPID"
check "exits 0 after the slow reader" [ "$STATUS" = 0 ]

# a second signal exits at once, even with a connection still owing a request
start_server "$TMP/second.log" || fail "server did not start"
rm -f "$TMP/ready"
client send_partial "$TMP/ready" &
CPID=$!
for _ in $(seq 200); do [ -s "$TMP/ready" ] && break; sleep 0.02; done
kill -INT "$SPID"
sleep 0.2
check "the first signal waits for the half-sent request" kill -0 "$SPID"
kill -INT "$SPID"
wait_exit "$SPID"
check "second signal exits 1 at once" [ "$STATUS" = 1 ]
wait "$CPID" 2>/dev/null

# only named policies: the first is the default, and nothing else is loaded (the
# bundled scripts/default.lua is not even looked for: DEALSCORE_HOME has none)
mkdir -p "$TMP/nohome"
DEALSCORE_HOME="$TMP/nohome" start_server "$TMP/named.log" -m "$SRC/models/default.json" \
    --policy "a=$SRC/scripts/examples/it_first.lua" \
    --policy "b=$SRC/scripts/examples/enterprise_conservative.lua" ||
    fail "server with named policies only did not start: $(cat "$TMP/named.log")"
check "only the named policies are loaded" \
    [ "$(client policies "a=it_first@1,b=enterprise_conservative@1")" = 1 ]
check "the first named policy scores what names none; reload needs no default" \
    client reload ok it_first@1
finish
