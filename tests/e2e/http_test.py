"""http_test.py: the HTTP/1.1 side of `dealscore serve`, end to end.

    python3 http_test.py DEALSCORE SRC TMPDIR

Starts servers (port 0), talks to them with Python's http.client and with raw
sockets (pipelining, chunked uploads, bad requests, oversized and slow headers),
checks every answer against docs/openapi.json, results against what
`dealscore score` prints and against the request-line protocol, /metrics with a
small parser of the Prometheus text format, and the JSON logs. Every wait is on
a condition (a socket read with a timeout, a log line), never a sleep standing
in for one. Prints one line per failure; exits 1 when any failed.
"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import warnings

DS, SRC, TMP = sys.argv[1], sys.argv[2], sys.argv[3]
WAIT = 30.0
EXAMPLE = os.path.join(SRC, "models", "examples", "pipeline.jsonl")
failures, passed = [], [0]


def check(cond, what):
    if cond:
        passed[0] += 1
    else:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)
    return cond


# ---- servers ----

class Server:
    def __init__(self, *args, name="server"):
        self.log_path = os.path.join(TMP, name + ".log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([DS, "serve", "--listen", "127.0.0.1:0", "--workers", "2"]
                                     + list(args), stderr=self.log)
        deadline = time.monotonic() + WAIT
        self.port = None
        while time.monotonic() < deadline and self.proc.poll() is None:
            m = re.search(rb"listening on 127\.0\.0\.1:(\d+)", open(self.log_path, "rb").read())
            if m:
                self.port = int(m.group(1))
                return
            time.sleep(0.02)  # polling the log for a condition, bounded by WAIT
        raise RuntimeError("server did not start: " + open(self.log_path).read())

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait(timeout=WAIT)
        self.log.close()
        return rc

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)


def run(*args, stdin=None):
    return subprocess.run([DS] + list(args), input=stdin, capture_output=True, timeout=120)


# ---- raw HTTP over a socket: pipelining and broken requests ----

class Raw:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self):
        """(status, headers with lower-case names, body): one whole response."""
        status = int(self._line().split(b" ")[1])
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            k, v = line.decode().split(":", 1)
            headers[k.strip().lower()] = v.strip()
        if status == 100:
            return self.response()
        if "content-length" in headers:
            return status, headers, self._exactly(int(headers["content-length"]))
        body = b""
        while True:
            size = int(self._line(), 16)
            if size == 0:
                self._line()
                return status, headers, body
            body += self._exactly(size)
            self._exactly(2)

    def closed(self):
        """True once the server closed the connection (after what it sent)."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, socket.timeout):
            return False

    def close(self):
        self.sock.close()


def request(method, path, body=b"", headers=()):
    head = "%s %s HTTP/1.1\r\nHost: t\r\n" % (method, path)
    for h in headers:
        head += h + "\r\n"
    if body or method == "POST":
        head += "Content-Length: %d\r\n" % len(body)
    return head.encode() + b"\r\n" + body


# ---- the OpenAPI document ----

SPEC = json.load(open(os.path.join(SRC, "docs", "openapi.json")))


def validator_for(schema):
    from jsonschema import Draft202012Validator, RefResolver
    store = {}
    for name in ("deal", "result"):
        s = json.load(open(os.path.join(SRC, "models", name + ".schema.json")))
        store[s["$id"]] = s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resolver = RefResolver.from_schema(SPEC, store=store)
        return Draft202012Validator(schema, resolver=resolver)


def conforms(method, path, status, headers, body):
    """Checks one response against docs/openapi.json; returns True when it fits."""
    op = SPEC["paths"].get(path.split("?")[0], {}).get(method.lower())
    if not check(op is not None, "openapi: %s %s is described" % (method, path)):
        return False
    resp = op["responses"].get(str(status))
    if not check(resp is not None, "openapi: %s %s may answer %d" % (method, path, status)):
        return False
    ctype = headers.get("content-type", "").split(";")[0]
    content = resp.get("content", {})
    if not check(ctype in content, "openapi: %s %s %d as %s" % (method, path, status, ctype)):
        return False
    schema = content[ctype]["schema"]
    docs = [body.decode()] if ctype.startswith("text/") else (
        [json.loads(l) for l in body.splitlines() if l.strip()] if ctype == "application/x-ndjson"
        else [json.loads(body)])
    ok = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = validator_for(schema)
        for d in docs:
            errs = list(v.iter_errors(d))
            ok &= check(not errs, "openapi: %s %s %d body: %s" % (
                method, path, status, errs[0].message[:200] if errs else ""))
    for name, h in resp.get("headers", {}).items():
        if "pattern" in h.get("schema", {}):
            ok &= check(re.match(h["schema"]["pattern"], headers.get(name.lower(), "")) is not None,
                        "openapi: header %s: %r" % (name, headers.get(name.lower())))
    return ok


