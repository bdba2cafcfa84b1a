#!/usr/bin/env python3
"""hostile_service.py: `dealscore serve` against hostile clients, by whole classes.

    hostile_service.py DEALSCORE SRC [--short] [--only CLASS...]

Each class attacks the service one way, on both protocols (request lines and
HTTP) where both apply, and then checks the two things every attack must leave
true: every byte the server answered is well-formed UTF-8 JSON (each line, each
HTTP body of application/json), and the server still answers everybody else.

  utf8      invalid UTF-8 (bad bytes, overlong, cut short, encoded surrogates,
            past U+10FFFF, lone \\u surrogate escapes) in every string a client
            sends: id, op, policy, format, token, where, text, deal values, HTTP
            paths, queries, header values and bodies
  ids       every JSON type and odd form as an id: echoed byte for byte, or
            refused with bad_request at $.id and id null
  slowloris requests begun and never finished, a byte a round, on both protocols
  flood     thousands of requests pipelined before reading; a client never reading
  halfclose requests then shutdown(SHUT_WR), and requests cut by it
  oversize  lines, URLs, headers, bodies, lengths and chunk sizes over the limits
  reloads   reloads from many connections at once while others score
  churn     clients far past --max-connections at once, answering or vanishing

--short (make test: tests/e2e/test_hostile_service.sh) runs every class with
small counts. Every wait is on a condition (an answer, a close, a log line),
bounded by WAIT seconds: no sleep stands in for one. Exits 0 when every check
passed."""
import argparse
import json
import os
import re
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Conn, Tally, start_serve  # noqa: E402

T = Tally()
SRC = "."
WAIT = float(os.environ.get("HOSTILE_WAIT", "60"))
DEAL = {"id": "d1", "stakeholders": [{"id": "a", "role": "buyer", "can_buy": True}]}

# Byte sequences no UTF-8 decoder may accept, by kind.
BAD_UTF8 = {
    "a stray continuation byte": b"\x80",
    "a byte never in UTF-8": b"\xff",
    "an overlong NUL": b"\xc0\x80",
    "an overlong slash": b"\xe0\x80\xaf",
    "a sequence cut short": b"\xe2\x82",
    "an encoded surrogate": b"\xed\xa0\x80",
    "past U+10FFFF": b"\xf4\x90\x80\x80",
    "a five-byte form": b"\xf8\x88\x80\x80\x80",
}
# \u escapes no UTF-8 can hold (inside a JSON string, as sent)
BAD_ESCAPES = {
    "a lone high surrogate": b"\\ud800",
    "a lone low surrogate": b"\\udc00",
    "a high surrogate then a letter": b"\\ud83dx",
    "two high surrogates": b"\\ud83d\\ud83d",
}


# ---- what every answer must be ----

def strict_json(data, what):
    """The JSON value of data, checked to be well-formed UTF-8 first; None
    (and a failed check) when it is not."""
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        T.check(what + ": the answer is UTF-8", False, "%s in %r" % (e, data[:200]))
        return None
    try:
        return json.loads(text)
    except ValueError as e:
        T.check(what + ": the answer is JSON", False, "%s in %r" % (e, data[:200]))
        return None


def error_of(answer):
    return answer.get("error", {}) if isinstance(answer, dict) else {}


class Server:
    """One `dealscore serve` for a class, with its log; stopped at the end."""

    def __init__(self, ds, tmp, name, args=()):
        self.log = open(os.path.join(tmp, name + ".log"), "w+b")
        self.proc, self.port = start_serve(ds, ["--workers", "2"] + list(args), self.log)
        self.name = name

    def line(self, raw, what):
        """Sends one raw request line on a new connection; its answer, parsed."""
        c = Conn(self.port, timeout=WAIT)
        c.send(raw)
        answer = strict_json(c.read_line(), what)
        c.close()
        return answer

    def alive(self, what):
        """The server answers a ping on a new connection."""
        try:
            a = self.line({"op": "ping", "id": "alive"}, what)
        except (OSError, EOFError) as e:
            a = repr(e)
        return T.check(what + ": the server still answers", isinstance(a, dict) and a.get("pong") is True,
                       repr(a)[:200])

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait(timeout=WAIT)
        T.check("%s: the server exits 0 on SIGTERM" % self.name, rc == 0, "exit %r" % rc)
        self.log.close()


