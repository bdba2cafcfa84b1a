#!/usr/bin/python3
"""Faults in the service: bad clients against one `dealscore serve`.

Usage: server_faults.py PROGRAM SRC_DIR [--short] [--report FILE]

Starts `dealscore serve` on a free loopback port (2 workers, --idle-timeout 3)
and runs, in turn:
  connections  1,000 connections open at once, each scored; then 1,100, past
               --max-connections (1024): the rest get too_many_connections
  slow-loris   a client sending a deal a byte a second (10 s), while another
               is served; then it goes quiet and --idle-timeout must close it
  no-reader    a client pipelining explain requests and never reading: the
               server must stop reading it, keep its memory bounded and serve
               others
  long-lines   lines far over --max-line, each followed by a valid request
  garbage      megabytes of random bytes: one error per non-blank line
  disconnects  clients that send a batch and vanish (reset) mid-answer
  reload       reloads while clients pipeline deals: every request answered
  sigterm      SIGTERM with thousands of pipelined requests in flight: every
               request the server received is answered, then the connection
               is closed (the client is told), and the server exits 0
Figures: requests answered, errors by code (from `stats`), the server's RSS
before, at its peak and after, crashes (the server must live to SIGTERM and
exit 0). --short runs smaller versions (make test); the long one is run by
`make reliability`. Only 127.0.0.1; every loop and wait is bounded.
"""
import json
import os
import random
import re
import resource
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from harness import WAIT, Conn, Tally, as_line, start_serve



def is_pong(answer, id_):
    """A ping's answer: pong, the server's version and its policy generation."""
    return (isinstance(answer, dict) and answer.get("id") == id_ and answer.get("pong") is True
            and isinstance(answer.get("version"), str) and isinstance(answer.get("generation"), int))

class Failed(Exception):
    pass


class Run(Tally):
    def __init__(self, short):
        super().__init__()
        self.short = short


# ---- the server ----

class Server:
    def __init__(self, program, src, tmp):
        self.src = src
        self.alt = os.path.join(tmp, "alt.lua")
        self.write_alt(1)
        self.log = open(os.path.join(tmp, "server.log"), "w+")
        self.proc, self.port = start_serve(
            program, ["--workers", "2", "--idle-timeout", "3",
                      "--policy", "default=%s/scripts/default.lua" % src, "--policy", "alt=" + self.alt],
            self.log)
        self.peak = 0
        self.sampling = True
        self.sampler = threading.Thread(target=self.sample, daemon=True)
        self.sampler.start()

    def write_alt(self, version):
        with open(os.path.join(self.src, "scripts", "default.lua")) as f:
            text = f.read()
        text = text.replace('name = "default"', 'name = "alt"').replace("version = 1", "version = %d" % version)
        with open(self.alt + ".tmp", "w") as f:
            f.write(text)
        os.replace(self.alt + ".tmp", self.alt)

    def rss(self):
        """Resident memory in MiB (0 once the process is gone)."""
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                kb = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
            return kb / 1024.0
        except (OSError, AttributeError):
            return 0.0

    def sample(self):
        while self.sampling:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def alive(self):
        return self.proc.poll() is None

    def stats(self):
        c = Conn(self.port)
        c.send({"op": "stats", "id": "s"})
        s = json.loads(c.read_line())["stats"]
        c.close()
        return s


def ping_ok(server):
    try:
        c = Conn(server.port, timeout=10)
        c.send({"op": "ping", "id": "alive"})
        ok = is_pong(json.loads(c.read_line()), "alive")
        c.close()
        return ok
    except (OSError, EOFError, ValueError):
        return False


# ---- scenarios ----

