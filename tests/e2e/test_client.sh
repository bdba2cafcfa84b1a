#!/usr/bin/env bash
# dealscore score --server: the deals scored by a running service print exactly
# what local scoring prints (every format and addition, errors and duplicates
# included), with the same summary and exit status; explain, check and diff
# --server print what their local runs print; serve --listen takes host names
# and :PORT.
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

expect_exit "--server with --policy NAME=FILE: usage" 2 "$DS" score --server ":$PORT" --policy "x=$SRC/scripts/default.lua" "$EX"
check "--policy NAME=FILE refused with a reason" contains "$TMP/err" "server's model, policies"
expect_exit "--server with two --policy: usage" 2 "$DS" score --server ":$PORT" --policy a --policy b "$EX"
expect_exit "--server --policy naming no policy there: setup" 2 "$DS" score --server ":$PORT" --policy nope "$EX"
check "says which policies there are" contains "$TMP/err" "no policy named 'nope' (it has default)"
expect_exit "--tls without --server: usage" 2 "$DS" score --tls "$EX"
expect_exit "explain --server --max-actions: usage" 2 "$DS" explain --server ":$PORT" --max-actions 2 "$EX"
expect_exit "explain --server --model: usage" 2 "$DS" explain --server ":$PORT" --model "$SRC/models/default.json" "$EX"
expect_exit "check --server with --policy: usage" 2 "$DS" check --server ":$PORT" --policy x default "$EX"
expect_exit "--server with two additions: usage" 2 "$DS" score --server ":$PORT" --explain --actions "$EX"
expect_exit "--server not a HOST:PORT" 2 "$DS" score --server nowhere "$EX"

# explain and check --server print what the local commands print
same_cmd() { # same_cmd NAME "LOCAL ARGS" "REMOTE ARGS" [FILTER]: stdout, stderr, exit status
    local name=$1 filter=${4:-cat}
    eval "\"\$DS\" $2" <"$IN" 2>"$TMP/local.err" | $filter >"$TMP/local.out"
    local a=${PIPESTATUS[0]}
    eval "\"\$DS\" $3" <"$IN" 2>"$TMP/remote.err" | $filter >"$TMP/remote.out"
    local b=${PIPESTATUS[0]}
    check "$name: same output" cmp -s "$TMP/local.out" "$TMP/remote.out"
    check "$name: same standard error" cmp -s "$TMP/local.err" "$TMP/remote.err"
    check "$name: same exit status ($a, $b)" [ "$a" = "$b" ]
}
S="--server 127.0.0.1:$PORT"
IN=/dev/null
same_cmd "explain, example pipeline" "explain $EX" "explain $S $EX"
same_cmd "explain, errors and duplicates" "explain $TMP/deals.jsonl" "explain $S $TMP/deals.jsonl"
check "explain: the duplicates were reported" contains "$TMP/remote.err" "was already scored in this batch"
same_cmd "explain -f markdown" "explain -f markdown $TMP/deals.jsonl" "explain -f markdown $S $TMP/deals.jsonl"
same_cmd "explain --id" "explain --id r3 $TMP/deals.jsonl" "explain $S --id r3 $TMP/deals.jsonl"
same_cmd "explain --id of no deal" "explain --id none $EX" "explain $S --id none $EX"
IN=$EX same_cmd "explain, standard input" "explain -" "explain $S -"
IN=/dev/null
# check: the same report but for the size of the Lua state (the server's holds all its policies)
nolua() { sed 's/; Lua state [0-9]* KB$//'; }
same_cmd "check, example pipeline" "check $SRC/scripts/default.lua $EX" "check $S default $EX" nolua
check "check: the summary line" grep -q '^12 deals: 12 within the contract' "$TMP/remote.out"
same_cmd "check, errors and duplicates" "check $SRC/scripts/default.lua $TMP/deals.jsonl" "check $S default $TMP/deals.jsonl" nolua
expect_exit "check --server naming no policy: setup" 2 "$DS" check $S nope "$EX"
# diff --server: the service's diff op on the deals read here, printed as locally
# (the same ids with other contents, some added and removed, broken lines and
# repeated ids on the old side: the notes in their place among the rejects)
# (both sides travel in one request line: 200 deals fit the default --max-line)
{ head -n 100 "$TMP/deals.jsonl"; tail -n 8 "$TMP/deals.jsonl"; } >"$TMP/old.jsonl"
$PY "$SRC/tests/reference/gen_deals.py" --seed 10 --count 110 | sed 's/"D10-/"D9-/g' >"$TMP/new.jsonl"
"$DS" score -q "$TMP/old.jsonl" >"$TMP/results.jsonl" 2>/dev/null
same_cmd "diff" "diff $TMP/old.jsonl $TMP/new.jsonl" "diff $S $TMP/old.jsonl $TMP/new.jsonl"
check "diff: the broken and repeated deals were said" \
    grep -q "old.jsonl:10[0-9]: deal id .* repeats an earlier one" "$TMP/remote.err"