def call(conn, method, path, body=None, headers=None):
    """One request over an http.client connection; checked against the spec."""
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    conforms(method, path, r.status, hdrs, data)
    return r.status, hdrs, data


# ---- Prometheus text format ----

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def parse_metrics(text):
    """{(name, frozenset(labels)): value}, checking the format as it reads."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            check(kind in ("counter", "gauge", "histogram"), "metrics: type of %s" % name)
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        if not check(m is not None, "metrics: a sample line: %r" % line):
            continue
        name, labels = m.group(1), {}
        rest = m.group(3) or ""
        while rest:
            lm = LABEL.match(rest)
            if not check(lm is not None, "metrics: labels of %r" % line):
                break
            labels[lm.group(1)] = lm.group(2)
            rest = rest[lm.end():]
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
        check(family in types, "metrics: %s has a # TYPE" % name)
        samples[(name, frozenset(labels.items()))] = float(m.group(4))
    return samples


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), None)


# ---- the scenarios ----

def lines(path):
    with open(path, "rb") as f:
        return [l for l in f.read().split(b"\n") if l.strip()]


def scenario_results(srv):
    """One deal, NDJSON, an array, chunked: the bytes dealscore score prints."""
    deals = lines(EXAMPLE)
    for op, flag in (("score", []), ("explain", ["--explain"]), ("actions", ["--actions"]),
                     ("questions", ["--questions"])):
        want = run("score", "-q", *flag, EXAMPLE).stdout
        c = srv.conn()
        st, h, body = call(c, "POST", "/v1/" + op, b"\n".join(deals) + b"\n",
                           {"Content-Type": "application/x-ndjson"})
        check(st == 200 and h["content-type"] == "application/x-ndjson" and body == want,
              "%s: NDJSON body answered as dealscore score %s" % (op, " ".join(flag)))
        one = run("score", "-q", *flag, "-", stdin=deals[0] + b"\n").stdout
        st, h, body = call(c, "POST", "/v1/" + op, deals[0])
        check(st == 200 and h["content-type"] == "application/json" and body == one,
              "%s: one deal answered with its result line" % op)
        c.close()
    want = run("score", "-q", EXAMPLE).stdout
    array = json.dumps([json.loads(d) for d in deals], indent=2).encode()
    c = srv.conn()
    st, _, body = call(c, "POST", "/v1/score", array, {"Content-Type": "application/json"})
    check(st == 200 and body == want, "a pretty-printed JSON array answered as NDJSON")
    pretty = json.dumps(json.loads(deals[1]), indent=4).encode()
    st, _, body = call(c, "POST", "/v1/score", pretty)
    check(st == 200 and body == run("score", "-q", "-", stdin=deals[1] + b"\n").stdout,
          "a pretty-printed deal over many lines is one deal")
    # chunked upload, cut in the middle of deals
    pieces = [array[i:i + 97] for i in range(0, len(array), 97)]
    c.request("POST", "/v1/score", body=iter(pieces), encode_chunked=True,
              headers={"Transfer-Encoding": "chunked"})
    r = c.getresponse()
    check(r.status == 200 and r.read() == want, "a chunked upload cut mid-deal")
    st, _, body = call(c, "POST", "/v1/score", b"[]")
    check(st == 200 and body == b"", "an empty array: an empty NDJSON answer")
    st, _, body = call(c, "POST", "/v1/score", b"")
    check(st == 400 and json.loads(body)["error"]["code"] == "bad_request", "no deal: 400")
    c.close()


def scenario_explain_text(srv):
    """?format=text|ansi|markdown: the report dealscore explain prints; /v1/check."""
    deals = lines(EXAMPLE)
    c = srv.conn()
    for fmt, flags, ctype in (("text", [], "text/plain"), ("markdown", ["-f", "markdown"],
                                                            "text/markdown")):
        for i, deal in enumerate(deals[:4]):
            want = run("explain", *flags, "-", stdin=deal + b"\n").stdout
            st, h, body = call(c, "POST", "/v1/explain?format=" + fmt, deal)
            check(st == 200 and h["content-type"] == ctype + "; charset=utf-8" and body == want,
                  "explain ?format=%s: deal %d answered with dealscore explain's report" % (fmt, i))
        want = run("explain", *flags, EXAMPLE).stdout.decode()
        st, h, body = call(c, "POST", "/v1/explain?format=" + fmt, b"\n".join(deals),
                           {"Content-Type": "application/x-ndjson"})
        got = [json.loads(l) for l in body.splitlines()]
        sep = "\n---\n\n" if fmt == "markdown" else "\n\n"
        check(st == 200 and sep.join(g["text"] for g in got) == want and
              [g["id"] for g in got] == [json.loads(d)["id"] for d in deals],
              "explain ?format=%s: NDJSON of {id, text}, the reports of dealscore explain" % fmt)
    st, h, body = call(c, "POST", "/v1/explain?format=ansi", deals[0])
    check(st == 200 and b"\x1b[" in body and body.replace(b"\x1b[", b"") != body,
          "explain ?format=ansi: colours for a terminal")
    bad = b'{"id": "r1", "stakeholders": [{"id": "a", "influence": 3}]}'
    st, h, body = call(c, "POST", "/v1/explain?format=text", bad)
    check(st == 422 and json.loads(body)["error"]["code"] == "out_of_range",
          "explain ?format=text: a bad deal is its error line, 422")
    for url in ("/v1/score?format=text", "/v1/explain?format=html", "/v1/explain?format="):
        st, h, body = call(c, "POST", url, deals[0])
        check(st == 400 and json.loads(body)["error"]["code"] == "bad_request",
              "%s: 400 bad_request" % url)
    st, h, body = call(c, "POST", "/v1/explain?format=json", deals[0])
    check(st == 200 and body == run("score", "-q", "--explain", "-", stdin=deals[0] + b"\n").stdout,
          "explain ?format=json: the result line with its factors")
    st, h, body = call(c, "POST", "/v1/check", deals[0])
    got = json.loads(body)
    want = json.loads(run("score", "-q", "-", stdin=deals[0] + b"\n").stdout)
    check(st == 200 and got["result"] == want and got["check"]["proposals"] == [] and
          got["id"] == want["id"], "/v1/check: the result and the policy's proposals")
    c.close()


def scenario_diff(srv):
    """op diff and POST /v1/diff: what dealscore diff prints, for both sides as sent."""
    def gen(seed, n):
        out = subprocess.run([sys.executable, os.path.join(SRC, "tests", "reference", "gen_deals.py"),
                              "--seed", str(seed), "--count", str(n)], capture_output=True,
                             check=True).stdout
        return [r for r in out.split(b"\n") if r.strip()]
    old, new = gen(21, 40), gen(22, 30)
    new += old[:15] + [b'{"id": "bad", "stakeholders": 3}']
    old += old[:1]
    for name, rows in (("old", old), ("new", new)):
        with open(os.path.join(TMP, name + ".jsonl"), "wb") as f:
            f.write(b"\n".join(rows) + b"\n")
    paths = [os.path.join(TMP, n + ".jsonl") for n in ("old", "new")]
    sides = {"old": [json.loads(r) for r in old], "new": [json.loads(r) for r in new]}
    want = run("diff", *paths)
    want_text = run("diff", "-f", "text", "--min-move", "0.3", *paths).stdout
    notes = [l.split("dealscore diff: ", 1)[1] for l in want.stderr.decode().splitlines()
             if "cannot be scored" in l or "repeats an earlier" in l]
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
    f = s.makefile("rb")
    s.sendall(json.dumps(dict(op="diff", id="d1", **sides)).encode() + b"\n")
    got = json.loads(f.readline())
    check(got["id"] == "d1" and got["changes"] == [json.loads(l) for l in want.stdout.splitlines()],
          "op diff: the changes dealscore diff prints")
    check(got["counts"] == {"changed": 0, "unchanged": 15, "added": 31, "removed": 25},
          "op diff: counted by kind (%r)" % got["counts"])
    check([n.split(": ", 1)[1] for n in got["notes"]] == [n.split(": ", 1)[1] for n in notes]
          and len(notes) == 2, "op diff: notes as dealscore diff says them (%r)" % got["notes"])
    s.sendall(json.dumps(dict(op="diff", format="text", min_move=0.3, **sides)).encode() + b"\n")
    check(json.loads(f.readline())["text"] == want_text.decode(), "op diff, format text")
    s.sendall(json.dumps(dict(op="diff", format="jsonl", **sides)).encode() + b"\n")
    check(json.loads(f.readline())["text"] == want.stdout.decode(),
          "op diff, format jsonl: the lines dealscore diff prints, byte for byte")
    for bad, path in (({"op": "diff", "old": {}, "new": []}, "$.old"),
                      ({"op": "diff", "old": [], "new": "x"}, "$.new"),
                      ({"op": "diff", "old": [], "new": [], "min_move": 3}, "$.min_move"),
                      ({"op": "diff", "old": [], "new": [], "min_move": "1"}, "$.min_move"),
                      ({"op": "diff", "old": [], "new": [], "format": "markdown"}, "$.format"),
                      ({"op": "diff", "old": [], "new": [], "policy": "nope"}, "$.policy"),
                      ({"op": "diff", "old": [], "new": [], "old_where": [1]}, "$.old_where"),
                      ({"op": "diff", "old": [], "new": [], "new_where": "x"}, "$.new_where"),
                      ({"op": "score", "deal": {}, "old_where": []}, "$.old_where"),
                      ({"op": "explain", "deal": {}, "format": "jsonl"}, "$.format")):
        s.sendall(json.dumps(bad).encode() + b"\n")
        err = json.loads(f.readline()).get("error", {})
        check(err.get("path") == path, "op diff refuses %s (%r)" % (path, err))
    s.close()
    c = srv.conn()
    st, h, body = call(c, "POST", "/v1/diff", json.dumps(sides).encode())
    check(st == 200 and json.loads(body)["counts"]["unchanged"] == 15, "POST /v1/diff")
    st, h, body = call(c, "POST", "/v1/diff?format=text", json.dumps(dict(min_move=0.3, **sides)))
    check(st == 200 and h["content-type"] == "text/plain; charset=utf-8" and body == want_text,
          "POST /v1/diff?format=text: the text of dealscore diff -f text")
    st, h, body = call(c, "POST", "/v1/diff?format=jsonl", json.dumps(sides).encode())
    check(st == 200 and h["content-type"] == "application/x-ndjson" and body == want.stdout,
          "POST /v1/diff?format=jsonl: the lines dealscore diff prints")
    for body in (b"[1, 2]", b'{"old": []}', b"{oops", b""):
        st, h, got = call(c, "POST", "/v1/diff", body)
        check(st == 400 and json.loads(got)["error"]["code"] == "bad_request",
              "POST /v1/diff %r: 400" % body)
    st, h, got = call(c, "POST", "/v1/diff?format=ansi", b"{}")
    check(st == 400, "POST /v1/diff?format=ansi: 400")
    huge = b'{"old": [' + b"1," * 600000 + b'1], "new": []}'
    st, h, got = call(c, "POST", "/v1/diff", huge)
    check(st == 413 and json.loads(got)["error"]["code"] == "line_too_long",
          "POST /v1/diff over --max-line: 413")
    deep = b'{"old": ' + b"[" * 100000 + b"]" * 100000 + b', "new": []}'
    st, h, got = call(c, "POST", "/v1/diff", deep)
    check(st == 400, "POST /v1/diff nested 100000 deep: 400 (got %d)" % st)
    odd = json.dumps({"old": [1, "x", None, [], {"id": 5}], "new": [{"id": "x"}]}).encode()
    st, h, got = call(c, "POST", "/v1/diff", odd)
    check(st == 200 and json.loads(got)["counts"]["added"] == 1,
          "POST /v1/diff with elements that are not deals: compared, each named in notes")
    st, h, got = call(c, "GET", "/healthz")
    check(st == 200, "still healthy after the hostile diffs")
    c.close()


def scenario_same_as_lines(srv):
    """Deals good and bad: HTTP answers the bytes the request lines answer."""
    gen = subprocess.run([sys.executable, os.path.join(SRC, "tests", "reference", "gen_deals.py"),
                          "--seed", "11", "--count", "200"], capture_output=True, check=True).stdout
    bad = [b'{"id": "r1", "stakeholders": [{"id": "a", "influence": 3}]}', b'{"id": "r2", oops',
           b'{"id": "r3", "stakeholders": "x"}', b'[1, 2]', b'"just a string"', b'   ']
    body = b"\n".join(gen.split(b"\n")[:50] + bad + gen.split(b"\n")[50:]).strip() + b"\n"
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
    s.sendall(body)
    s.shutdown(socket.SHUT_WR)
    want = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        want += chunk
    s.close()
    c = srv.conn()
    st, _, got = call(c, "POST", "/v1/score", body, {"Content-Type": "application/x-ndjson"})
    check(st == 200 and got == want, "NDJSON with errors: the bytes of the request lines")
    for deal, status, code in ((bad[0], 422, "out_of_range"), (bad[1], 400, "bad_json"),
                               (bad[2], 422, "bad_type")):
        st, h, got = call(c, "POST", "/v1/score", deal)
        err = json.loads(got)["error"]
        check(st == status and err["code"] == code,
              "a bad deal alone: %d %s (got %d %s)" % (status, code, st, err["code"]))
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
        s.sendall(deal + b"\n")
        line = s.makefile("rb").readline()
        s.close()
        check(got == line, "a bad deal alone: the error line of the request lines")
    st, _, got = call(c, "POST", "/v1/score?policy=nope", bad[2])
    check(st == 400 and json.loads(got)["error"]["code"] == "unknown_policy", "unknown policy: 400")
    c.close()


def scenario_keepalive(srv):
    c = srv.conn()
    c.connect()
    sock = c.sock
    seen = []
    for path in ("/healthz", "/readyz", "/v1/ping", "/v1/policies", "/metrics", "/healthz"):
        st, h, body = call(c, "GET", path)
        seen.append(st)
        check("connection" not in h, "keep-alive: %s does not close" % path)
    check(seen == [200] * 6, "keep-alive: every answer 200: %r" % seen)
    check(c.sock is sock, "keep-alive: one connection for six requests")
    st, h, body = call(c, "GET", "/v1/ping")
    pong = json.loads(body)
    check(pong["pong"] is True and pong["generation"] == 1 and
          h["server"] == "dealscore/%s (policies generation 1)" % pong["version"],
          "ping and Server header: version and generation")
    c.request("GET", "/healthz", headers={"Connection": "close"})
    r = c.getresponse()
    r.read()
    check(r.getheader("Connection") == "close", "Connection: close is honoured")
    c.close()
    # HTTP/1.0 without keep-alive: answered, then closed
    raw = Raw(srv.port)
    raw.send(b"GET /healthz HTTP/1.0\r\n\r\n")
    st, h, body = raw.response()
    check(st == 200 and raw.closed(), "HTTP/1.0: answered then closed")
    raw.close()


def scenario_pipelined(srv):
    deals = lines(EXAMPLE)
    want = run("score", "-q", EXAMPLE).stdout.split(b"\n")
    raw = Raw(srv.port)
    batch = b"".join(request("POST", "/v1/score", d) for d in deals)
    batch += request("GET", "/v1/ping") + request("GET", "/nope") + request("POST", "/v1/score",
                                                                           b"\n".join(deals))
    raw.send(batch)
    got = [raw.response() for _ in range(len(deals) + 3)]
    check(all(g[0] == 200 and g[2] == want[i] + b"\n" for i, g in enumerate(got[:len(deals)])),
          "pipelined: every deal answered in order")
    check(json.loads(got[len(deals)][2])["pong"] is True, "pipelined: then the ping")
    check(got[len(deals) + 1][0] == 404, "pipelined: then the 404, connection kept")
    check(got[-1][2] == b"\n".join(want[:len(deals)]) + b"\n", "pipelined: then the stream")
    conforms("GET", "/v1/ping", *got[len(deals)])
    conforms("POST", "/v1/score", *got[-1])
    raw.close()


def scenario_bad_requests(srv):
    c = srv.conn()
    c.request("GET", "/nope")
    r = c.getresponse()
    check(r.status == 404 and json.loads(r.read())["error"]["code"] == "not_found",
          "unknown path: 404, the connection kept")
    for method, path, allow in (("POST", "/healthz", "GET"), ("GET", "/v1/score", "POST")):
        c.request(method, path, body=b"" if method == "POST" else None)
        r = c.getresponse()
        check(r.status == 405 and r.getheader("Allow") == allow and
              json.loads(r.read())["error"]["code"] == "method_not_allowed",
              "%s %s: 405 with Allow: %s" % (method, path, allow))
    st, h, body = call(c, "POST", "/v1/reload", b"")
    check(st == 200, "reload without a token file: 200")
    st, _, body = call(c, "GET", "/v1/ping")
    check(json.loads(body)["generation"] == 2, "reload: generation 2 in ping")
    c.close()
    for name, data in (("garbage request line", b"GET /healthz XTTP/1.1\r\n\r\n"),
                       ("bad header", b"GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n"),
                       ("bad chunk size", b"POST /v1/score HTTP/1.1\r\nTransfer-Encoding: chunked"
                                          b"\r\n\r\nzz\r\n")):
        raw = Raw(srv.port)
        raw.send(data)
        st, h, body = raw.response()
        check(st == 400 and h.get("connection") == "close" and
              json.loads(body)["error"]["code"] == "bad_request", "%s: 400 and close" % name)
        check(raw.closed(), "%s: the connection is closed" % name)
        raw.close()
    # headers over 16 KiB
    raw = Raw(srv.port)
    raw.send(b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
    st, h, body = raw.response()
    check(st == 431 and json.loads(body)["error"]["code"] == "headers_too_large",
          "oversized headers: 431")
    conforms("POST", "/v1/score", st, h, body)
    check(raw.closed(), "oversized headers: closed")
    raw.close()
    # many small headers, under the limit: fine
    raw = Raw(srv.port)
    raw.send(request("GET", "/healthz", headers=["X-H%d: v" % i for i in range(500)]))
    check(raw.response()[0] == 200, "500 small headers: answered")
    raw.close()
    # a URL too long
    raw = Raw(srv.port)
    raw.send(request("GET", "/" + "u" * 3000))
    st, h, body = raw.response()
    check(st == 414, "a 3000-byte URL: 414")
    raw.close()


# HTTP strictness, as a class: (name, raw request, status, error code, words of
# the message). Each is answered once, with Connection: close, then closed
# (a bad query parameter only: the connection stays).
STRICT = [
    ("space before a colon", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding : chunked"
     b"\r\n\r\n0\r\n\r\n", 400, "bad_request", "colon"),
    ("tab before a colon", b"GET /healthz HTTP/1.1\r\nHost\t: t\r\n\r\n", 400, "bad_request",
     ""),  # the parser refuses this one itself
    ("two Authorization", b"GET /v1/stats HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer a\r\n"
     b"Authorization: Bearer b\r\n\r\n", 400, "bad_request", "more than one Authorization"),
    ("two Host", b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad_request",
     "more than one Host"),
    ("two Transfer-Encoding", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked"
     b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "bad_request",
     "more than one Transfer-Encoding"),
    ("two Content-Length", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
     b"Content-Length: 2\r\n\r\n{}", 400, "bad_request", "content-length"),
    ("gzip, chunked", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked"
     b"\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501, "unsupported", "only"),
    ("chunked, identity", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, "
     b"identity\r\n\r\n0\r\n\r\n", 501, "unsupported", "only"),
    ("gzip", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501,
     "unsupported", "only"),
    ("chunk size overflow", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked"
     b"\r\n\r\nFFFFFFFFFFFFFFFFFF1\r\nab\r\n0\r\n\r\n", 400, "bad_request", "chunk size"),
    ("chunk extension flood", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked"
     b"\r\n\r\n1;" + b"a" * 100000 + b"\r\n{\r\n0\r\n\r\n", 400, "bad_request", "chunk-size line"),
    ("trailers flood", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"2\r\n{}\r\n0\r\nX-T: " + b"a" * 100000 + b"\r\n\r\n", 431, "headers_too_large", "trailers"),
    ("bad %-escape", b"GET /v1/ping?policy=%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400, "bad_request",
     "?policy="),
    ("%-escape not UTF-8", b"GET /v1/ping?policy=%ff HTTP/1.1\r\nHost: t\r\n\r\n", 400,
     "bad_request", "?policy="),
]


def scenario_strict(srv):
    for name, data, status, code, words in STRICT:
        raw = Raw(srv.port)
        try:
            raw.send(data)
        except OSError:
            pass  # the server may answer and close before the whole flood is sent
        st, h, body = raw.response()
        err = json.loads(body)["error"]
        check(st == status and err["code"] == code and words.lower() in err["message"].lower() and
              (h.get("connection") == "close") == (words != "?policy="),
              "%s: %d %s (%r), got %d %r" %
              (name, status, code, words, st, err))
        raw.close()
    # ?policy= is percent-decoded: %64efault is the default policy
    c = srv.conn()
    deal = open(EXAMPLE, "rb").readline()
    st, _, plain = call(c, "POST", "/v1/score?policy=default", deal)
    st2, _, decoded = call(c, "POST", "/v1/score?policy=%64efault", deal)
    check(st == st2 == 200 and plain == decoded, "?policy=%64efault is ?policy=default")
    st, _, body = call(c, "POST", "/v1/score?polic%79=nope", deal)
    check(st == 400 and json.loads(body)["error"]["code"] == "unknown_policy",
          "the parameter's name is decoded too: %d %r" % (st, body[:200]))
    c.close()


def scenario_limits():
    srv = Server("--max-line", "4096", name="limits")
    try:
        deals = lines(EXAMPLE)
        big = json.dumps({"id": "big", "notes": "x" * 5000}).encode()
        c = srv.conn()
        st, h, body = call(c, "POST", "/v1/score", big)
        check(st == 413 and json.loads(body)["error"]["code"] == "line_too_long",
              "a deal over --max-line: 413 line_too_long")
        st, h, body = call(c, "POST", "/v1/score", b"\n".join([deals[0], big, deals[1]]))
        got = body.split(b"\n")
        want = run("score", "-q", "-", stdin=deals[0] + b"\n" + deals[1] + b"\n").stdout.split(b"\n")
        check(st == 200 and got[0] == want[0] and got[2] == want[1] and
              json.loads(got[1])["error"]["code"] == "line_too_long",
              "a long deal among others: skipped, the others scored")
        st, _, _ = call(c, "GET", "/healthz")
        check(st == 200, "after a long deal the connection serves on")
        c.close()
    finally:
        srv.stop()


def scenario_slow_headers():
    """Headers that never end are answered 408 after --idle-timeout (here 1 s);
    meanwhile, and after, other clients are served. The waits are reads."""
    srv = Server("--idle-timeout", "1", name="slow")
    try:
        slow = Raw(srv.port)
        slow.send(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        other = srv.conn()
        st, _, _ = call(other, "GET", "/healthz")
        check(st == 200, "slow headers: another client is served meanwhile")
        other.close()
        # trickled one byte per send, the headers still complete: answered
        trickle = Raw(srv.port)
        trickle.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in request("GET", "/healthz"):
            trickle.send(bytes([b]))
        check(trickle.response()[0] == 200, "headers sent a byte at a time: answered")
        trickle.close()
        st, h, body = slow.response()  # blocks until the server gives up on it
        check(st == 408 and json.loads(body)["error"]["code"] == "request_timeout",
              "slow headers: 408 request_timeout")
        check(slow.closed(), "slow headers: then closed")
        slow.close()
    finally:
        srv.stop()


def scenario_metrics(srv):
    c = srv.conn()
    before = parse_metrics(call(c, "GET", "/metrics")[2].decode())
    deals = lines(EXAMPLE)
    call(c, "POST", "/v1/score", b"\n".join(deals))
    call(c, "POST", "/v1/score", b'{"id": "m1", "stakeholders": [{"id": "a", "influence": 3}]}')
    call(c, "POST", "/v1/score", b'{"id": "m2", bad')
    st, h, text = call(c, "GET", "/metrics")
    check(h["content-type"].startswith("text/plain; version=0.0.4"), "metrics: content type")
    after = parse_metrics(text.decode())

    def delta(name, **labels):
        return (metric(after, name, **labels) or 0) - (metric(before, name, **labels) or 0)
    check(delta("dealscore_requests_total", op="score", outcome="ok") == len(deals),
          "metrics: score ok counted")
    check(delta("dealscore_requests_total", op="score", outcome="error") == 2,
          "metrics: score errors counted")
    check(delta("dealscore_errors_total", code="out_of_range") == 1 and
          delta("dealscore_errors_total", code="bad_json") == 1, "metrics: errors by code")
    check(delta("dealscore_deals_scored_total", policy="default") == len(deals),
          "metrics: deals scored by policy")
    check(metric(after, "dealscore_connections_open") >= 1, "metrics: connections open")
    check(delta("dealscore_http_responses_total", code="2xx") >= 2, "metrics: HTTP 2xx")
    for op in ("score", "ping", "none"):
        buckets = sorted((float(dict(k[1])["le"]), v) for k, v in after.items()
                         if k[0] == "dealscore_request_duration_seconds_bucket" and
                         dict(k[1])["op"] == op)
        counts = [v for _, v in buckets]
        check(buckets and buckets[-1][0] == float("inf") and counts == sorted(counts) and
              counts[-1] == metric(after, "dealscore_request_duration_seconds_count", op=op),
              "metrics: %s histogram cumulative, +Inf = count" % op)
    check(metric(after, "dealscore_build_info", version=json.loads(call(c, "GET", "/v1/ping")[2])[
        "version"], generation="2") == 1, "metrics: build info with the generation")
    workers = [k for k in after if k[0] == "dealscore_worker_queue_depth"]
    check(len(workers) == 2, "metrics: a queue depth per worker")
    for name in ("dealscore_policy_timeouts_total", "dealscore_policy_memory_errors_total",
                 "dealscore_reloads_total", "dealscore_deadline_exceeded_total"):
        check(any(k[0] == name for k in after), "metrics: %s present" % name)
    check(metric(after, "dealscore_reloads_total", outcome="ok") == 1, "metrics: the reload")
    c.close()


def scenario_tokens():
    token = os.path.join(TMP, "token")
    with open(token, "w") as f:
        f.write("s3cret\n")
    os.chmod(token, 0o600)
    srv = Server("--token-file", token, name="token")
    try:
        c = srv.conn()
        st, h, body = call(c, "POST", "/v1/reload", b"")
        check(st == 401 and h.get("www-authenticate") == "Bearer" and
              "Authorization: Bearer" in json.loads(body)["error"]["message"],
              "reload without the token: 401")
        st, _, _ = call(c, "POST", "/v1/reload", b"", {"Authorization": "Bearer wrong"})
        check(st == 401, "reload with a wrong token: 401")
        st, _, body = call(c, "POST", "/v1/reload", b"", {"Authorization": "Bearer s3cret"})
        check(st == 200 and json.loads(body)["reloaded"]["generation"] == 2, "reload with token")
        st, _, _ = call(c, "GET", "/v1/stats", headers={"Authorization": "Bearer s3cret"})
        check(st == 200, "stats with token")
        st, _, _ = call(c, "POST", "/v1/score", open(EXAMPLE, "rb").readline())
        check(st == 200, "score needs no token without --token-all")
        c.close()
    finally:
        srv.stop()
    srv = Server("--token-file", token, "--token-all", "--log-format", "json", name="tokenall")
    try:
        c = srv.conn()
        st, _, _ = call(c, "POST", "/v1/score", open(EXAMPLE, "rb").readline())
        check(st == 401, "--token-all: score without the token: 401")
        st, _, _ = call(c, "POST", "/v1/score", open(EXAMPLE, "rb").readline(),
                        {"Authorization": "Bearer s3cret"})
        check(st == 200, "--token-all: score with the token")
        st, _, _ = call(c, "GET", "/healthz")
        check(st == 200, "--token-all: /healthz stays open")
        c.close()
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
        s.sendall(b'{"op": "ping"}\n')
        answer = json.loads(s.makefile("rb").readline())
        check(answer.get("error", {}).get("code") == "unauthorized",
              "--token-all: request lines need it too")
        s.close()
    finally:
        rc = srv.stop()
    check(rc == 0, "json logs: stopped with 0")
    logs = open(srv.log_path, "rb").read().splitlines()
    parsed = []
    for line in logs:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            check(False, "json logs: not JSON: %r" % line[:200])
    check(len(parsed) >= 3 and all(set(p) == {"time", "level", "msg"} for p in parsed) and
          any("listening on" in p["msg"] for p in parsed), "json logs: {time, level, msg} lines")


def main():
    srv = Server()
    try:
        for scenario in (scenario_results, scenario_explain_text, scenario_diff,
                         scenario_same_as_lines,
                         scenario_keepalive,
                         scenario_pipelined, scenario_bad_requests, scenario_strict,
                         scenario_metrics):
            try:
                scenario(srv)
            except Exception as e:  # a scenario that breaks is a failure, the rest still run
                check(False, "%s raised %r" % (scenario.__name__, e))
        check(srv.proc.poll() is None, "the server is still running")
    finally:
        check(srv.stop() == 0, "stopped with 0")
    for scenario in (scenario_limits, scenario_slow_headers, scenario_tokens):
        try:
            scenario()
        except Exception as e:
            check(False, "%s raised %r" % (scenario.__name__, e))
    print("%d passed, %d failed" % (passed[0], len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
