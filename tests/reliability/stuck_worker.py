#!/usr/bin/env python3
"""stuck_worker.py: what a worker stuck past --deal-timeout leaves behind
(QA finding 1): the connections queued on it, a health check and a reload sent
during the stall, and its descriptors once its deal returns; then the same over
TLS, where the acceptor runs the handshake of a queued connection to answer a
health check and hands anything else to a worker.

    stuck_worker.py DEALSCORE SRC

The stuck deal is the test-only hook of srv_ops.c: a deal holding the text of
DEALSCORE_TEST_STALL stalls in the worker, as a slow C call would, until the
file DEALSCORE_TEST_STALL_UNTIL exists; the test creates it when it wants the
call to return. Every wait is on a condition, bounded by WAIT seconds.
Exits 0 when every check passed."""
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Conn, Tally, as_line, start_serve  # noqa: E402

T = Tally()
WAIT = float(os.environ.get("STUCK_WAIT", "60"))
STALL = "STALL-UNTIL-RELEASED"


def wait_for(what, cond):
    """Polls cond() until it is true; False after WAIT seconds."""
    end = time.time() + WAIT
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.02)
    print("timed out waiting for " + what, file=sys.stderr)
    return False


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def fd_list(pid):
    d = "/proc/%d/fd" % pid
    out = []
    for n in sorted(os.listdir(d), key=int):
        try:
            out.append("%s->%s" % (n, os.readlink(os.path.join(d, n))))
        except OSError:
            pass
    return " ".join(out)


def log_has(log, text, times=1):
    with open(log.name, "rb") as f:
        return f.read().count(text) >= times


def http_get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    return s


def http_answer(s):
    """(status, body) of the one answer on s, read until the body is whole."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"content-length: *(\d+)", head, re.I)
    while m and len(body) < int(m.group(1)):
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, body


def pending(conn):
    """True when nothing (no byte, no close) has come back on conn yet."""
    if conn.buf:
        return False
    conn.sock.setblocking(False)
    try:
        conn.sock.recv(1, socket.MSG_PEEK)
        return False
    except BlockingIOError:
        return True
    finally:
        conn.sock.settimeout(WAIT)


def metrics(text):
    """{'name{labels}': value} of a Prometheus text page (labels as written)."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


def stats(port):
    c = Conn(port, timeout=WAIT)
    c.send({"op": "stats", "id": "st"})
    answer = json.loads(c.read_line())
    c.close()
    return answer


