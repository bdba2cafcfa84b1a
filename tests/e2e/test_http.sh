#!/usr/bin/env bash
# dealscore serve over HTTP/1.1: with curl as a user would, then the whole API
# with Python's http.client and raw sockets (tests/e2e/http_test.py): results
# equal to dealscore score, keep-alive, pipelining, chunked bodies, bad requests,
# oversized and slow headers, tokens, /metrics, JSON logs, docs/openapi.json.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
EX=$SRC/models/examples/pipeline.jsonl

start_server "$TMP/server.log" || fail "server did not start: $(cat "$TMP/server.log")"
URL=http://127.0.0.1:$PORT
"$DS" score -q "$EX" >"$TMP/expected.jsonl"
curl -sS --data-binary @"$EX" -H 'Content-Type: application/x-ndjson' "$URL/v1/score" >"$TMP/curl.jsonl"
check "curl: an export answered like dealscore score" cmp -s "$TMP/curl.jsonl" "$TMP/expected.jsonl"
curl -sS -H 'Transfer-Encoding: chunked' --data-binary @"$EX" "$URL/v1/score" >"$TMP/chunked.jsonl"
check "curl: a chunked upload too" cmp -s "$TMP/chunked.jsonl" "$TMP/expected.jsonl"
"$DS" score -q --explain "$EX" >"$TMP/explain.expected"
curl -sS --data-binary @"$EX" "$URL/v1/explain" >"$TMP/explain.jsonl"
check "curl: explain answered like dealscore score --explain" cmp -s "$TMP/explain.jsonl" "$TMP/explain.expected"
code=$(curl -s -o "$TMP/health" -w '%{http_code}' "$URL/healthz")
check "curl: /healthz 200" [ "$code" = 200 ]
code=$(curl -s -o "$TMP/ready" -w '%{http_code}' "$URL/readyz")
check "curl: /readyz 200" [ "$code" = 200 ]
check "curl: /readyz says ready" contains "$TMP/ready" '"ready":true'
code=$(curl -s -o "$TMP/bad" -w '%{http_code}' --data-binary '{"id":"x","stakeholders":[{"id":"a","influence":2}]}' "$URL/v1/score")
check "curl: a bad deal is 422" [ "$code" = 422 ]
check "curl: with its error line" contains "$TMP/bad" '"code":"out_of_range"'
curl -sS -D "$TMP/headers" -o /dev/null "$URL/v1/ping"
check "curl: Server header with version and generation" grep -qE '^Server: dealscore/[0-9.]+ \(policies generation 1\)' "$TMP/headers"
curl -sS "$URL/healthz" "$URL/v1/ping" "$URL/metrics" -o /dev/null -o /dev/null -o "$TMP/metrics" -w '%{num_connects}\n' >"$TMP/connects"
check "curl: three requests on one connection" [ "$(awk '{n += $1} END {print n}' "$TMP/connects")" = 1 ]
check "curl: metrics" contains "$TMP/metrics" '^dealscore_requests_total{op="score",outcome="ok"} '
# both protocols on one port
nc -N 127.0.0.1 "$PORT" <"$EX" >"$TMP/nc.jsonl"
check "the request lines on the same port" cmp -s "$TMP/nc.jsonl" "$TMP/expected.jsonl"
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]

$PY "$SRC/tests/e2e/http_test.py" "$DS" "$SRC" "$TMP" >"$TMP/py.out" 2>&1
rc=$?
check "the HTTP API ($(grep -E 'FAIL|passed' "$TMP/py.out" | head -n 12 | tr '\n' ' '))" [ "$rc" -eq 0 ]
finish
