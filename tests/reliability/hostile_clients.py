#!/usr/bin/env python3
"""hostile_clients.py: what a client (or an export) can send to break the engine
or the service, by class (issue 14): NUL bytes in ids and raw NUL bytes in a
line, numbers that overflow a formula, committees built to cost quadratic or
cubic time, through `dealscore score` and `dealscore serve`; a NUL in the token
file, more clients than the open-file limit, log lines forged through what a
policy writes; a deal that never finishes, against the service's watchdog.

    hostile_clients.py DEALSCORE SRC [--short] [--report FILE]

--short (make test, tests/e2e/test_hostile_clients.sh) runs every class once
with small sizes; the long run (make reliability) runs the large sizes too.
Exits 0 when every check passed."""
import argparse
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Conn, Tally, start_serve  # noqa: E402

T = Tally()


def score(ds, data, *args):
    """Runs `dealscore score - ARGS` on bytes; (exit code, result lines)."""
    p = subprocess.run([ds, "score", "-q"] + list(args) + ["-"], input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return p.returncode, [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def deal(did, **extra):
    d = {"id": did, "stakeholders": [{"id": "a", "can_buy": True}]}
    d.update(extra)
    return d


# ---- NUL bytes ----

def nul_cli(ds):
    # two ids differing after an escaped NUL: two deals, not a duplicate
    data = (b'{"id":"a\\u0000x","stakeholders":[]}\n'
            b'{"id":"a\\u0000y","stakeholders":[]}\n')
    rc, out = score(ds, data)
    T.check("nul: ids differing after \\u0000 are two deals",
            [r.get("id") for r in out] == ["a\x00x", "a\x00y"] and
            not any("error" in r for r in out), repr(out))
    # stakeholder ids too: the tie from a\0y to a\0x is theirs, not a duplicate
    d = {"id": "s", "stakeholders": [{"id": "a\x00x", "can_buy": True},
                                     {"id": "a\x00y", "roles": ["champion"]}],
         "relationships": [{"from": "a\x00y", "to": "a\x00x", "type": "trusts",
                            "strength": 0.9}]}
    rc, out = score(ds, (json.dumps(d) + "\n").encode(), "--explain")
    T.check("nul: stakeholder ids keep their NUL",
            len(out) == 1 and "error" not in out[0] and
            [s["id"] for s in out[0]["stakeholders"]] == ["a\x00x", "a\x00y"], repr(out)[:300])
    # an escaped backslash before u0000 is no NUL
    rc, out = score(ds, b'{"id":"b\\\\u0000","stakeholders":[]}\n')
    T.check("nul: \\\\u0000 is a backslash and u0000", out and out[0].get("id") == "b\\u0000",
            repr(out))
    # a raw NUL never ends a line silently: the line is one bad_json, the next scores
    for raw in (b'{"id":"p","stakeholders":[]}\x00{"id":"q","stakeholders":[]}\n',
                b'{"id":"p","stakeholders":[]} \x00\n',
                b'{"id":"p\x00q","stakeholders":[]}\n'):
        rc, out = score(ds, raw + b'{"id":"r","stakeholders":[]}\n')
        T.check("nul: raw NUL is bad_json, the next deal scored %r" % raw[:40],
                rc == 1 and len(out) == 2 and out[0]["error"]["code"] == "bad_json" and
                out[1].get("id") == "r" and "scores" in out[1], repr(out)[:300])


def nul_serve(port):
    c = Conn(port)
    c.send(b'{"id":"a\\u0000x","stakeholders":[]}')
    r = json.loads(c.read_line())
    T.check("nul/serve: an id with \\u0000 comes back whole", r.get("id") == "a\x00x", repr(r))
    c.send(b'{"id":"p","stakeholders":[]}\x00{"id":"q","stakeholders":[]}')
    c.send(b'{"id":"r","stakeholders":[]}')
    r1, r2 = json.loads(c.read_line()), json.loads(c.read_line())
    T.check("nul/serve: a raw NUL is bad_json, the next request scored",
            r1.get("error", {}).get("code") == "bad_json" and r2.get("id") == "r", repr((r1, r2)))
    c.close()


# ---- numbers that overflow a formula ----

def overflow(ds, port):
    big = deal("big", solution={"measurable": {"annual_benefit": 1e308, "cost": 1000,
                                               "confidence": 0.8}})
    big["stakeholders"][0]["convinced"] = {"measurable": True}
    tiny = deal("tiny", solution={"measurable": {"annual_benefit": 1, "cost": 5e-324,
                                                 "confidence": 0.8}})
    data = "".join(json.dumps(d) + "\n" for d in (big, tiny)).encode()
    rc, out = score(ds, data, "--explain")
    for r in out:
        effects = [f["effect"] for fs in r.get("factors", {}).values() for f in fs]
        T.check("overflow: %s: measurable_roi a number, every effect a number" % r.get("id"),
                isinstance(r.get("scores", {}).get("measurable_roi"), float) and
                r["scores"]["measurable_roi"] > 0 and
                all(isinstance(e, (int, float)) for e in effects), repr(r)[:300])
    c = Conn(port)
    c.send({"op": "explain", "id": 1, "deal": big})
    r = json.loads(c.read_line())
    T.check("overflow/serve: measurable_roi a number",
            (r.get("result", {}).get("scores", {}).get("measurable_roi") or 0) > 0, repr(r)[:300])
    c.close()


# ---- committees built to cost quadratic or cubic time ----

def committee(src, n):
    out = subprocess.run([sys.executable, os.path.join(src, "benchmarks", "gen_committee.py"),
                          str(n)], stdout=subprocess.PIPE, check=True)
    return out.stdout


def committees(ds, src, port, sizes):
    for n in sizes:
        text = committee(src, n)
        t0 = time.time()
        rc, out = score(ds, text, "--actions")
        took = time.time() - t0
        T.check("committee of %d with --actions scored" % n,
                len(out) == 1 and "scores" in out[0], repr(out)[:200])
        T.count("committee_%d_actions_s" % n, round(took, 2))
    # the service: two big committees in flight on a 2-worker server, a ping answered
    text = committee(src, sizes[-1]).rstrip(b"\n")
    busy = [Conn(port), Conn(port)]
    for c in busy:
        c.send(b'{"op":"score","id":"c","actions":true,"deal":' + text + b"}")
    p = Conn(port)
    p.send({"op": "ping"})
    T.check("committee/serve: ping answered with two committees in flight",
            json.loads(p.read_line()).get("pong") is True)
    for c in busy:
        r = json.loads(c.read_line())
        T.check("committee/serve: the committee scored", "scores" in r.get("result", {}),
                repr(r)[:200])
        c.close()
    p.close()


# ---- the token file ----

def token_file(ds, tmp):
    for name, content in (("leading", b"\x00secret\n"), ("inside", b"sec\x00ret\n")):
        path = os.path.join(tmp, "token-" + name)
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, 0o600)
        p = subprocess.run([ds, "serve", "--listen", "127.0.0.1:0", "--token-file", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        T.check("token: a NUL %s the token file is a setup error" % name,
                p.returncode == 2 and b"NUL" in p.stderr, repr((p.returncode, p.stderr[:200])))


# ---- the connection limit against the open-file limit ----

def file_limit(ds, tmp):
    import resource

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    log = open(os.path.join(tmp, "nofile.log"), "w+b")
    proc = subprocess.Popen([ds, "serve", "--listen", "127.0.0.1:0", "--workers", "2",
                             "--max-connections", "1024"], stderr=log, preexec_fn=low_limit)
    try:
        port = None
        for _ in range(400):
            log.seek(0)
            text = log.read()
            m = re.search(rb"listening on 127\.0\.0\.1:(\d+).*at most (\d+) conn", text)
            if m:
                port, limit = int(m.group(1)), int(m.group(2))
                break
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        T.check("nofile: the server started", port is not None, repr(text[-300:]))
        if port is None:
            return
        T.check("nofile: a startup warning names the file limit",
                b"open-file limit" in text and limit < 64, repr(text[-300:]))
        # more clients than the file limit: every one is answered, pong or refusal
        conns, answers = [], {"pong": 0, "refused": 0, "silent": 0}
        for _ in range(80):
            c = Conn(port, timeout=10)
            c.send({"op": "ping"})
            conns.append(c)
        for c in conns:
            try:
                r = json.loads(c.read_line())
                answers["pong" if r.get("pong") else "refused"] += 1
            except (OSError, EOFError):
                answers["silent"] += 1
        T.check("nofile: 80 clients over a limit of 64 files, each answered",
                answers["silent"] == 0 and answers["pong"] == limit, repr(answers))
        for c in conns:
            c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


# ---- the log ----

def log_lines(ds, tmp):
    good = os.path.join(tmp, "p.lua")
    with open(good, "w") as f:
        f.write("return {name = 'p', version = 1, score = function(deal, s)\n"
                "  return {viability = 50, verdict = 'shape', reasons = {}}\nend}\n")
    logpath = os.path.join(tmp, "forge.log")
    log = open(logpath, "w+b")
    proc, port = start_serve(ds, ["--workers", "2", "--policy", "p=" + good], log)
    try:
        with open(good, "w") as f:  # a policy whose load error forges lines
            f.write('error("x\\n2026-01-01T00:00:00.000Z info forged line\\r\\27[2J")\n')
        c = Conn(port)
        c.send({"op": "reload"})
        r = json.loads(c.read_line())
        T.check("log: the bad reload is answered", r.get("error", {}).get("code") == "reload_failed",
                repr(r)[:200])
        c.send({"op": "ping"})
        T.check("log: then a ping", json.loads(c.read_line()).get("pong") is True)
        c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    with open(logpath, "rb") as f:
        text = f.read()
    lines = text.split(b"\n")
    T.check("log: no forged line, no raw control byte",
            not any(l.startswith(b"2026-01-01") for l in lines) and
            not any(c < 0x20 and c != 0x0a for c in text) and b"forged line" in text,
            repr(text[-400:]))


# ---- the watchdog: a deal no budget stops ----

STALL = "STALL-FOR-THE-WATCHDOG"


def serve_with(ds, args, log, env):
    proc = subprocess.Popen([ds, "serve", "--listen", "127.0.0.1:0"] + args, stderr=log, env=env)
    for _ in range(400):
        log.seek(0)
        m = re.search(rb"listening on 127\.0\.0\.1:(\d+)", log.read())
        if m:
            return proc, int(m.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("dealscore serve did not start")


def pending(conn):
    """True when nothing (no byte, no close) has come back on conn yet."""
    conn.sock.setblocking(False)
    try:
        conn.sock.recv(1, socket.MSG_PEEK)
        return False
    except BlockingIOError:
        return not conn.buf
    finally:
        conn.sock.settimeout(60)


def watchdog(ds, tmp, rounds):
    env = dict(os.environ, DEALSCORE_TEST_STALL=STALL)
    log = open(os.path.join(tmp, "watchdog.log"), "w+b")
    proc, port = serve_with(ds, ["--workers", "2", "--deal-timeout", "3"], log, env)
    stuck_deal = {"id": "s", "name": STALL, "stakeholders": []}
    try:
        for k in range(rounds):
            # connections on every worker, then a deal that never finishes on one
            pre = [Conn(port) for _ in range(4)]
            for c in pre:
                c.send({"op": "ping"})
                json.loads(c.read_line())
            stuck = Conn(port)
            stuck.send({"op": "score", "id": "stuck%d" % k, "deal": stuck_deal})
            stalled = b"stalled on purpose"
            for _ in range(1200):  # the hook logs when the deal has started, bounded
                log.seek(0)
                if log.read().count(stalled) > k:
                    break
                time.sleep(0.05)
            for c in pre:
                c.send({"op": "ping"})
            # the first answer comes from a live worker, while the stuck deal waits
            ready, _, _ = select.select([c.sock for c in pre], [], [], 60)
            p = next(c for c in pre if c.sock in ready)
            pong = json.loads(p.read_line()).get("pong")
            T.check("watchdog %d: ping answered while the stuck deal is pending" % k,
                    pong is True and pending(stuck))
            p.send({"op": "reload"})
            r = json.loads(p.read_line())
            T.check("watchdog %d: reload answered" % k, "reloaded" in r, repr(r)[:200])
            r = json.loads(stuck.read_line())
            T.check("watchdog %d: the stuck deal is answered deadline_exceeded" % k,
                    r.get("id") == "stuck%d" % k and
                    r.get("error", {}).get("code") == "deadline_exceeded", repr(r)[:300])
            try:
                closed = stuck.sock.recv(1) == b""
            except OSError:
                closed = True
            T.check("watchdog %d: then its connection is closed" % k, closed)
            stuck.close()
            answered = 0
            for _ in range(12):  # new connections never go to the stuck worker
                c = Conn(port, timeout=20)
                c.send({"op": "score", "id": "n", "deal": deal("n")})
                answered += "scores" in json.loads(c.read_line()).get("result", {})
                c.close()
            T.check("watchdog %d: 12 new connections each scored" % k, answered == 12,
                    "%d of 12" % answered)
            for c in pre:
                c.close()
        c = Conn(port)
        c.send({"op": "stats"})
        st = json.loads(c.read_line())["stats"]
        T.check("watchdog: stats count the deals given up",
                st.get("deadline_exceeded") == rounds, repr(st.get("deadline_exceeded")))
        c.close()
        # SIGTERM with a stuck deal in flight: the server still stops, exit 0
        stuck = Conn(port)
        stuck.send({"op": "score", "id": "last", "deal": stuck_deal})
        # wait until the deal is stuck (a ping could be routed to the stuck worker,
        # whose connections are closed at the deadline, so the log is the signal)
        for _ in range(1200):
            log.seek(0)
            if log.read().count(b"stalled on purpose") > rounds:
                break
            time.sleep(0.05)
        t0 = time.time()
        proc.terminate()
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            rc = "running"
        took = time.time() - t0
        T.check("watchdog: SIGTERM with a stuck deal exits 0 (%.1f s)" % took, rc == 0, repr(rc))
        T.count("watchdog_sigterm_s", round(took, 2))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ds")
    ap.add_argument("src")
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--report")
    a = ap.parse_args()
    sizes = [300, 1000] if a.short else [300, 1000, 3000]
    with tempfile.NamedTemporaryFile("w+b", suffix=".log") as log:
        proc, port = start_serve(a.ds, ["--workers", "2"], log)
        try:
            nul_cli(a.ds)
            nul_serve(port)
            overflow(a.ds, port)
            committees(a.ds, a.src, port, sizes)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    with tempfile.TemporaryDirectory() as tmp:
        token_file(a.ds, tmp)
        file_limit(a.ds, tmp)
        log_lines(a.ds, tmp)
        watchdog(a.ds, tmp, 1 if a.short else 5)
    print("%d passed, %d failed %s" % (T.passed, T.failed, json.dumps(T.figures)))
    if a.report:
        with open(a.report, "w") as f:
            json.dump({"passed": T.passed, "failed": T.failed, "figures": T.figures}, f)
    sys.exit(1 if T.failed else 0)


if __name__ == "__main__":
    main()