def connections(server, deals, run):
    """N connections open at once, each scored; then past --max-connections."""
    n = 200 if run.short else 1000
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        socks.append(s)
    for i, s in enumerate(socks):
        s.sendall(as_line({"id": i, "deal": deals[i % len(deals)]}))
    answered = 0
    for i, s in enumerate(socks):
        c = Conn.__new__(Conn)
        c.sock, c.buf = s, b""
        try:
            a = json.loads(c.read_line())
            answered += a.get("id") == i and "result" in a
        except (OSError, EOFError, ValueError):
            pass
    run.check("connections: %d open at once, each answered" % n, answered == n, "%d of %d" % (answered, n))
    run.figures["connections at once"] = n
    run.figures["connections answered"] = answered
    stats = server.stats()
    run.check("connections: stats counts them open", stats["connections"]["open"] >= n,
              repr(stats["connections"]))
    for s in socks:
        s.close()
    if run.short:
        return
    # past the limit: 1,100 at once; each either answers or is refused once
    extra = 1100
    socks = [socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) for _ in range(extra)]
    answered = refused = 0
    sel = selectors.DefaultSelector()
    for i, s in enumerate(socks):
        try:
            s.sendall(b'{"op":"ping","id":%d}\n' % i)
        except OSError:
            pass
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, [i, b""])
    deadline = time.monotonic() + WAIT
    pending = len(socks)
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            i, buf = key.data
            try:
                chunk = key.fileobj.recv(4096)
            except OSError:
                chunk = b""
            buf += chunk
            key.data[1] = buf
            if b"\n" in buf or not chunk:
                line = buf.split(b"\n", 1)[0]
                if b'"pong":true' in line:
                    answered += 1
                elif b"too_many_connections" in line:
                    refused += 1
                sel.unregister(key.fileobj)
                pending -= 1
    for s in socks:
        s.close()
    run.check("connections: past the limit, each answered or refused with too_many_connections",
              answered + refused == extra and refused >= extra - 1024,
              "%d answered, %d refused of %d" % (answered, refused, extra))
    run.figures["over the limit: answered"] = answered
    run.figures["over the limit: refused"] = refused


def slow_loris(server, deals, run):
    seconds = 2 if run.short else 10
    line = as_line(deals[0])
    loris = Conn(server.port)
    served, worst = 0, 0.0
    other = Conn(server.port)
    start = time.monotonic()
    sent = 0
    while time.monotonic() - start < seconds and sent < len(line) - 1:
        loris.sock.sendall(line[sent:sent + 1])
        sent += 1
        t_end = time.monotonic() + 1.0
        while time.monotonic() < t_end:  # others are served meanwhile
            t0 = time.monotonic()
            other.send({"op": "ping", "id": served})
            ok = json.loads(other.read_line()).get("pong")
            worst = max(worst, time.monotonic() - t0)
            served += bool(ok)
            time.sleep(0.05)
    other.close()
    run.check("slow-loris: the connection stays open while it sends", not _closed(loris.sock))
    quiet = time.monotonic()
    try:
        loris.sock.settimeout(15)
        closed = loris.sock.recv(1) == b""
    except socket.timeout:
        closed = False
    except ConnectionResetError:
        closed = True
    waited = time.monotonic() - quiet
    loris.close()
    run.check("slow-loris: others served meanwhile", served >= seconds * 5, "%d pings" % served)
    run.check("slow-loris: closed by --idle-timeout once quiet", closed and waited < 3 + 3,
              "closed=%s after %.1f s" % (closed, waited))
    run.figures["slow-loris: bytes sent, one a second"] = sent
    run.figures["slow-loris: pings served meanwhile"] = served
    run.figures["slow-loris: slowest ping (ms)"] = round(worst * 1000, 1)
    run.figures["slow-loris: closed after quiet (s)"] = round(waited, 1)


def _closed(sock):
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def no_reader(server, deals, run):
    """Pipelines explain requests and never reads."""
    budget = (20 if run.short else 300) << 20
    c = Conn(server.port, rcvbuf=4096)
    c.sock.setblocking(False)
    batch = b"".join(as_line({"op": "explain", "id": i, "deal": d}) for i, d in enumerate(deals))
    sent, stalled_since = 0, None
    rss_before = server.rss()
    start = time.monotonic()
    while sent < budget and time.monotonic() - start < WAIT:
        try:
            sent += c.sock.send(batch)
            stalled_since = None
        except BlockingIOError:
            stalled_since = stalled_since or time.monotonic()
            if time.monotonic() - stalled_since > 2:
                break  # the server stopped reading us: backpressure
            time.sleep(0.01)
    rss_during = server.rss()
    run.check("no-reader: others still served", ping_ok(server))
    c.reset()
    run.check("no-reader: the server stopped reading (sends stalled)", stalled_since is not None,
              "%d MB sent" % (sent >> 20))
    run.check("no-reader: server memory bounded", rss_during - rss_before < 64,
              "%.0f -> %.0f MiB" % (rss_before, rss_during))
    run.figures["no-reader: MB sent before the server stopped reading"] = round(sent / 1048576.0, 1)
    run.figures["no-reader: server RSS growth (MiB)"] = round(rss_during - rss_before, 1)


