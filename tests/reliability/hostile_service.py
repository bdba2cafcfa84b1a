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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Conn, Tally, start_serve  # noqa: E402

T = Tally()
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


CLASSES = {"utf8": cls_utf8, "ids": cls_ids}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ds")
    ap.add_argument("src")
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--only", nargs="*", default=list(CLASSES))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.only:
            before = T.failed
            CLASSES[name](a.ds, tmp, a.short)
            print("%-10s %s" % (name, "ok" if T.failed == before else "FAILED"))
    print("%d checks passed, %d failed" % (T.passed, T.failed))
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