class Http:
    """A raw HTTP/1.1 client over one socket: requests as bytes, whole answers."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("closed by the server")
        self.buf += chunk

    def _until(self, sep):
        while sep not in self.buf:
            self._fill()
        part, self.buf = self.buf.split(sep, 1)
        return part

    def _exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self):
        """(status, {lower-case header: value}, body) of one whole answer."""
        head = self._until(b"\r\n\r\n").split(b"\r\n")
        status = int(head[0].split(b" ")[1])
        headers = {}
        for h in head[1:]:
            k, _, v = h.partition(b":")
            headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
        if status == 100:
            return self.response()
        if "content-length" in headers:
            return status, headers, self._exactly(int(headers["content-length"]))
        body = b""
        while True:
            size = int(self._until(b"\r\n"), 16)
            if size == 0:
                self._until(b"\r\n")
                return status, headers, body
            body += self._exactly(size)
            self._exactly(2)

    def closed(self):
        """True once the server closed (what it sent before is kept in buf)."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def http_request(method, target, body=b"", headers=(), host=b"t"):
    """The bytes of one request; target and header values are bytes, as sent."""
    head = method + b" " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
    for h in headers:
        head += h + b"\r\n"
    if body or method == b"POST":
        head += b"Content-Length: %d\r\n" % len(body)
    return head + b"\r\n" + body


def http_answer(srv, data, what):
    """Sends one request on a new connection: (status, parsed JSON body)."""
    h = Http(srv.port)
    try:
        h.send(data)
        status, headers, body = h.response()
    except (OSError, EOFError) as e:
        T.check(what + ": answered", False, repr(e))
        return 0, None
    finally:
        h.close()
    if "json" not in headers.get("content-type", ""):
        T.check(what + ": a JSON answer", False, "%d %r" % (status, headers))
        return status, None
    return status, strict_json(body, what)


# ---- utf8: invalid UTF-8 in every string a client sends ----

def envelope_with(member, inner):
    """An envelope line whose string member holds the raw bytes inner."""
    base = {"id": "u", "op": "score", "deal": DEAL}
    if member == "where":
        base = {"id": "u", "op": "score", "text": json.dumps(DEAL), "where": ""}
    if member in ("format",):
        base["op"] = "explain"
    if member == "id":
        base = {"op": "ping", "id": ""}
    if member == "op":
        base = {"id": "u", "op": ""}
    base[member] = "\x00MARK\x00"
    raw = json.dumps(base).encode()
    return raw.replace(b"\\u0000MARK\\u0000", inner)


def utf8_envelopes(srv, samples):
    """Each member a client names or quotes: refused as bad_request at its
    path (the id with id null), the rest of the connection still served."""
    paths = {"id": "$.id", "op": "$.op", "policy": "$.policy", "format": "$.format",
             "token": "$.token", "where": "$.where"}
    for member, path in paths.items():
        for kind, inner in samples.items():
            if member in ("op", "policy", "format", "token") and inner.startswith(b"\\"):
                continue  # names take no escapes at all: refused for that already
            what = "utf8: %s holding %s" % (member, kind)
            c = Conn(srv.port, timeout=WAIT)
            c.send(envelope_with(member, b"x" + inner + b"y"))
            c.send({"op": "ping", "id": "next"})
            a = strict_json(c.read_line(), what)
            b = strict_json(c.read_line(), what + ", the next request")
            c.close()
            err = error_of(a)
            T.check(what + ": bad_request at " + path,
                    err.get("code") == "bad_request" and err.get("path") == path and
                    (member != "id" or a.get("id") is None), repr(a)[:300])
            T.check(what + ": the next request is answered",
                    isinstance(b, dict) and b.get("pong") is True, repr(b)[:200])