def queued_on_a_stuck_worker(ds, tmp):
    """One worker, stuck: what arrives meanwhile is queued on it, and must be
    answered by its replacement (or, for /readyz, by the acceptor)."""
    release = os.path.join(tmp, "release")
    os.environ["DEALSCORE_TEST_STALL"] = STALL
    os.environ["DEALSCORE_TEST_STALL_UNTIL"] = release
    log = open(os.path.join(tmp, "stuck.log"), "w+b")
    proc, port = start_serve(ds, ["--workers", "1", "--deal-timeout", "4"], log)
    try:
        # a first connection makes libuv open what it keeps (once per process)
        c = Conn(port, timeout=WAIT)
        c.send({"op": "ping"})
        c.read_line()
        c.close()
        T.check("the warm-up connection is closed",
                wait_for("1 socket", lambda: fd_list(proc.pid).count("socket:") == 1))
        base, base_list = fds(proc.pid), fd_list(proc.pid)
        # two connections the worker opened before it got stuck
        opened = [Conn(port, timeout=WAIT) for _ in range(2)]
        for k, c in enumerate(opened):
            c.send({"op": "ping", "id": "o%d" % k})
            c.read_line()
        stuck = Conn(port, timeout=WAIT)
        stuck.send({"op": "score", "id": "s1",
                    "deal": {"id": "s", "name": STALL, "stakeholders": []}})
        T.check("the deal stalls", wait_for("the stall", lambda: log_has(log, b"stalled on purpose")))
        opened[0].send({"op": "ping", "id": "late"})  # never read by the stuck worker
        pings = [Conn(port, timeout=WAIT) for _ in range(3)]
        for k, p in enumerate(pings):
            p.send({"op": "ping", "id": "p%d" % k})
        ready = http_get(port, "/readyz")
        reload = Conn(port, timeout=WAIT)
        reload.send({"op": "reload", "id": "r"})

        # health checks never wait on the stuck worker: /readyz is answered while
        # the deal is pending, 503 "stuck" once it has run past half the deadline
        by_acceptor = {"healthz": 0, "readyz": 0}  # answered while the only worker is stuck
        status, body = http_answer(ready)
        by_acceptor["readyz"] += pending(stuck)
        T.check("/readyz queued behind the stuck deal is answered while it is pending",
                status in (200, 503) and b'"ready"' in body and pending(stuck),
                "%d %r" % (status, body[:300]))
        seen = []
        while True:
            s = http_get(port, "/readyz")
            status, body = http_answer(s)
            s.close()
            seen.append(status)
            by_acceptor["readyz"] += pending(stuck)
            if status != 200 or not pending(stuck):
                break
        T.check("/readyz says 503 stuck while the deal runs past half the deadline",
                status == 503 and json.loads(body).get("stuck") == 1 and pending(stuck),
                "%r %r" % (seen[-5:], body[:300]))
        s = http_get(port, "/healthz")
        status, body = http_answer(s)
        s.close()
        by_acceptor["healthz"] += pending(stuck)
        T.check("/healthz is answered while the deal is pending",
                status == 200 and json.loads(body) == {"status": "ok"} and pending(stuck),
                "%d %r" % (status, body[:300]))

        r = json.loads(stuck.read_line())
        T.check("the stuck deal is answered deadline_exceeded",
                r.get("id") == "s1" and r.get("error", {}).get("code") == "deadline_exceeded",
                repr(r)[:300])
        for k, p in enumerate(pings):
            r = json.loads(p.read_line())
            T.check("ping %d queued behind the stuck deal is answered" % k,
                    r.get("id") == "p%d" % k and r.get("pong") is True, repr(r)[:300])
        lines = opened[0].read_all()
        r = json.loads(lines[0]) if len(lines) == 1 else {}
        T.check("an opened connection holding a request is told worker_replaced, then closed",
                r.get("error", {}).get("code") == "worker_replaced", repr(lines)[:300])
        lines = opened[1].read_all()
        T.check("an idle opened connection is closed", lines == [], repr(lines)[:300])
        r = json.loads(reload.read_line())
        T.check("a reload sent during the stall is answered",
                r.get("id") == "r" and "reloaded" in r, repr(r)[:300])
        st = stats(port)
        T.check("stats: the stuck deal is counted", st["stats"].get("deadline_exceeded") == 1, repr(st)[:300])
        # the checks the acceptor answered are counted in /metrics (by the replacement)
        s = http_get(port, "/metrics")
        status, body = http_answer(s)
        s.close()
        m = metrics(body.decode())
        for check in ("healthz", "readyz"):
            got = m.get('dealscore_health_checks_total{check="%s",answered_by="acceptor"}' % check)
            T.check("/metrics counts the %d %s answered by the acceptor" % (by_acceptor[check], check),
                    status == 200 and got == by_acceptor[check], "got %r" % got)
        answered = sum(by_acceptor.values())
        classes = sum(m.get('dealscore_http_responses_total{code="%dxx"}' % k, 0) for k in (2, 5))
        T.check("/metrics: HTTP responses count the acceptor's %d" % answered,
                classes >= answered, "2xx+5xx %r" % classes)

        # the stalled call returns: its worker closes what it still held
        open(release, "w").close()
        T.check("the given-up worker ends when its deal returns",
                wait_for("the release", lambda: log_has(log, b"its stuck deal returned")))
        for c in pings + opened + [stuck, reload]:
            c.close()
        ready.close()
        T.check("the descriptors come back to the baseline (%d)" % base,
                wait_for("fds back to %d" % base, lambda: fds(proc.pid) <= base),
                "was %s; now %s" % (base_list, fd_list(proc.pid)))
        st = stats(port)
        T.check("stats: open counts only the stats connection itself",
                st["stats"]["connections"]["open"] == 1, repr(st)[:400])
        c = Conn(port, timeout=WAIT)
        c.send({"op": "ping", "id": "after"})
        T.check("a new connection is answered", json.loads(c.read_line()).get("pong") is True)
        c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=WAIT)
        for k in ("DEALSCORE_TEST_STALL", "DEALSCORE_TEST_STALL_UNTIL"):
            os.environ.pop(k, None)


