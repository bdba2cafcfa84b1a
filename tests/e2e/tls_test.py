"""tls_test.py: dealscore serve with --tls-cert/--tls-key, from Python's ssl.

    python3 tls_test.py PORT CERT EXPECTED_JSONL DEALS_JSONL [TOKEN]

Request lines pipelined over TLS (a sender thread, answers read as they come),
HTTP keep-alive over TLS with http.client, a client that does not speak TLS is
closed without an answer. With TOKEN (a server with --token-all): only the
token's checks, over TLS. Exits 1 with the reasons.
"""
import http.client
import json
import socket
import ssl
import sys
import threading

PORT, CERT, EXPECTED, DEALS = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
TOKEN = sys.argv[5] if len(sys.argv) > 5 else None
WAIT = 30.0
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


ctx = ssl.create_default_context(cafile=CERT)  # verifies the chain and the name


def tls_socket():
    raw = socket.create_connection(("localhost", PORT), timeout=WAIT)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def plain_checks():
    # request lines, pipelined: every deal sent before reading, answers in order
    s = tls_socket()
    deals = open(DEALS, "rb").read()
    sender = threading.Thread(target=s.sendall, args=(deals,))
    sender.start()
    want = open(EXPECTED, "rb").read()
    got = b""
    while len(got) < len(want):
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    sender.join()
    check(got == want, "request lines over TLS: answered as dealscore score (%d of %d bytes)"
          % (len(got), len(want)))
    s.sendall(b'{"op": "ping", "id": "tls"}\n')
    pong = json.loads(s.makefile("rb").readline())
    check(pong.get("pong") is True and pong.get("id") == "tls", "ping over TLS: %r" % pong)
    check(s.version() in ("TLSv1.2", "TLSv1.3"), "TLS version %s" % s.version())
    s.close()

    # HTTP keep-alive over TLS
    c = http.client.HTTPSConnection("localhost", PORT, context=ctx, timeout=WAIT)
    c.connect()
    sock = c.sock
    for path in ("/healthz", "/v1/ping", "/readyz"):
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        check(r.status == 200, "HTTPS %s: %d" % (path, r.status))
    c.request("POST", "/v1/score", body=deals, headers={"Content-Type": "application/x-ndjson"})
    r = c.getresponse()
    check(r.status == 200 and r.read() == want, "HTTPS: NDJSON body answered as dealscore score")
    check(c.sock is sock, "HTTPS: one connection for every request")
    c.close()

    # a client that does not speak TLS: closed, nothing in clear
    p = socket.create_connection(("127.0.0.1", PORT), timeout=WAIT)
    p.sendall(b'{"op": "ping"}\nGET /healthz HTTP/1.1\r\n\r\n')
    answer = b""
    try:
        while True:
            chunk = p.recv(65536)
            if not chunk:
                break
            answer += chunk
    except ConnectionResetError:
        pass
    check(b"pong" not in answer and b"HTTP/1.1 200" not in answer,
          "a plaintext client gets no answer in clear: %r" % answer[:80])
    p.close()

    # a client that does not trust the certificate: the handshake fails on its side
    try:
        ssl.create_default_context().wrap_socket(socket.create_connection(("127.0.0.1", PORT),
                                                 timeout=WAIT), server_hostname="localhost")
        check(False, "an unverified certificate was accepted")
    except ssl.SSLError:
        pass



def token_checks():
    c = http.client.HTTPSConnection("localhost", PORT, context=ctx, timeout=WAIT)
    c.request("GET", "/v1/ping")
    r = c.getresponse()
    r.read()
    check(r.status == 401, "HTTPS --token-all: ping without the token: %d" % r.status)
    c.request("GET", "/v1/ping", headers={"Authorization": "Bearer " + TOKEN})
    r = c.getresponse()
    check(r.status == 200 and json.loads(r.read())["pong"] is True, "HTTPS: ping with the token")
    c.request("POST", "/v1/score", body=open(DEALS, "rb").read(),
              headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/x-ndjson"})
    r = c.getresponse()
    check(r.status == 200 and r.read() == open(EXPECTED, "rb").read(), "HTTPS: score with the token")
    c.close()
    s = tls_socket()
    s.sendall(b'{"op": "ping", "id": 1}\n{"op": "ping", "id": 2, "token": "%s"}\n' % TOKEN.encode())
    f = s.makefile("rb")
    first, second = json.loads(f.readline()), json.loads(f.readline())
    check(first.get("error", {}).get("code") == "unauthorized", "lines over TLS: no token: %r" % first)
    check(second.get("pong") is True, "lines over TLS: with the token: %r" % second)
    s.close()


if TOKEN:
    token_checks()
else:
    plain_checks()

for f in failures:
    print("FAIL: " + f, file=sys.stderr)
sys.exit(1 if failures else 0)