def utf8_deals(srv, samples):
    """Invalid text inside a deal (bare, in an envelope, given as "text"):
    the scorer's error, itself valid UTF-8, naming the deal's path."""
    for kind, inner in samples.items():
        deal = json.dumps({"id": "d", "name": "\x00MARK\x00", "stakeholders": []}).encode()
        deal = deal.replace(b"\\u0000MARK\\u0000", b"n" + inner)
        for shape, line in (("a bare deal", deal),
                            ("an envelope's deal", b'{"id":"e","op":"score","deal":' + deal + b"}"),
                            ("an explain text report", b'{"id":"e","op":"explain","format":"text",'
                                                       b'"deal":' + deal + b"}")):
            what = "utf8: %s holding %s" % (shape, kind)
            a = srv.line(line, what)
            T.check(what + ": an error answer", bool(error_of(a).get("code")), repr(a)[:300])
        # "text" carries the deal's bytes in a JSON string: the same bytes there
        text = b'{"id":"t","op":"score","where":"w.jsonl:1","text":"' + \
            deal.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"}'
        what = "utf8: text holding %s" % kind
        a = srv.line(text, what)
        T.check(what + ": an error answer", bool(error_of(a).get("code")), repr(a)[:300])


def utf8_http(srv, samples):
    """HTTP: the path, the query, header values and the body. Every answer is
    a JSON error (or a result) in well-formed UTF-8."""
    for kind, inner in samples.items():
        if inner.startswith(b"\\"):
            continue  # escapes mean nothing in a URL or a header
        cases = {
            "the path": http_request(b"GET", b"/v1/x" + inner),
            "the query": http_request(b"POST", b"/v1/score?policy=" + inner, json.dumps(DEAL).encode()),
            "a percent-escaped query": http_request(
                b"POST", b"/v1/score?policy=" + b"".join(b"%%%02X" % c for c in inner),
                json.dumps(DEAL).encode()),
            "the Host header": http_request(b"GET", b"/healthz", host=b"h" + inner),
            "the Authorization header": http_request(b"POST", b"/v1/reload",
                                                     headers=[b"Authorization: Bearer " + inner]),
            "the Content-Type header": http_request(b"POST", b"/v1/score", json.dumps(DEAL).encode(),
                                                    headers=[b"Content-Type: application/" + inner]),
            "the body": http_request(b"POST", b"/v1/score", json.dumps(DEAL).encode()
                                     .replace(b'"d1"', b'"d' + inner + b'"')),
        }
        for where, data in cases.items():
            what = "utf8: HTTP %s holding %s" % (where, kind)
            http_answer(srv, data, what)  # checks the answer is UTF-8 JSON


def cls_utf8(ds, tmp, short):
    token = os.path.join(tmp, "token")
    with open(token, "w") as f:
        f.write("s3cret\n")
    os.chmod(token, 0o600)
    srv = Server(ds, tmp, "utf8", ["--token-file", token])
    try:
        samples = dict(BAD_UTF8)
        samples.update(BAD_ESCAPES)
        utf8_envelopes(srv, samples)
        utf8_deals(srv, BAD_UTF8 if not short else dict(list(BAD_UTF8.items())[:4]))
        utf8_http(srv, samples)
        srv.alive("utf8")
    finally:
        srv.stop()


# ---- ids: every JSON type and odd form ----

ECHOED = [b'"plain"', b'""', b'"\\u00e9t\\u00e9"', b'"\xc3\xa9t\xc3\xa9"', b'"\\ud83d\\ude00"',
          b'"\xf0\x9f\x98\x80"', b'"\\u0000"', b'"tab\\there"', b'"quote\\"q"', b"0", b"-0",
          b"12345678901234567890123456789", b"1.5e300", b"-2.5E-300", b"null",
          b'"' + b"x" * 5000 + b'"']
REFUSED = [b"true", b"false", b"{}", b'{"a":1}', b"[]", b"[1]", b"1e999", b"-1e400",
           b"1" + b"0" * 500, b'"\\ud800"', b'"\xff"']