class TlsConn:
    """A line client over TLS (the server's certificate verified)."""

    def __init__(self, port, ctx):
        raw = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        self.buf = b""

    def send(self, obj):
        self.sock.sendall(as_line(obj))

    def read_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed by the server")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def read_all(self):
        chunks = [self.buf]
        while True:
            try:
                chunk = self.sock.recv(65536)
            except (ssl.SSLError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        self.buf = b""
        return [l for l in b"".join(chunks).split(b"\n") if l]

    def pending(self):
        """True when no plaintext (and no close) has come back yet."""
        if self.buf:
            return False
        self.sock.setblocking(False)
        try:
            data = self.sock.recv(65536)
            self.buf += data
            return False
        except ssl.SSLWantReadError:
            return True
        except (ssl.SSLError, OSError):
            return False
        finally:
            self.sock.settimeout(WAIT)

    def close(self):
        self.sock.close()


def tls_http_get(port, ctx, path):
    raw = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    return s


def make_cert(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key,
                    "-out", cert], check=True, capture_output=True)
    return cert, key


def tls_queued_on_a_stuck_worker(ds, tmp):
    """The same over TLS: health checks are answered by the acceptor while the
    only worker is stuck (it takes the handshake over), and every other
    connection it looked into goes on on the replacement as if nothing
    happened: a request line, an HTTP request, a connection still silent."""
    release = os.path.join(tmp, "release-tls")
    os.environ["DEALSCORE_TEST_STALL"] = STALL
    os.environ["DEALSCORE_TEST_STALL_UNTIL"] = release
    cert, key = make_cert(tmp)
    ctx = ssl.create_default_context(cafile=cert)
    log = open(os.path.join(tmp, "stuck-tls.log"), "w+b")
    proc, port = start_serve(ds, ["--workers", "1", "--deal-timeout", "4", "--tls-cert", cert,
                                  "--tls-key", key], log)
    try:
        c = TlsConn(port, ctx)
        c.send({"op": "ping"})
        c.read_line()
        c.close()
        T.check("tls: the warm-up connection is closed",
                wait_for("1 socket", lambda: fd_list(proc.pid).count("socket:") == 1))
        base, base_list = fds(proc.pid), fd_list(proc.pid)
        stuck = TlsConn(port, ctx)
        stuck.send({"op": "score", "id": "s1",
                    "deal": {"id": "s", "name": STALL, "stakeholders": []}})
        T.check("tls: the deal stalls", wait_for("the stall", lambda: log_has(log, b"stalled on purpose")))

        by_acceptor = {"healthz": 0, "readyz": 0}
        s = tls_http_get(port, ctx, "/readyz")
        status, body = http_answer(s)
        s.close()
        by_acceptor["readyz"] += stuck.pending()
        T.check("tls: /readyz is answered while the deal is pending",
                status in (200, 503) and b'"ready"' in body and stuck.pending(),
                "%d %r" % (status, body[:300]))
        s = tls_http_get(port, ctx, "/healthz")
        status, body = http_answer(s)
        s.close()
        by_acceptor["healthz"] += stuck.pending()
        T.check("tls: /healthz is answered while the deal is pending",
                status == 200 and json.loads(body) == {"status": "ok"} and stuck.pending(),
                "%d %r" % (status, body[:300]))
        # what is not a health check goes on on a worker, whole
        ping = TlsConn(port, ctx)
        ping.send({"op": "ping", "id": "q"})
        policies = tls_http_get(port, ctx, "/v1/policies")
        silent = TlsConn(port, ctx)  # its handshake done by the acceptor, nothing asked yet
        T.check("tls: the other requests wait for a worker", ping.pending() and stuck.pending())

        r = json.loads(stuck.read_line())
        T.check("tls: the stuck deal is answered deadline_exceeded",
                r.get("id") == "s1" and r.get("error", {}).get("code") == "deadline_exceeded",
                repr(r)[:300])
        r = json.loads(ping.read_line())
        T.check("tls: a request line read by the acceptor is answered by the replacement",
                r.get("id") == "q" and r.get("pong") is True, repr(r)[:300])
        ping.send({"op": "ping", "id": "q2"})
        r = json.loads(ping.read_line())
        T.check("tls: ... and its connection goes on", r.get("id") == "q2", repr(r)[:300])
        status, body = http_answer(policies)
        T.check("tls: an HTTP request read by the acceptor is answered by the replacement",
                status == 200 and b'"policies"' in body, "%d %r" % (status, body[:300]))
        silent.send({"op": "ping", "id": "late"})
        r = json.loads(silent.read_line())
        T.check("tls: a connection that was silent goes on on the replacement",
                r.get("id") == "late" and r.get("pong") is True, repr(r)[:300])
        s = tls_http_get(port, ctx, "/metrics")
        status, body = http_answer(s)
        s.close()
        m = metrics(body.decode())
        for check in ("healthz", "readyz"):
            got = m.get('dealscore_health_checks_total{check="%s",answered_by="acceptor"}' % check)
            T.check("tls: /metrics counts the %d %s answered by the acceptor" % (by_acceptor[check], check),
                    status == 200 and got == by_acceptor[check], "got %r" % got)

        open(release, "w").close()
        T.check("tls: the given-up worker ends when its deal returns",
                wait_for("the release", lambda: log_has(log, b"its stuck deal returned")))
        for x in (ping, silent, stuck):
            x.close()
        policies.close()
        T.check("tls: the descriptors come back to the baseline (%d)" % base,
                wait_for("fds back to %d" % base, lambda: fds(proc.pid) <= base),
                "was %s; now %s" % (base_list, fd_list(proc.pid)))
    finally:
        proc.terminate()
        proc.wait(timeout=WAIT)
        for k in ("DEALSCORE_TEST_STALL", "DEALSCORE_TEST_STALL_UNTIL"):
            os.environ.pop(k, None)


