#!/usr/bin/env bash
# dealscore serve as a client meets it: usage, the protocol with nc and with a
# Python client, pipelining, every error path and every bound.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
EX=$SRC/models/examples/pipeline.jsonl

# usage and setup errors: exit 2, with a message
expect_exit "serve --help" 0 "$DS" serve --help
check "serve --help documents the protocol" contains "$TMP/out" "docs/protocol.md"
check "--help lists serve" sh -c "'$DS' --help | grep -q serve"
expect_exit "bad --listen" 2 "$DS" serve --listen nowhere
expect_exit "bad --workers" 2 "$DS" serve --workers 0
expect_exit "bad --max-line" 2 "$DS" serve --max-line lots
expect_exit "bad --policy" 2 "$DS" serve --policy "bad name=x.lua"
expect_exit "missing token file" 2 "$DS" serve --token-file "$TMP/none"
check "missing token file named" contains "$TMP/err" "$TMP/none"
expect_exit "a host name that does not resolve" 2 "$DS" serve --listen nonexistent.invalid:7411
check "the name is said" contains "$TMP/err" "cannot resolve 'nonexistent.invalid'"
echo 'return {name = "broken", version = 1, score = function( end}' >"$TMP/broken.lua"
expect_exit "policy that does not load" 2 "$DS" serve --listen 127.0.0.1:0 --policy "$TMP/broken.lua"
check "policy error names file and line" contains "$TMP/err" "broken.lua:1:"

start_server "$TMP/server.log" || fail "server did not start: $(cat "$TMP/server.log")"
check "log line has time and level" grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z info listening' "$TMP/server.log"
expect_exit "port in use" 2 "$DS" serve --listen "127.0.0.1:$PORT"
check "port in use is said" contains "$TMP/err" "cannot listen"

# nc: a whole export, answered as `dealscore score` answers it
"$DS" score -q "$EX" >"$TMP/expected.jsonl"
nc -N 127.0.0.1 "$PORT" <"$EX" >"$TMP/nc.jsonl"
check "nc: export answered like dealscore score" cmp -s "$TMP/nc.jsonl" "$TMP/expected.jsonl"
printf '{"op":"ping","id":"nc"}' | nc -N 127.0.0.1 "$PORT" >"$TMP/ping"
check "nc: ping without a final newline" grep -qx '{"id":"nc","pong":true,"version":"[0-9.]*","generation":1}' "$TMP/ping"

# Python: pipelining, concurrency, errors, bounds
$PY "$SRC/tests/reference/gen_deals.py" --seed 5 --count 600 >"$TMP/deals.jsonl"
"$DS" score -q "$TMP/deals.jsonl" >"$TMP/deals.expected" 2>/dev/null
check "pipelined batch" client pipelined "$TMP/deals.jsonl" "$TMP/deals.expected"
check "concurrent connections" client concurrent "$TMP/deals.jsonl" "$TMP/deals.expected"
check "error paths" client errors
check "policies op" sh -c "$CLIENT policies $PORT default=default@1 >/dev/null"
"$DS" score -q --actions "$EX" >"$TMP/actions.expected"
check "op actions answers as score --actions" client actions "$EX" "$TMP/actions.expected"
head -n 150 "$TMP/deals.jsonl" >"$TMP/some.jsonl"
"$DS" score -q --actions "$TMP/some.jsonl" >"$TMP/some.expected" 2>/dev/null
check "op actions on generated deals" client actions "$TMP/some.jsonl" "$TMP/some.expected"
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]

# op actions with a named policy that adds actions of its own (docs/policies.md)
cat >"$TMP/own.lua" <<'EOF'
local p = { name = "own", version = 2 }
function p.score(deal, s)
  local v = math.max(0, math.min(100, 0.5 * s.capability_roi + 0.5 * s.strategic_roi - 0.2 * s.it_resistance))
  return { viability = v, verdict = v >= 50 and "shape" or "at_risk", reasons = {} }
end
function p.actions(deal, s)
  return { { action = "security_review", patch = { solution = { security_risk = 0.1 } } },
           { action = "prototype", patch = { solution = { prototype = true, capability = 1 } } } }
end
return p
EOF
start_server "$TMP/own.log" --policy "$SRC/scripts/default.lua" --policy "own=$TMP/own.lua" ||
    fail "server with two policies did not start"
"$DS" score -q --actions --policy "$TMP/own.lua" "$EX" >"$TMP/own.expected"
check "op actions with the policy's own actions" client actions "$EX" "$TMP/own.expected" own
check "the policy's own actions are answered" contains "$TMP/own.expected" '"action":"security_review"'
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); del m["actions"]; json.dump(m, open(sys.argv[2],"w"))' \
    "$SRC/models/default.json" "$TMP/noactions.json"
start_server "$TMP/noactions.log" --model "$TMP/noactions.json" || fail "server did not start"
check "op actions without the model's actions section" client unsupported_actions
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]
check "stop is logged" contains "$TMP/server.log" "stopped after"

start_server "$TMP/small.log" --max-line 4096 --max-connections 3 --idle-timeout 0.5 ||
    fail "bounded server did not start"
check "line too long" client too_long 4096
check "max connections" client max_connections 3
check "refusal is logged" contains "$TMP/small.log" "refused a connection"
check "idle timeout" client idle
stop_server
check "bounded server stopped with 0" [ "$STATUS" = 0 ]

start_server "$TMP/refuse.log" --max-connections 2 || fail "bounded server did not start"
check "over the limit: HTTP 503, lines an error line, silent clients too" client refusals 2
stop_server
check "bounded server stopped with 0" [ "$STATUS" = 0 ]

printf 's3cret-token\n' >"$TMP/token"
chmod 600 "$TMP/token"
start_server "$TMP/token.log" --token-file "$TMP/token" || fail "token server did not start"
check "token for stats and reload" client token s3cret-token
stop_server
check "token server stopped with 0" [ "$STATUS" = 0 ]
finish
