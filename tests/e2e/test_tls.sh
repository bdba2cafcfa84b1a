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
# the program's client over TLS: the certificate checked against --tls-ca and the host
"$DS" score -q --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" "$TMP/deals.jsonl" >"$TMP/client.jsonl"
check "score --server --tls-ca: answered as dealscore score" cmp -s "$TMP/client.jsonl" "$TMP/expected.jsonl"
"$DS" score -q --server "127.0.0.1:$PORT" --tls-ca "$TMP/cert.pem" -f csv "$TMP/deals.jsonl" >"$TMP/client.csv"
"$DS" score -q -f csv "$TMP/deals.jsonl" >"$TMP/expected.csv"
check "score --server --tls-ca by IP address, -f csv" cmp -s "$TMP/client.csv" "$TMP/expected.csv"
"$DS" explain "$EX" >"$TMP/explain.expected" 2>&1
"$DS" explain --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" "$EX" >"$TMP/explain.tls" 2>&1
check "explain --server over TLS: dealscore explain's reports" cmp -s "$TMP/explain.tls" "$TMP/explain.expected"
"$DS" check "$SRC/scripts/default.lua" "$EX" | sed 's/; Lua state.*//' >"$TMP/check.expected"
"$DS" check --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" default "$EX" | sed 's/; Lua state.*//' >"$TMP/check.tls"
check "check --server over TLS: dealscore check's report" cmp -s "$TMP/check.tls" "$TMP/check.expected"
expect_exit "a certificate no authority given vouches for: setup" 2 "$DS" score --server "localhost:$PORT" --tls-ca "$TMP/other.pem" "$EX"
check "the verification failure is said" contains "$TMP/err" "TLS: self-signed certificate"
expect_exit "--tls with the system's authorities: refused" 2 "$DS" score --server "localhost:$PORT" --tls "$EX"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=elsewhere -addext subjectAltName=DNS:elsewhere.invalid \
    -keyout "$TMP/elsewhere.key" -out "$TMP/elsewhere.pem" 2>/dev/null
expect_exit "plaintext client to the TLS port: setup" 2 "$DS" score --server "localhost:$PORT" "$EX"
check "the plaintext client is told to give --tls" contains "$TMP/err" "give --tls"
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]
start_server "$TMP/elsewhere.log" --tls-cert "$TMP/elsewhere.pem" --tls-key "$TMP/elsewhere.key" ||
    fail "server did not start: $(cat "$TMP/elsewhere.log")"
expect_exit "a certificate for another host name: refused" 2 "$DS" score --server "localhost:$PORT" --tls-ca "$TMP/elsewhere.pem" "$EX"
check "the name mismatch is said" contains "$TMP/err" "mismatch"
stop_server
start_server "$TMP/plain.log" || fail "server did not start: $(cat "$TMP/plain.log")"
expect_exit "--tls to a plaintext server: setup" 2 "$DS" score --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" "$EX"
check "the failed handshake is said" contains "$TMP/err" "does the server speak TLS"
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]

echo 'tls-s3cret' >"$TMP/token"
chmod 600 "$TMP/token"
start_server "$TMP/token.log" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" \
    --token-file "$TMP/token" --token-all || fail "server did not start: $(cat "$TMP/token.log")"
$PY "$SRC/tests/e2e/tls_test.py" "$PORT" "$TMP/cert.pem" "$TMP/expected.jsonl" "$TMP/deals.jsonl" tls-s3cret 2>"$TMP/tok.err"
check "--token-all over TLS ($(head -c 400 "$TMP/tok.err"))" [ $? -eq 0 ]
"$DS" score -q --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" --token-file "$TMP/token" "$TMP/deals.jsonl" >"$TMP/tok.jsonl"
check "score --server --token-file with --token-all: answered" cmp -s "$TMP/tok.jsonl" "$TMP/expected.jsonl"
"$DS" explain --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" --token-file "$TMP/token" "$EX" >"$TMP/tok.explain" 2>&1
check "explain --server --token-file: dealscore explain's reports" cmp -s "$TMP/tok.explain" "$TMP/explain.expected"
expect_exit "--token-all without --token-file: setup" 2 "$DS" score --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" "$EX"
check "told to give --token-file" contains "$TMP/err" "give --token-file"
echo wrong >"$TMP/wrong"
expect_exit "a wrong token: setup" 2 "$DS" score --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" --token-file "$TMP/wrong" "$EX"
check "the wrong token is said" contains "$TMP/err" "does not match"
expect_exit "--token-file without --server: usage" 2 "$DS" score --token-file "$TMP/token" "$EX"
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]

# SIGHUP reloads the certificate (a renewed one) with the policies: new
# connections get it, a broken file keeps the old one serving
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$TMP/renewed.key" -out "$TMP/renewed.pem" 2>/dev/null
cp "$TMP/cert.pem" "$TMP/served.pem"
cp "$TMP/key.pem" "$TMP/served.key"
start_server "$TMP/reload.log" --tls-cert "$TMP/served.pem" --tls-key "$TMP/served.key" ||
    fail "server did not start: $(cat "$TMP/reload.log")"
"$DS" score -q --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" "$EX" >"$TMP/before.jsonl"
check "before the reload: the first certificate" [ -s "$TMP/before.jsonl" ]
cp "$TMP/renewed.pem" "$TMP/served.pem"
cp "$TMP/renewed.key" "$TMP/served.key"
kill -HUP "$SPID"
for _ in $(seq 200); do grep -q "reloaded: generation 2" "$TMP/reload.log" && break; sleep 0.05; done
check "SIGHUP: the certificate reloaded (logged)" contains "$TMP/reload.log" "reloaded --tls-cert"
"$DS" score -q --server "localhost:$PORT" --tls-ca "$TMP/renewed.pem" "$EX" >"$TMP/after.jsonl"
check "after the reload: the renewed certificate is served" cmp -s "$TMP/after.jsonl" "$TMP/before.jsonl"
expect_exit "after the reload: the old certificate is not" 2 "$DS" score --server "localhost:$PORT" --tls-ca "$TMP/cert.pem" "$EX"
echo "not a certificate" >"$TMP/served.pem"
kill -HUP "$SPID"
for _ in $(seq 200); do grep -q "reload failed" "$TMP/reload.log" && break; sleep 0.05; done
check "a broken certificate file: the reload fails, naming it" grep -q "reload failed.*served.pem" "$TMP/reload.log"
"$DS" score -q --server "localhost:$PORT" --tls-ca "$TMP/renewed.pem" "$EX" >"$TMP/kept.jsonl"
check "a broken certificate file: the renewed one keeps serving" cmp -s "$TMP/kept.jsonl" "$TMP/before.jsonl"
stop_server
check "stopped with 0" [ "$STATUS" = 0 ]
finish