def cls_ids(ds, tmp, short):
    srv = Server(ds, tmp, "ids")
    try:
        c = Conn(srv.port, timeout=WAIT)
        for raw in ECHOED + REFUSED:
            c.send(b'{"op":"ping","id":' + raw + b"}")
            c.send(b'{"op":"score","id":' + raw + b',"deal":' + json.dumps(DEAL).encode() + b"}")
        for raw in ECHOED + REFUSED:
            for op in ("ping", "score"):
                line = c.read_line()
                what = "ids: %s id %r" % (op, raw[:40])
                a = strict_json(line, what)
                if raw in ECHOED:
                    T.check(what + ": echoed byte for byte",
                            line.startswith(b'{"id":' + raw + b",") and "error" not in a,
                            repr(line[:200]))
                else:
                    err = error_of(a)
                    T.check(what + ": bad_request at $.id, id null",
                            line.startswith(b'{"id":null,') and err.get("code") == "bad_request"
                            and err.get("path") == "$.id", repr(line[:200]))
        c.close()
        srv.alive("ids")
    finally:
        srv.stop()


# ---- slowloris: requests that never finish, on both protocols ----

def closed_within(sock, what):
    """Reads until the server closes sock (what it sent before is returned);
    None when it did not close within WAIT."""
    data = b""
    sock.settimeout(WAIT)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except ConnectionResetError:
        return data
    except socket.timeout:
        T.check(what + ": closed by the server", False, "still open after %.0f s" % WAIT)
        return None


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def cls_slowloris(ds, tmp, short):
    """Many clients each holding a request begun and never finished: HTTP ones
    are answered 408 once --idle-timeout passes since their request began, even
    while they trickle bytes; request-line ones are closed once quiet for
    --idle-timeout; everybody else is served meanwhile and memory stays bounded."""
    n = 20 if short else 200
    srv = Server(ds, tmp, "slowloris", ["--idle-timeout", "2", "--max-connections", str(4 * n + 16)])
    try:
        base = rss_kb(srv.proc.pid)
        lines, heads = [], []
        for k in range(n):
            c = Conn(srv.port, timeout=WAIT)
            c.sock.sendall(b'{"op":"score","id":%d,"deal":{"id":"x' % k)  # no newline, ever
            lines.append(c)
            h = Http(srv.port)
            h.send(b"POST /v1/score HTTP/1.1\r\nHost: t\r\nX-Slow: ")  # headers never end
            heads.append(h)
        other = Conn(srv.port, timeout=WAIT)
        served = 0
        for rnd in range(3 if short else 10):  # each round: one more byte from every loris
            for c in lines:
                c.sock.sendall(b"y")
            for h in heads:
                h.send(b"z")
            other.send({"op": "ping", "id": rnd})
            served += json.loads(other.read_line()).get("pong") is True
        T.check("slowloris: others served while %d clients trickle" % (2 * n), served == rnd + 1)
        grown = rss_kb(srv.proc.pid) - base
        T.check("slowloris: memory bounded (%d KB more for %d clients)" % (grown, 2 * n),
                grown < 64 * 1024, "%d KB" % grown)
        for k, h in enumerate(heads):
            data = closed_within(h.sock, "slowloris: HTTP headers never ending")
            if data is None:
                break
            ok = data.startswith(b"HTTP/1.1 408 ") and b'"request_timeout"' in data
            if not T.check("slowloris: HTTP headers never ending: 408 request_timeout, closed", ok,
                           repr(data[:200])):
                break
        for c in lines:
            data = closed_within(c.sock, "slowloris: a request line never ending, then quiet")
            if data is None or not T.check("slowloris: a line never ended is closed once quiet, "
                                           "unanswered", data == b"", repr(data[:200])):
                break
        other.close()  # itself closed by --idle-timeout meanwhile
        for c in lines:
            c.close()
        for h in heads:
            h.close()
        srv.alive("slowloris")
    finally:
        srv.stop()


# ---- pipelining floods ----

