"""server_client.py: a client of `dealscore serve` in Python's standard library,
and the end-to-end scenarios the test_server*.sh scripts run with it.

    python3 server_client.py SCENARIO PORT [ARGS...]

Each scenario talks to a server already running on 127.0.0.1:PORT, checks what
it gets back, and exits 0, or 1 with the reason on stderr. Every wait is bounded.
"""
import json
import os
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
TIMEOUT = 20.0  # seconds any single wait may take before the scenario fails


def is_pong(answer, id_):
    """A ping's answer: pong, the server's version and its policy generation."""
    return (isinstance(answer, dict) and answer.get("id") == id_ and answer.get("pong") is True
            and isinstance(answer.get("version"), str) and isinstance(answer.get("generation"), int))

class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Client:
    """One connection: send lines, read response lines in order."""

    def __init__(self, port, timeout=TIMEOUT, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:  # before connecting, so the window is small from the start
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((HOST, port))
        self.buf = b""

    def send(self, *lines):
        self.sock.sendall(b"".join(as_line(l) for l in lines))

    def read_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise Failure("connection closed with %d bytes unanswered" % len(self.buf))
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def read(self):
        return json.loads(self.read_line())

    def call(self, request):
        self.send(request)
        return self.read()

    def at_eof(self):
        """True when the server closed the connection (after any pending lines)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


def as_line(request):
    if isinstance(request, bytes):
        return request if request.endswith(b"\n") else request + b"\n"
    if isinstance(request, str):
        return (request if request.endswith("\n") else request + "\n").encode()
    return (json.dumps(request) + "\n").encode()


def deal_lines(path):
    with open(path, "rb") as f:
        return [l.rstrip(b"\n") for l in f if l.strip()]


def send_in_thread(client, payload):
    """Sends payload without reading (a pipelining client); returns the thread."""
    t = threading.Thread(target=client.sock.sendall, args=(payload,), daemon=True)
    t.start()
    return t


def stats(port, token=None):
    req = {"op": "stats"}
    if token:
        req["token"] = token
    deadline = time.time() + TIMEOUT
    while True:  # connections just closed are counted asynchronously: retry, bounded
        c = Client(port)
        r = c.call(req)
        c.close()
        refused = r.get("error", {}).get("code") == "too_many_connections"
        if not refused or time.time() > deadline:
            break
        time.sleep(0.05)
    check("stats" in r, "stats answered %r" % r)
    return r["stats"]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure("no VmRSS for %d" % pid)


# ---- scenarios ----


def pipelined(port, deals, expected):
    """A whole export in one write; the answers equal `dealscore score` byte for byte."""
    lines = deal_lines(deals)
    want = deal_lines(expected)
    c = Client(port)
    sender = send_in_thread(c, b"".join(l + b"\n" for l in lines))
    got = [c.read_line() for _ in lines]
    sender.join(TIMEOUT)
    check(got == want, "pipelined answers differ from dealscore score (first at %s)"
          % next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), "?"))
    # the same deals as envelopes with ids, interleaved with pings: ids echoed, in order
    reqs = []
    for i, l in enumerate(lines[:200]):
        reqs.append(b'{"id": %d, "op": "score", "deal": %s}' % (i, l))
        reqs.append(b'{"id": "ping-%d", "op": "ping"}' % i)
    c.send(*reqs)
    for i, l in enumerate(lines[:200]):
        r = c.read()
        check(r["id"] == i, "envelope %d answered with id %r" % (i, r.get("id")))
        check(json.dumps(r["result"], separators=(",", ":")).encode() == want[i]
              or r["result"] == json.loads(want[i]), "envelope %d result differs" % i)
        p = c.read()
        check(is_pong(p, "ping-%d" % i), "ping %d answered %r" % (i, p))
    c.close()


def concurrent(port, deals, expected, connections=8):
    """Several connections pipelining at once each get their own answers in order."""
    lines = deal_lines(deals)
    want = deal_lines(expected)
    errors = []

    def one(k):
        try:
            c = Client(port)
            mine = lines[k::connections]
            send_in_thread(c, b"".join(l + b"\n" for l in mine))
            got = [c.read_line() for _ in mine]
            if got != want[k::connections]:
                errors.append("connection %d: answers differ" % k)
            c.close()
        except Exception as e:  # reported below
            errors.append("connection %d: %r" % (k, e))

    threads = [threading.Thread(target=one, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    check(not errors, "; ".join(errors))


ERROR_CASES = [
    # (request line, code, path)
    (b"{not json", "bad_json", "$"),
    (b'{"op": "score", "deal": {"id": "x"}, }', "bad_json", "$"),
    (b"[1, 2, 3]", None, "$"),
    (b'{"op": "frobnicate", "id": 1}', "unknown_op", "$.op"),
    (b'{"op": 42, "id": 1}', "bad_request", "$.op"),
    (b'{"op": "score", "id": 2}', "bad_request", "$.deal"),
    (b'{"op": "score", "id": 3, "deal": [1]}', "bad_request", "$.deal"),
    (b'{"op": "explain", "id": 4, "deal": "text"}', "bad_request", "$.deal"),
    (b'{"op": "score", "id": 5, "policy": 7, "deal": {}}', "bad_request", "$.policy"),
    (b'{"op": "score", "id": 6, "policy": "nope", "deal": {"id": "d"}}', "unknown_policy",
     "$.policy"),
    (b'{"op": "actions", "id": 7, "deal": {"id": "d", "stakeholders": [{"id": "a", "stance": 3}]}}',
     "out_of_range", "$.deal.stakeholders[0].stance"),
    (b'{"id": 8, "deal": {"id": "d", "stakeholders": [{"id": "a", "influence": 2}]}}',
     "out_of_range", "$.deal.stakeholders[0].influence"),
    (b'{"id": "d", "stakeholders": [{"id": "a", "influence": 2}]}', "out_of_range",
     "$.stakeholders[0].influence"),
    (b'{"op": "ping", "token": 5}', "bad_request", "$.token"),
    (b'{"op": "ping", "id": "n", "policy": "a\\u0062"}', "bad_request", "$.policy"),
    # ids that cannot be echoed as sent: answered with id null, naming $.id
    # (docs/protocol.md: a string of UTF-8 text, a number a double holds, or null)
    (b'{"op": "ping", "id": "\xff\xfe"}', "bad_request", "$.id"),            # not UTF-8
    (b'{"op": "ping", "id": "a\xc3"}', "bad_request", "$.id"),                # cut short
    (b'{"op": "ping", "id": "\xc0\x80"}', "bad_request", "$.id"),            # overlong NUL
    (b'{"op": "ping", "id": "\xe0\x80\xaf"}', "bad_request", "$.id"),       # overlong '/'
    (b'{"op": "ping", "id": "\xed\xa0\x80"}', "bad_request", "$.id"),       # raw surrogate
    (b'{"op": "ping", "id": "\xf4\x90\x80\x80"}', "bad_request", "$.id"),  # past U+10FFFF
    (b'{"op": "ping", "id": "\\ud800"}', "bad_request", "$.id"),          # lone high
    (b'{"op": "ping", "id": "x\\udfff"}', "bad_request", "$.id"),         # lone low
    (b'{"op": "ping", "id": "\\ud800\\u0041"}', "bad_request", "$.id"),  # high, no low
    (b'{"op": "ping", "id": 1e999}', "bad_request", "$.id"),
    (b'{"op": "ping", "id": -1e999}', "bad_request", "$.id"),
    (b'{"op": "ping", "id": 1' + b"0" * 400 + b'}', "bad_request", "$.id"),
    (b'{"op": "ping", "id": {"nested": [1, "two"]}}', "bad_request", "$.id"),
    (b'{"op": "ping", "id": [1, 2]}', "bad_request", "$.id"),
    (b'{"op": "ping", "id": true}', "bad_request", "$.id"),
    (b'{"op": "score", "id": "\xff", "deal": {"id": "d"}}', "bad_request", "$.id"),
]

# ids that can: echoed byte for byte
GOOD_IDS = [b'"\\ud83d\\ude00"', b'"\xc3\xa9\\\\u"', b"12345678901234567890123", b"-0.5e-300",
            b"null", b'""', b'"\xf0\x9f\x98\x80"']



def actions(port, deals, expected, policy=None):
    """op actions answers, for each deal, the result line of `dealscore score
    --actions` (EXPECTED): the same actions, gains and order."""
    lines = deal_lines(deals)
    want = [json.loads(l) for l in deal_lines(expected)]
    c = Client(port)
    for i, line in enumerate(lines):
        req = b'{"op": "actions", "id": %d, ' % i
        if policy:
            req += b'"policy": "%s", ' % policy.encode()
        c.send(req + b'"deal": ' + line + b"}")
    for i, w in enumerate(want):
        r = c.read()
        check(r["id"] == i, "answer %d has id %r" % (i, r["id"]))
        got = r.get("result", r.get("error"))
        exp = w if "error" not in w else w["error"]
        if "error" in w:  # paths inside an envelope start with $.deal
            exp = dict(exp, path=exp["path"].replace("$", "$.deal", 1))
        check(got == exp, "deal %d: op actions answered %r, dealscore score --actions %r"
              % (i, got, exp))
        check("error" in w or "actions" in got, "deal %d: no actions in %r" % (i, got))
    c.close()


def unsupported_actions(port):
    """Without the model's actions section, op actions says why; score still works."""
    c = Client(port)
    r = c.call({"op": "actions", "id": 1, "deal": {"id": "d"}})
    check(r.get("error", {}).get("code") == "unsupported", "op actions answered %r" % r)
    check("actions." in r["error"]["message"], "the model key is not named: %r" % r)
    r = c.call({"op": "score", "id": 2, "deal": {"id": "d"}})
    check("result" in r, "score after unsupported actions answered %r" % r)
    c.close()


def errors(port):
    """Every request error: a clear code and path, the id echoed, the connection kept."""
    c = Client(port)
    for n, (line, code, path) in enumerate(ERROR_CASES):
        c.send(line, {"op": "ping", "id": n})
        r = c.read()
        check("error" in r, "%r was answered %r" % (line, r))
        if code:
            check(r["error"]["code"] == code, "%r: code %r, expected %r"
                  % (line, r["error"]["code"], code))
        check(r["error"]["path"] == path, "%r: path %r, expected %r"
              % (line, r["error"]["path"], path))
        check(r["error"]["message"], "%r: no message" % line)
        try:
            sent = json.loads(line)
        except ValueError:
            sent = None
        if path == "$.id":
            check(r["id"] is None, "%r: a bad id was echoed: %r" % (line, r["id"]))
        elif isinstance(sent, dict) and ("op" in sent or "deal" in sent):
            check(r["id"] == sent.get("id"), "%r: id %r not echoed" % (line, r["id"]))
        pong = c.read()
        check(is_pong(pong, n), "after %r the connection answered %r"
              % (line, pong))
    for id_ in GOOD_IDS:
        c.send(b'{"op": "ping", "id": ' + id_ + b"}")
        raw = c.read_line()
        check(raw.startswith(b'{"id":' + id_ + b',"pong":true'),
              "id %r not echoed byte for byte: %r" % (id_, raw))
    # the line number names where the bad request was
    c.send(b"{bad")
    r = c.read()
    check("line %d:" % (2 * len(ERROR_CASES) + len(GOOD_IDS) + 1) in r["error"]["message"],
          "bad_json message does not name the line: %r" % r)
    # blank lines are not requests; CRLF line ends and a last line without newline work
    c.send(b"", b"   ", b'{"op": "ping", "id": "crlf"}\r')
    check(is_pong(c.read(), "crlf"), "CRLF line not answered")
    c.sock.sendall(b'{"op": "ping", "id": "last"}')
    c.sock.shutdown(socket.SHUT_WR)
    check(is_pong(c.read(), "last"), "last line without newline unanswered")
    check(c.at_eof(), "server did not close after the client's end of stream")
    c.close()
    s = stats(port)
    check(s["errors"].get("bad_json", 0) >= 3, "stats errors by code: %r" % s["errors"])
    check(s["errors"].get("unknown_op") == 1, "unknown_op counted %r" % s["errors"])


def too_long(port, max_line):
    """Over --max-line: an error, the line skipped up to its newline, the rest served."""
    max_line = int(max_line)
    c = Client(port)
    c.send(b'{"pad": "' + b"x" * (max_line * 3) + b'"}', {"op": "ping", "id": 1})
    r = c.read()
    check(r["error"]["code"] == "line_too_long", "long line answered %r" % r)
    check(is_pong(c.read(), 1), "no pong after a long line")
    # a long line arriving in pieces gets one error, then the next request is answered
    c.sock.sendall(b'{"pad": "' + b"y" * (max_line // 2))
    time.sleep(0.05)
    for _ in range(5):
        c.sock.sendall(b"z" * max_line)
        time.sleep(0.02)
    c.sock.sendall(b'"}\n{"op": "ping", "id": 2}\n')
    r = c.read()
    check(r["error"]["code"] == "line_too_long", "piecewise long line answered %r" % r)
    check(is_pong(c.read(), 2), "no pong after a piecewise long line")
    # a line of exactly the limit is a request
    body = b'{"op": "ping", "id": 3, "pad": "'
    exact = body + b"p" * (max_line - len(body) - 2) + b'"}'
    check(len(exact) == max_line, "test line length")
    c.send(exact)
    check(is_pong(c.read(), 3), "a line of exactly --max-line was refused")
    c.close()


def token(port, token_value):
    c = Client(port)
    for op in ("stats", "reload"):
        r = c.call({"op": op, "id": op})
        check(r.get("error", {}).get("code") == "unauthorized" and r["id"] == op,
              "%s without token answered %r" % (op, r))
        r = c.call({"op": op, "id": op, "token": token_value + "x"})
        check(r.get("error", {}).get("code") == "unauthorized", "%s with a wrong token: %r"
              % (op, r))
    r = c.call({"op": "stats", "token": token_value})
    check("stats" in r, "stats with the token answered %r" % r)
    r = c.call({"op": "reload", "token": token_value})
    check("reloaded" in r, "reload with the token answered %r" % r)
    check(is_pong(c.call({"op": "ping"}), None), "ping needs no token")
    c.close()


def max_connections(port, limit):
    limit = int(limit)
    held = [Client(port) for _ in range(limit)]
    for c in held:
        check(c.call({"op": "ping"})["pong"], "held connection not served")
    extra = Client(port)
    r = extra.read()
    check(r["error"]["code"] == "too_many_connections", "connection over the limit got %r" % r)
    check(extra.at_eof(), "refused connection left open")
    extra.close()
    held.pop().close()
    deadline = time.time() + TIMEOUT
    while True:  # the close is counted asynchronously: retry, bounded
        c = Client(port)
        r = c.call({"op": "ping"})
        c.close()
        if r.get("pong"):
            break
        check(time.time() < deadline, "no connection accepted after one closed")
        time.sleep(0.05)
    for c in held:
        check(c.call({"op": "ping"})["pong"], "held connection lost")
        c.close()
    check(stats(port)["connections"]["refused"] >= 1, "refusal not counted")


def refusals(port, limit):
    """Over the limit, each client is answered in its own protocol."""
    held = [Client(port) for _ in range(int(limit))]
    for c in held:
        check(c.call({"op": "ping"})["pong"], "held connection not served")
    # an HTTP client over the limit is answered in HTTP: 503 with the JSON
    # error body, whether its request came with the connection or a little after
    for delay in (0, 0.1):
        s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        if delay:
            time.sleep(delay)  # a client slower to write than to connect
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 1" in head and
              json.loads(body)["error"]["code"] == "too_many_connections",
              "HTTP over the limit (first bytes after %.1f s): 503 with the error, got %r"
              % (delay, data[:200]))
    # a request-line client that sends at once still gets the error line
    extra = Client(port)
    extra.sock.sendall(b'{"op": "ping"}\n')
    r = extra.read()
    check(r["error"]["code"] == "too_many_connections", "lines over the limit got %r" % r)
    extra.close()
    # many silent clients over the limit: each answered, none held forever
    silent = [socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) for _ in range(80)]
    for s in silent:
        line = s.makefile("rb").readline()
        check(b"too_many_connections" in line, "a silent client over the limit got %r" % line)
        s.close()
    for c in held:
        check(c.call({"op": "ping"})["pong"], "held connection lost")
        c.close()


def idle(port):
    c = Client(port)
    check(c.call({"op": "ping"})["pong"], "no pong")
    c.sock.settimeout(TIMEOUT)
    check(c.at_eof(), "idle connection not closed")
    c.close()
    check(stats(port)["connections"]["idle_closed"] >= 1, "idle close not counted")


def slow_reader(port, deals, pid):
    """A client that does not read: the server stops reading it, memory stays bounded,
    other clients are served, and every answer arrives in order once it reads."""
    pid = int(pid)
    lines = deal_lines(deals)
    reqs = [b'{"id": %d, "op": "explain", "deal": %s}\n' % (i, l)
            for i, l in enumerate(lines * 3)]  # about 14 MB of answers
    before = rss_kib(pid)
    c = Client(port, rcvbuf=64 * 1024)
    sender = send_in_thread(c, b"".join(reqs))
    deadline = time.time() + TIMEOUT
    last = -1
    while time.time() < deadline:  # until the server has stopped taking requests
        time.sleep(0.3)
        s = stats(port)
        if s["connections"]["backpressure_pauses"] >= 1 and s["requests"]["explain"] == last:
            break
        last = s["requests"]["explain"]
    check(s["connections"]["backpressure_pauses"] >= 1, "the server never paused the reader")
    check(s["requests"]["explain"] < len(reqs), "the server answered everything into memory")
    grown = rss_kib(pid) - before
    check(grown < 24 * 1024, "server memory grew by %d KiB for one slow reader" % grown)
    other = Client(port)
    check(other.call({"op": "ping"})["pong"], "another client was not served")
    other.close()
    for i in range(len(reqs)):
        r = c.read()
        check(r.get("id") == i and "result" in r, "answer %d was %r" % (i, str(r)[:200]))
    sender.join(TIMEOUT)
    c.close()


def disconnect(port, deals):
    """Clients that vanish mid-response (close with unread answers, reset) harm nobody."""
    lines = deal_lines(deals)
    payload = b"".join(b'{"op": "explain", "deal": %s}\n' % l for l in lines)
    for linger in (False, True):
        c = Client(port)
        if linger:  # close with RST
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.sock.sendall(payload[: len(payload) // 2])
        c.sock.recv(4096)  # a part of the first answer
        c.close()
    deadline = time.time() + TIMEOUT
    while stats(port)["connections"]["open"] > 1:  # ours, asking
        check(time.time() < deadline, "vanished connections still open")
        time.sleep(0.05)
    other = Client(port)
    check(other.call({"op": "ping"})["pong"], "server not serving after a disconnect")
    other.close()


def policies(port, expect):
    """The policies op lists "name=label" pairs in order (comma-separated expect)."""
    c = Client(port)
    r = c.call({"op": "policies", "id": "p"})
    c.close()
    got = ",".join("%s=%s" % (p["name"], p["label"]) for p in r["policies"])
    check(got == expect, "policies %r, expected %r" % (got, expect))
    print(r["generation"])


def reload(port, expect, label):
    """`reload` answers ok or reload_failed (expect), and a request pipelined right
    after it is scored by the policy labelled label."""
    deal = b'{"id": "r1", "stakeholders": [{"id": "a", "role": "buyer"}]}'
    c = Client(port)
    c.send({"op": "reload", "id": "re"}, b'{"op": "score", "id": "after", "deal": ' + deal + b"}")
    r = c.read()
    if expect == "ok":
        check("reloaded" in r and r["id"] == "re", "reload answered %r" % r)
    else:
        check(r.get("error", {}).get("code") == expect, "reload answered %r" % r)
        print(r["error"]["message"])
    r = c.read()
    check(r["id"] == "after", "request after reload answered %r" % r)
    got = r["result"]["policy"] if "result" in r else r["error"]
    check(got == label, "scored after reload by %r, expected %r" % (got, label))
    c.close()


def policy_stats(port, deals):
    """Requests name a policy; stats count deals per policy and order percentiles."""
    lines = deal_lines(deals)[:5]
    before = stats(port)["policies"]
    c = Client(port)
    c.send(*[b'{"op": "score", "policy": "alt", "id": %d, "deal": %s}' % (i, l)
             for i, l in enumerate(lines[:3])], *lines[3:])
    answers = [c.read() for _ in lines]
    c.close()
    check(all(a["result"]["policy"] == "alt@1" for a in answers[:3]), "alt not used")
    check(all(a["policy"].startswith("default@") for a in answers[3:]), "default not used")
    after = stats(port)
    got = after["policies"]
    check(got.get("alt", 0) - before.get("alt", 0) == 3, "alt counted %r" % got)
    check(got.get("default", 0) - before.get("default", 0) == 2, "default counted %r" % got)
    lat = after["latency_us"]
    check(0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p999"], "percentiles %r" % lat)
    check(lat["count"] <= after["requests"]["total"], "latency count %r" % lat)
    check(lat["max"] >= lat["p50"] * 0.9, "max %r" % lat)


def inflight(port, deals, expected, count_file):
    """Sends a batch, then (the caller sends SIGTERM once count_file says so) reads
    every answer: nothing received is lost, then the server closes."""
    lines = deal_lines(deals)
    want = deal_lines(expected)
    c = Client(port)
    c.sock.sendall(b"".join(l + b"\n" for l in lines))
    first = c.read_line()
    with open(count_file, "w") as f:  # the batch is sent: signal now
        f.write("sent\n")
    got = [first] + [c.read_line() for _ in lines[1:]]
    check(got == want, "answers after SIGTERM differ from dealscore score")
    check(c.at_eof(), "server did not close the connection after answering")
    c.close()


def inflight_slow(port, deals, signal_file):
    """Shutdown while this client is paused for not reading, with requests still
    unread in the server's socket: once it reads, every answer still comes."""
    lines = deal_lines(deals)
    reqs = [b'{"id": %d, "op": "explain", "deal": %s}\n' % (i, l)
            for i, l in enumerate(lines * 3)]
    c = Client(port, rcvbuf=64 * 1024)
    sender = send_in_thread(c, b"".join(reqs))
    deadline = time.time() + TIMEOUT
    while stats(port)["connections"]["backpressure_pauses"] < 1:
        check(time.time() < deadline, "the server never paused the reader")
        time.sleep(0.05)
    with open(signal_file, "w") as f:  # paused with requests unread: signal now
        f.write("paused\n")
    time.sleep(0.2)
    for i in range(len(reqs)):
        r = c.read()
        check(r.get("id") == i and "result" in r, "answer %d after SIGTERM was %r"
              % (i, str(r)[:200]))
    sender.join(TIMEOUT)
    check(c.at_eof(), "server did not close the connection after answering")
    c.close()


def send_partial(port, ready_file):
    """Holds a connection with half a request (the drain waits for it)."""
    c = Client(port)
    c.sock.sendall(b'{"op": "pi')
    with open(ready_file, "w") as f:
        f.write("ready\n")
    c.sock.settimeout(TIMEOUT)
    c.at_eof()


def main():
    scenario, port, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    try:
        globals()[scenario](port, *args)
    except (Failure, OSError, ValueError, KeyError) as e:
        print("%s: %s: %s" % (scenario, type(e).__name__, e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