check "diff: changes printed" [ "$(wc -l <"$TMP/remote.out")" -gt 100 ]
same_cmd "diff -f text --min-move 0.3" "diff -f text --min-move 0.3 $TMP/old.jsonl $TMP/new.jsonl" \
    "diff -f text --min-move 0.3 $S $TMP/old.jsonl $TMP/new.jsonl"
same_cmd "diff, results on one side" "diff $TMP/results.jsonl $TMP/new.jsonl" "diff $S $TMP/results.jsonl $TMP/new.jsonl"
same_cmd "diff, no change" "diff $EX $EX" "diff $S $EX $EX"
IN=$EX same_cmd "diff, standard input" "diff - $TMP/new.jsonl" "diff $S - $TMP/new.jsonl"
IN=/dev/null
same_cmd "diff, a side without deals" "diff /dev/null $EX" "diff $S /dev/null $EX"
same_cmd "diff, no deals in NEW: OLD still scored and its errors said" \
    "diff $TMP/old.jsonl /dev/null" "diff $S $TMP/old.jsonl /dev/null"
check "diff, no deals in NEW: the notice about as_of" contains "$TMP/remote.err" "have contact dates but no as_of"
expect_exit "diff --server --model: usage" 2 "$DS" diff $S --model "$SRC/models/default.json" "$EX" "$EX"
stop_server
start_server "$TMP/small.log" --max-line 4K || fail "server did not start: $(cat "$TMP/small.log")"
expect_exit "diff --server over the server's --max-line: setup" 2 \
    "$DS" diff --server "127.0.0.1:$PORT" "$TMP/deals.jsonl" "$TMP/new.jsonl"
check "says to raise --max-line" contains "$TMP/err" "raise the server's --max-line"
stop_server

# named policies, one with custom actions, picked by --policy NAME
sed 's/name = "default"/name = "alt"/; s/>= 70/>= 60/' "$SRC/scripts/default.lua" >"$TMP/alt.lua"
cat >"$TMP/own.lua" <<'EOF'
local p = { name = "own", version = 2 }
function p.score(deal, s)
  local v = math.max(0, math.min(100, 0.5 * s.capability_roi + 0.5 * s.strategic_roi - 0.2 * s.it_resistance))
  return { viability = v, verdict = v >= 50 and "shape" or "at_risk", reasons = {} }
end
function p.actions(deal, s)
  return { { action = "security_review", patch = { solution = { security_risk = 0.1 } } },
           deal.id == "CSB-2026-031" and { action = "bad_patch", patch = { solution = { capability = 7 } } } or nil }
end
return p
EOF
start_server "$TMP/named.log" --policy "alt=$TMP/alt.lua" --policy "own=$TMP/own.lua" ||
    fail "server with named policies did not start: $(cat "$TMP/named.log")"
S="--server 127.0.0.1:$PORT"
same_cmd "score --policy alt" "score -q --policy $TMP/alt.lua $TMP/deals.jsonl" "score -q $S --policy alt $TMP/deals.jsonl"
check "score --policy alt: scored by alt" contains "$TMP/remote.out" '"policy":"alt@1"'
same_cmd "score --policy alt -f table" "score -q -f table --policy $TMP/alt.lua $EX" "score -q -f table $S --policy alt $EX"
same_cmd "explain --policy alt" "explain --policy $TMP/alt.lua $EX" "explain $S --policy alt $EX"
same_cmd "diff --policy alt" "diff --policy $TMP/alt.lua $TMP/old.jsonl $TMP/new.jsonl" \
    "diff $S --policy alt $TMP/old.jsonl $TMP/new.jsonl"
same_cmd "check own (custom actions, a bad patch)" "check $TMP/own.lua $EX" "check $S own $EX" nolua
check "check own: with custom actions" grep -q '^policy own@2 (.*own.lua), with custom actions$' "$TMP/remote.out"
check "check own: the bad patch fails the check" grep -q '^FAIL CSB-2026-031 .*action bad_patch makes an invalid deal' "$TMP/remote.out"
check "check own: actions printed" contains "$TMP/remote.out" 'action security_review {"solution":{"security_risk":0.1'
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