def long_lines(server, deals, run):
    size = (5 if run.short else 64) << 20
    count = 2 if run.short else 5
    c = Conn(server.port)
    chunk = b"x" * (1 << 20)

    def send():
        for i in range(count):
            c.sock.sendall(b'{"id":"long","note":"')
            for _ in range(size >> 20):
                c.sock.sendall(chunk)
            c.sock.sendall(b'"}\n')
            c.sock.sendall(as_line({"id": i, "deal": deals[0]}))

    rss_before = server.rss()
    sender = threading.Thread(target=send)
    sender.start()
    answers = [json.loads(c.read_line()) for _ in range(2 * count)]
    sender.join()
    c.close()
    too_long = sum((a.get("error") or {}).get("code") == "line_too_long" for a in answers[0::2])
    scored = sum("result" in a for a in answers[1::2])
    run.check("long-lines: each answered line_too_long, the next request scored",
              too_long == count and scored == count, repr(answers)[:300])
    run.check("long-lines: memory bounded", server.rss() - rss_before < 64)
    run.figures["long-lines: lines of %d MB" % (size >> 20)] = count
    run.figures["long-lines: server RSS growth (MiB)"] = round(server.rss() - rss_before, 1)


def garbage(server, deals, run):
    rng = random.Random(7)
    data = rng.randbytes((1 if run.short else 16) << 20) + b"\n"
    lines = [l for l in data.split(b"\n") if l.strip(b" \t\r")]
    c = Conn(server.port)
    sender = threading.Thread(target=lambda: (c.sock.sendall(data + as_line({"id": "after", "deal": deals[0]})),
                                              c.sock.shutdown(socket.SHUT_WR)))
    sender.start()
    answers = c.read_all()
    sender.join()
    c.close()
    codes = {}
    for a in answers[:-1]:
        code = (json.loads(a).get("error") or {}).get("code", "result")
        codes[code] = codes.get(code, 0) + 1
    last = json.loads(answers[-1]) if answers else {}
    run.check("garbage: one error per non-blank line", len(answers) == len(lines) + 1 and "result" not in codes,
              "%d answers for %d lines, %r" % (len(answers), len(lines), codes))
    run.check("garbage: the request after it is scored", last.get("id") == "after" and "result" in last)
    run.figures["garbage: MB of random bytes"] = len(data) >> 20
    run.figures["garbage: lines answered"] = len(answers) - 1
    run.figures["garbage: answers by code"] = codes


def disconnects(server, deals, run):
    n = 50 if run.short else 500
    batch = b"".join(as_line({"op": "explain", "id": i, "deal": d}) for i, d in enumerate(deals * 5))
    for i in range(n):
        c = Conn(server.port)
        c.sock.sendall(batch)
        if i % 2:
            c.read_line()  # vanish mid-answer
        c.reset() if i % 3 else c.close()
    run.check("disconnects: the server serves on", ping_ok(server))
    # Asked on one connection kept open, until it is the only one left: a fresh
    # connection per question would find the previous one still closing. The
    # check is on the answer the wait ended with.
    probe = Conn(server.port)
    deadline = time.monotonic() + WAIT
    while True:
        probe.send({"op": "stats", "id": "open"})
        still_open = json.loads(probe.read_line())["stats"]["connections"]["open"]
        if still_open == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    probe.close()
    run.check("disconnects: every vanished connection closed", still_open == 1,
              "%d connections open besides the one asking" % (still_open - 1))
    run.figures["disconnects: clients that vanished"] = n


def reload_under_load(server, deals, run):
    clients, per = (2, 500) if run.short else (4, 5000)
    reloads = 5 if run.short else 40
    results = [0] * clients
    bad = []

    def client(k):
        c = Conn(server.port)
        payload = b"".join(as_line({"id": i, "policy": "alt" if i % 2 else "default",
                                    "deal": deals[i % len(deals)]}) for i in range(per))
        sender = threading.Thread(target=c.sock.sendall, args=(payload,))
        sender.start()
        for i in range(per):
            a = json.loads(c.read_line())
            if a.get("id") == i and "result" in a:
                results[k] += 1
            elif len(bad) < 5:
                bad.append(a)
        sender.join()
        c.close()

    g0 = server.stats()["generation"]
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    ok = 0
    rc = Conn(server.port)
    for r in range(reloads):
        server.write_alt(r + 2)
        rc.send({"op": "reload", "id": r})
        a = json.loads(rc.read_line())
        ok += "reloaded" in a
        time.sleep(0.02)
    rc.close()
    for t in threads:
        t.join(WAIT)
    g1 = server.stats()["generation"]
    total = sum(results)
    run.check("reload: every request answered with a result", total == clients * per, repr(bad)[:300])
    run.check("reload: every reload ok", ok == reloads and g1 - g0 == reloads, "%d ok, generation %d -> %d" % (ok, g0, g1))
    run.figures["reload: requests answered during reloads"] = total
    run.figures["reload: reloads"] = ok


