#!/usr/bin/env bash
# dealscore serve --tls-cert/--tls-key: a self-signed certificate made here with
# the openssl tool; both protocols over TLS (curl, Python's ssl: pipelined
# request lines, HTTP keep-alive), plaintext clients closed, the token with
# --token-all, and certificate errors at start (exit 2).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
EX=$SRC/models/examples/pipeline.jsonl

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>"$TMP/openssl.err" ||
    fail "openssl req: $(cat "$TMP/openssl.err")"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=other -keyout "$TMP/other.key" -out "$TMP/other.pem" 2>/dev/null
$PY "$SRC/tests/reference/gen_deals.py" --seed 3 --count 300 >"$TMP/deals.jsonl"
"$DS" score -q "$TMP/deals.jsonl" >"$TMP/expected.jsonl" 2>/dev/null

# setup errors: exit 2, naming the file
expect_exit "--tls-cert without --tls-key" 2 "$DS" serve --listen 127.0.0.1:0 --tls-cert "$TMP/cert.pem"
expect_exit "a certificate that is not there" 2 "$DS" serve --listen 127.0.0.1:0 --tls-cert "$TMP/none.pem" --tls-key "$TMP/key.pem"
check "its file is named" contains "$TMP/err" "none.pem"
expect_exit "a key that is not the certificate's" 2 "$DS" serve --listen 127.0.0.1:0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/other.key"
check "the mismatch is said" contains "$TMP/err" "is not the key of"

start_server "$TMP/server.log" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" ||
    fail "server did not start: $(cat "$TMP/server.log")"
check "the log says TLS" contains "$TMP/server.log" "with TLS"
URL=https://localhost:$PORT
code=$(curl -sS --cacert "$TMP/cert.pem" -o "$TMP/health" -w '%{http_code}' "$URL/healthz")
check "curl https: /healthz 200" [ "$code" = 200 ]
curl -sS --cacert "$TMP/cert.pem" -H 'Content-Type: application/x-ndjson' --data-binary @"$TMP/deals.jsonl" \
    "$URL/v1/score" >"$TMP/https.jsonl"
check "curl https: answered as dealscore score" cmp -s "$TMP/https.jsonl" "$TMP/expected.jsonl"
curl -s "http://127.0.0.1:$PORT/healthz" >"$TMP/plain" 2>&1
check "plain http to the TLS port: no answer" [ ! -s "$TMP/plain" ]
$PY "$SRC/tests/e2e/tls_test.py" "$PORT" "$TMP/cert.pem" "$TMP/expected.jsonl" "$TMP/deals.jsonl" 2>"$TMP/py.err"
check "Python ssl: both protocols ($(head -c 400 "$TMP/py.err"))" [ $? -eq 0 ]
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]

echo 'tls-s3cret' >"$TMP/token"
chmod 600 "$TMP/token"
start_server "$TMP/token.log" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" \
    --token-file "$TMP/token" --token-all || fail "server did not start: $(cat "$TMP/token.log")"
$PY "$SRC/tests/e2e/tls_test.py" "$PORT" "$TMP/cert.pem" "$TMP/expected.jsonl" "$TMP/deals.jsonl" tls-s3cret 2>"$TMP/tok.err"
check "--token-all over TLS ($(head -c 400 "$TMP/tok.err"))" [ $? -eq 0 ]
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]
finish