def cls_flood(ds, tmp, short):
    """Many requests sent before reading any answer: every one answered, in
    order, on both protocols; a client that never reads is paused (not
    buffered without bound) and the others go on."""
    n = 2000 if short else 50000
    srv = Server(ds, tmp, "flood")
    try:
        c = Conn(srv.port, timeout=WAIT)
        batch = b"".join(b'{"op":"ping","id":%d}\n' % k for k in range(n))
        sender = threading.Thread(target=c.sock.sendall, args=(batch,))
        sender.start()  # sent while answers are read: neither side's buffers fill up
        ids = [json.loads(c.read_line()).get("id") for _ in range(n)]
        sender.join()
        T.check("flood: %d pipelined request lines answered in order" % n, ids == list(range(n)),
                repr(ids[:5]))
        c.close()
        h = Http(srv.port)
        m = n // 10
        reqs = b"".join(http_request(b"GET", b"/healthz") for _ in range(m))
        sender = threading.Thread(target=h.send, args=(reqs,))
        sender.start()
        statuses = [h.response()[0] for _ in range(m)]
        sender.join()
        T.check("flood: %d pipelined HTTP requests answered in order" % m,
                statuses == [200] * m, repr(statuses[:5]))
        h.close()
        # a client that never reads: paused once its answers pass the high watermark
        base = rss_kb(srv.proc.pid)
        deaf = Conn(srv.port, timeout=WAIT, rcvbuf=4096)
        deaf.sock.setblocking(False)
        line = b'{"op":"score","deal":' + json.dumps(DEAL).encode() + b"}\n"
        sent = 0
        chunk = line * 256
        while sent < (8 << 20 if short else 64 << 20):
            try:
                sent += deaf.sock.send(chunk)
            except BlockingIOError:  # the server stopped reading: paused
                break
        def paused():
            st = srv.line({"op": "stats", "id": "s"}, "flood: stats")
            return st["stats"]["connections"]["backpressure_pauses"] >= 1
        T.check("flood: a client that never reads is paused (%d bytes taken)" % sent,
                wait_until(paused))
        grown = rss_kb(srv.proc.pid) - base
        T.check("flood: the paused client costs bounded memory (%d KB)" % grown,
                grown < 32 * 1024, "%d KB" % grown)
        srv.alive("flood: while a client does not read")
        deaf.reset()
        srv.alive("flood")
    finally:
        srv.stop()


# ---- half-closed sockets ----