def sigterm(server, deals, run):
    clients, per = (2, 500) if run.short else (8, 5000)
    conns = [Conn(server.port) for _ in range(clients)]
    payload = b"".join(as_line({"id": i, "deal": deals[i % len(deals)]}) for i in range(per))
    sent = [threading.Event() for _ in conns]

    def send(k):
        conns[k].sock.sendall(payload)
        sent[k].set()

    senders = [threading.Thread(target=send, args=(k,)) for k in range(clients)]
    for t in senders:
        t.start()
    for e in sent:
        e.wait(WAIT)
    server.sampling = False
    server.proc.send_signal(signal.SIGTERM)
    stop = time.monotonic()
    answered = 0
    for c in conns:
        lines = c.read_all()  # until the server closes: every request answered first
        answered += sum(b'"result"' in l for l in lines)
        c.close()
    for t in senders:
        t.join()
    try:
        status = server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        status = "hung"
    run.check("sigterm: every request in flight answered", answered == clients * per,
              "%d of %d" % (answered, clients * per))
    run.check("sigterm: exit 0", status == 0, str(status))
    run.figures["sigterm: requests in flight"] = clients * per
    run.figures["sigterm: answered before the close"] = answered
    run.figures["sigterm: seconds to stop"] = round(time.monotonic() - stop, 2)
    run.figures["sigterm: exit status"] = status


def main():
    global SRC
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    program, SRC = args[0], args[1]
    short = "--short" in args
    report = args[args.index("--report") + 1] if "--report" in args else None
    # as `ulimit -n`: room for 1,100 client sockets here and as many in the server
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 1024 if short else 4096
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    run = Run(short)
    with open(os.path.join(SRC, "models", "examples", "pipeline.jsonl")) as f:
        deals = [json.loads(l) for l in f if l.strip()]
    tmp = tempfile.mkdtemp()
    server = Server(program, SRC, tmp)
    start = time.monotonic()
    try:
        for d in deals * 10:  # warm up: policies loaded and arenas grown on both workers
            c = Conn(server.port)
            c.send({"deal": d})
            c.read_line()
            c.close()
        run.figures["server RSS before (MiB)"] = round(server.rss(), 1)
        scenarios = [connections, slow_loris, no_reader, long_lines, garbage, disconnects,
                     reload_under_load]
        for scenario in scenarios:
            t0 = time.monotonic()
            try:
                scenario(server, deals, run)
            except (OSError, EOFError, ValueError, KeyError, Failed) as e:
                run.check(scenario.__name__ + " ran", False, repr(e))
            run.check(scenario.__name__ + ": the server lives", server.alive())
            print("%-20s %.1f s" % (scenario.__name__, time.monotonic() - t0), file=sys.stderr)
            if not server.alive():
                break
        if server.alive():
            stats = server.stats()
            run.figures["server RSS after (MiB)"] = round(server.rss(), 1)
            run.figures["requests answered"] = stats["requests"]["total"]
            run.figures["errors by code"] = stats["errors"]
            run.figures["connections accepted"] = stats["connections"]["accepted"]
            run.figures["connections refused"] = stats["connections"]["refused"]
            run.figures["connections closed idle"] = stats["connections"]["idle_closed"]
            run.figures["backpressure pauses"] = stats["connections"]["backpressure_pauses"]
            sigterm(server, deals, run)
    finally:
        server.sampling = False
        if server.proc.poll() is None:
            server.proc.kill()
        server.log.seek(0)
        log = server.log.read()
        crashed = bool(re.search(r"AddressSanitizer|runtime error|unprotected Lua error", log))
        run.check("no crash, no sanitizer report", not crashed and server.proc.returncode == 0,
                  log[-2000:])
        run.figures["server RSS peak (MiB)"] = round(server.peak, 1)
        run.figures["crashes"] = 0 if not crashed and server.proc.returncode == 0 else 1
        run.figures["seconds"] = round(time.monotonic() - start, 1)
    for k in sorted(run.figures):
        print("%s: %s" % (k, run.figures[k]))
    if report:
        with open(report, "w") as f:
            json.dump({"passed": run.passed, "failed": run.failed, "figures": run.figures}, f)
    print("%d passed, %d failed" % (run.passed, run.failed))
    sys.exit(1 if run.failed else 0)


SRC = None
if __name__ == "__main__":
    main()