def long_deal_is_not_idle(ds, tmp):
    """A deal that runs longer than --idle-timeout is no idle time: the
    connection is answered and goes on (its answer written is activity), the
    request sent while it ran included. (It used to be closed by the first
    tick after the deal, its next request unread.)"""
    release = os.path.join(tmp, "release-long")
    os.environ["DEALSCORE_TEST_STALL"] = STALL
    os.environ["DEALSCORE_TEST_STALL_UNTIL"] = release
    log = open(os.path.join(tmp, "long.log"), "w+b")
    proc, port = start_serve(ds, ["--workers", "1", "--idle-timeout", "1", "--deal-timeout", "0"], log)
    try:
        c = Conn(port, timeout=WAIT)
        c.send({"op": "score", "id": "long", "deal": {"id": "s", "name": STALL, "stakeholders": []}})
        T.check("long: the deal stalls", wait_for("the stall", lambda: log_has(log, b"stalled on purpose")))
        c.send({"op": "ping", "id": "after"})  # waits in the socket while the deal runs

        def stuck():  # /readyz says stuck after 5 s without --deal-timeout: past --idle-timeout
            s = http_get(port, "/readyz")
            status, _ = http_answer(s)
            s.close()
            return status == 503
        T.check("long: the deal runs past --idle-timeout", wait_for("/readyz 503", stuck))
        open(release, "w").close()
        try:
            answers = [json.loads(c.read_line()) for _ in range(2)]
        except (OSError, EOFError) as e:
            answers = [repr(e)]
        T.check("long: the deal and the request sent meanwhile are answered, the connection open",
                [a.get("id") if isinstance(a, dict) else a for a in answers] == ["long", "after"],
                repr(answers)[:300])
        c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=WAIT)
        for k in ("DEALSCORE_TEST_STALL", "DEALSCORE_TEST_STALL_UNTIL"):
            os.environ.pop(k, None)


def main():
    ds = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        queued_on_a_stuck_worker(ds, tmp)
        tls_queued_on_a_stuck_worker(ds, tmp)
        long_deal_is_not_idle(ds, tmp)
    print("%d checks passed, %d failed" % (T.passed, T.failed))
    return 1 if T.failed else 0


if __name__ == "__main__":
    sys.exit(main())