def cls_halfclose(ds, tmp, short):
    """A client that shuts its sending side: what it sent is answered, a last
    line without its newline too, then the server closes; on HTTP the same; a
    request cut in the middle by the close gets no answer and costs nothing."""
    srv = Server(ds, tmp, "halfclose")
    try:
        c = Conn(srv.port, timeout=WAIT)
        c.sock.sendall(b'{"op":"ping","id":1}\n{"op":"ping","id":2}\n{"op":"ping","id":3}')
        c.sock.shutdown(socket.SHUT_WR)
        lines = c.read_all()
        ids = [json.loads(l).get("id") for l in lines]
        T.check("halfclose: every line answered, the last without its newline too, then closed",
                ids == [1, 2, 3], repr(lines)[:300])
        c.close()
        h = Http(srv.port)
        h.send(http_request(b"GET", b"/healthz") + http_request(b"POST", b"/v1/score",
                                                                  json.dumps(DEAL).encode()))
        h.sock.shutdown(socket.SHUT_WR)
        first, second = h.response(), h.response()
        T.check("halfclose: HTTP requests before the half-close answered",
                first[0] == 200 and second[0] == 200, "%r %r" % (first[:2], second[:2]))
        T.check("halfclose: then the HTTP connection is closed", h.closed())
        h.close()
        for what, data in (("a request line cut short", b'{"op":"ping","id":"cut'),
                           ("HTTP headers cut short", b"GET /healthz HTTP/1.1\r\nHost: x"),
                           ("an HTTP body cut short",
                            b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            got = closed_within(s, "halfclose: " + what)
            s.close()
            if got is None:
                continue
            if data.startswith(b"{"):
                ok = got == b"" or strict_json(got.split(b"\n")[0], "halfclose: " + what) is not None
            else:
                ok = got == b"" or got.startswith(b"HTTP/1.1 4")
            T.check("halfclose: %s: closed, answered at most with an error" % what, ok, repr(got[:200]))
        srv.alive("halfclose")
        st = srv.line({"op": "stats", "id": "s"}, "halfclose: stats")
        T.check("halfclose: no connection left open but the one asking",
                wait_until(lambda: srv.line({"op": "stats"}, "stats")["stats"]["connections"]["open"] == 1),
                repr(st)[:300])
    finally:
        srv.stop()


def wait_until(cond):
    """Polls cond() until true (False after WAIT seconds): a condition, never a
    fixed sleep standing in for one."""
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


# ---- oversize lines, headers and bodies ----

def cls_oversize(ds, tmp, short):
    """Whatever is over a limit is refused with its own error and skipped; the
    connection (where the framing allows) and the server go on."""
    limit = 64 * 1024
    srv = Server(ds, tmp, "oversize", ["--max-line", "64K"])
    try:
        c = Conn(srv.port, timeout=WAIT)
        big = b'{"op":"ping","id":"' + b"x" * (limit + 10) + b'"}\n'
        exact = b'{"op":"ping","id":"' + b"y" * (limit - 22) + b'"}\n'
        for size in (1, 3) if short else (1, 3, 20):
            c.sock.sendall(big * size + b'{"op":"ping","id":"next"}\n')
            errs = [error_of(strict_json(c.read_line(), "oversize: line")) for _ in range(size)]
            T.check("oversize: %d lines over --max-line: line_too_long each" % size,
                    all(e.get("code") == "line_too_long" for e in errs), repr(errs)[:300])
            T.check("oversize: the line after is answered",
                    json.loads(c.read_line()).get("id") == "next")
        c.sock.sendall(exact)
        a = strict_json(c.read_line(), "oversize: a line of exactly the limit")
        T.check("oversize: a line of exactly --max-line is answered (%d bytes)" % (len(exact) - 1),
                isinstance(a, dict) and a.get("pong") is True, repr(a)[:200])
        c.close()
        cases = [
            ("a URL over 2048 bytes", http_request(b"GET", b"/v1/" + b"u" * 3000), 414),
            ("headers over 16 KiB", http_request(b"GET", b"/healthz",
                                                 headers=[b"X-Big: " + b"h" * 17000]), 431),
            ("many small headers", http_request(b"GET", b"/healthz",
                                                headers=[b"X-%d: v" % k for k in range(3000)]), 431),
            ("a body over --max-line", http_request(b"POST", b"/v1/diff", b"[" * (limit + 10)), 413),
            ("a Content-Length of 2^64", b"POST /v1/score HTTP/1.1\r\nHost: t\r\n"
                                         b"Content-Length: 18446744073709551616\r\n\r\n", 400),
            ("a chunk size of 2^64", b"POST /v1/score HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
                                     b"chunked\r\n\r\n10000000000000000\r\n", 400),
        ]
        for what, data, status in cases:
            got, body = http_answer(srv, data, "oversize: HTTP " + what)
            T.check("oversize: HTTP %s: %d" % (what, status), got == status,
                    "%d %r" % (got, body if body is None else str(body)[:200]))
        # a deal array in the body over the limit: the deal is refused, the body goes on
        body = b"[" + json.dumps(DEAL).encode() + b", " + b'{"id":"' + b"b" * (limit + 10) + b'"}, ' + \
            json.dumps(DEAL).encode() + b"]"
        h = Http(srv.port)
        h.send(http_request(b"POST", b"/v1/score", body))
        status, headers, data = h.response()
        rows = [strict_json(l, "oversize: streamed row") for l in data.split(b"\n") if l]
        codes = [error_of(r).get("code") for r in rows]
        T.check("oversize: a deal over the limit in an array body: its own error, the others scored",
                status == 200 and codes == [None, "line_too_long", None], "%d %r" % (status, codes))
        h.close()
        srv.alive("oversize")
    finally:
        srv.stop()


# ---- concurrent reloads ----

def cls_reloads(ds, tmp, short):
    """Reloads from many connections at once, while others score: every reload
    is answered (one at a time, each with its generation), every deal is scored
    by a whole policy set (never half old, half new), and the final generation
    counts them all."""
    policy = os.path.join(tmp, "p.lua")
    with open(os.path.join(SRC, "scripts", "default.lua")) as f:
        src = f.read()
    with open(policy, "w") as f:
        f.write(src)
    srv = Server(ds, tmp, "reloads", ["--policy", "default=" + policy])
    clients, per = (4, 5) if short else (8, 25)
    answers, errors = [], []

    def reloader(k):
        try:
            c = Conn(srv.port, timeout=WAIT)
            for i in range(per):
                c.send({"op": "reload", "id": "%d-%d" % (k, i)})
                c.send({"op": "score", "id": "s%d-%d" % (k, i), "deal": DEAL})
                r, s = json.loads(c.read_line()), json.loads(c.read_line())
                answers.append((r, s))
            c.close()
        except Exception as e:  # noqa: BLE001 - reported as a failed check
            errors.append(repr(e))

    def scorer():
        try:
            c = Conn(srv.port, timeout=WAIT)
            for i in range(per * 4):
                c.send(DEAL)
                r = json.loads(c.read_line())
                if r.get("policy") != "default@1":
                    errors.append("scored by %r" % r.get("policy"))
            c.close()
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    try:
        threads = [threading.Thread(target=reloader, args=(k,)) for k in range(clients)]
        threads += [threading.Thread(target=scorer) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT * 2)
        T.check("reloads: no client failed", not errors and len(answers) == clients * per,
                repr(errors[:3]) + " %d answers" % len(answers))
        gens = sorted(r["reloaded"]["generation"] for r, _ in answers if "reloaded" in r)
        T.check("reloads: each of %d concurrent reloads answered with its own generation"
                % (clients * per), gens == list(range(2, 2 + clients * per)), repr(gens[:10]))
        T.check("reloads: the request after each reload scored by the reloaded policy",
                all(s.get("result", {}).get("policy") == "default@1" for _, s in answers),
                repr([s for _, s in answers][:2])[:300])
        p = srv.line({"op": "policies"}, "reloads: policies")
        T.check("reloads: the final generation counts them all",
                p.get("generation") == 1 + clients * per, repr(p)[:200])
        srv.alive("reloads")
    finally:
        srv.stop()


# ---- connection-limit churn ----

def cls_churn(ds, tmp, short):
    """Clients opening and dropping connections far past --max-connections, at
    once: each is answered or refused with too_many_connections (503 on HTTP),
    none hangs, and once they are gone the count of open connections is back
    to the one asking and new clients are served."""
    limit = 8
    srv = Server(ds, tmp, "churn", ["--max-connections", str(limit)])
    n = 200 if short else 2000
    outcomes, errors = [], []

    def client(k):
        try:
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=WAIT)
            if k % 3 == 0:
                s.close()  # gone before saying anything
                outcomes.append("dropped")
                return
            if k % 3 == 1:
                s.sendall(b'{"op":"ping","id":%d}\n' % k)
                data = b""
                while b"\n" not in data:  # one answer line, or the close
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                line = data.split(b"\n")[0]
                a = strict_json(line, "churn: a request line client") if line else None
                outcomes.append("pong" if isinstance(a, dict) and a.get("pong")
                                else error_of(a).get("code") or "nothing")
            else:
                s.sendall(http_request(b"GET", b"/healthz", headers=[b"Connection: close"]))
                data = closed_within(s, "churn: an HTTP client")
                outcomes.append(data.split(b" ")[1].decode() if data and data.startswith(b"HTTP/1.1 ")
                                else "nothing")
            s.close()
        except (OSError, EOFError) as e:
            errors.append(repr(e))

    try:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(WAIT * 2)
        kinds = sorted(set(outcomes))
        T.check("churn: %d clients against --max-connections %d: none failed" % (n, limit),
                not errors, repr(errors[:3]))
        T.check("churn: every client answered, refused or dropped (%s)" % kinds,
                len(outcomes) == n and set(outcomes) <= {"dropped", "pong", "too_many_connections",
                                                         "200", "503"}, repr(kinds))
        T.check("churn: open connections back to the one asking",
                wait_until(lambda: srv.line({"op": "stats"}, "churn: stats")
                           ["stats"]["connections"]["open"] == 1))
        srv.alive("churn")
    finally:
        srv.stop()


CLASSES = {"utf8": cls_utf8, "ids": cls_ids, "slowloris": cls_slowloris, "flood": cls_flood,
           "halfclose": cls_halfclose, "oversize": cls_oversize, "reloads": cls_reloads,
           "churn": cls_churn}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ds")
    ap.add_argument("src")
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--only", nargs="*", default=list(CLASSES))
    a = ap.parse_args()
    global SRC
    SRC = a.src
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.only:
            before = T.failed
            CLASSES[name](a.ds, tmp, a.short)
            print("%-10s %s" % (name, "ok" if T.failed == before else "FAILED"))
    print("%d checks passed, %d failed" % (T.passed, T.failed))
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
