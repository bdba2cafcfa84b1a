#!/usr/bin/python3
"""Hostile policies through `dealscore score` and through `dealscore serve`.

Usage: hostile.py PROGRAM SRC_DIR [--report FILE] [--only NAME...] [--short]

Each tests/reliability/policies/*.lua misbehaves in score() (or, with a line
`-- mode: actions`, in actions(): then `score` runs with --actions and the
service is asked op "actions" for the hostile deal); its line `-- expect:
CODE` names the error its deal must end with, or `load` for a policy that
must fail to load.

score: the policy is --policy hostile=FILE next to the default policy; the
stream is hostile deal, normal deal, hostile deal, normal deal (the deal's
"policy" field picks). Each hostile deal must end with CODE, each normal deal
must be scored exactly as without the hostile policy, and the run must end
with exit 1, within CPU_LIMIT seconds of CPU time (the process's user and
system time, which a loaded machine does not inflate as it does wall time;
four times that for an AddressSanitizer build; not checked when PROGRAM is
not an executable file of its own, such as the valgrind wrapper of
make reliability). A `load` policy must stop the run with exit 2 and name its
file.

serve: one server with the policies default and hostile. For each file the
hostile policy is replaced and `reload`ed (a `load` policy must give
reload_failed, and the server keeps serving), then on the same connection: a
deal with "policy": "hostile" (CODE), a deal with the default (scored as
`dealscore score` does), a bare deal (byte for byte the same line) and a ping.
At the end the server must still answer and exit 0 on SIGTERM.

--short (make test): every policy through `score` but those marked `-- long:`
(they take seconds by design), and through `serve` only those that must fail
to load and one of each other class (SERVE_SAMPLE).

Prints one line per policy and "N passed, M failed"; exits 1 on any failure.
"""
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import Conn, Tally, start_serve

TIMEOUT = 120.0  # a hang, whatever the load

# CPU seconds a `score` run of two hostile deals and two normal ones may take:
# a policy ends within about 1 s of CPU however it misbehaves (the budget, the
# cap, and the CPU time its budget's work allows: docs/reliability.md), and
# half as much again for a machine whose other work slows this one's caches.
CPU_LIMIT = 3.0
CPU = {}  # CPU seconds of each policy's `score` run, for the report

# --short: the policies also run through the service, one per class of attack
SERVE_SAMPLE = {"loop.lua", "recursion.lua", "table_bomb.lua", "escape_io.lua", "error_tostring.lua",
                "nan.lua", "result_proxy.lua", "rep_empty.lua", "table_insert_len.lua",
                "pattern_find.lua", "find_plain_quadratic.lua", "concat_loop.lua", "fill_memory.lua",
                "reason_not_utf8.lua", "actions_patch_dag.lua", "kept_memory.lua", "float_concat_loop.lua",
                "index_chain.lua", "reasons_in_all.lua"}


def is_pong(answer, id_):
    """A ping's answer: pong, the server's version and its policy generation."""
    return (isinstance(answer, dict) and answer.get("id") == id_ and answer.get("pong") is True
            and isinstance(answer.get("version"), str) and isinstance(answer.get("generation"), int))

def expected_code(path):
    with open(path) as f:
        m = re.search(r"^-- expect: (\S+)", f.read(), re.M)
    return m.group(1) if m else None


def mode(path):
    with open(path) as f:
        m = re.search(r"^-- mode: (\S+)", f.read(), re.M)
    return m.group(1) if m else "score"


def deals(src):
    with open(os.path.join(src, "models", "examples", "pipeline.jsonl")) as f:
        first = json.loads(next(l for l in f if l.strip()))
    out = {}
    for key in ("h1", "n1", "h2", "n2"):
        d = dict(first, id=key)
        if key.startswith("h"):
            d["policy"] = "hostile"
        out[key] = d
    return out


def cpu_factor(program):
    """CPU_LIMIT's factor for PROGRAM: None when its CPU time is not its own (a
    wrapper script), 4 for an AddressSanitizer build, else 1."""
    try:
        with open(program, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return None
    except OSError:
        return None
    nm = subprocess.run(["nm", "-D", program], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return 4.0 if b"__asan_init" in nm.stdout else 1.0


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_score(program, args, stream):
    return subprocess.run([program, "score", "-q", "--jobs", "1", *args, "-"], input=stream, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=TIMEOUT)


def reference(program, src, d, extra=()):
    """The normal deals' lines from the default policy alone."""
    stream = (json.dumps(d["n1"]) + "\n" + json.dumps(d["n2"]) + "\n").encode()
    run = run_score(program, ["--policy", "default=%s/scripts/default.lua" % src, *extra], stream)
    lines = run.stdout.decode().splitlines()
    assert len(lines) == 2 and all("verdict" in l for l in lines), run.stdout
    return dict(zip(("n1", "n2"), lines))


def error_code(obj):
    return (obj.get("error") or {}).get("code")


def via_score(program, src, path, code, d, ref, t):
    name = os.path.basename(path)
    stream = "".join(json.dumps(d[k]) + "\n" for k in ("h1", "n1", "h2", "n2")).encode()
    extra = ["--actions"] if mode(path) == "actions" else []
    ref = ref[mode(path)]
    start, cpu_start = time.monotonic(), cpu_seconds()
    try:
        run = run_score(program, ["--policy", "default=%s/scripts/default.lua" % src,
                                  "--policy", "hostile=" + path, *extra], stream)
    except subprocess.TimeoutExpired:
        t.check(name + " (score) ends", False, "timeout")
        return "timeout", TIMEOUT
    took, cpu = time.monotonic() - start, cpu_seconds() - cpu_start
    CPU[name] = cpu
    factor = cpu_factor(program)
    if factor:
        t.check(name + " (score) within %.1f s of CPU" % (CPU_LIMIT * factor), cpu <= CPU_LIMIT * factor,
                "%.2f s" % cpu)
    if code == "load":
        t.check(name + " (score) stops with exit 2", run.returncode == 2, str(run.returncode))
        t.check(name + " (score) names the file", name in run.stderr.decode(errors="replace"))
        return "exit %d" % run.returncode, took
    t.check(name + " (score) exit 1", run.returncode == 1, "%d %s" % (run.returncode, run.stderr[:200]))
    lines = run.stdout.decode(errors="replace").splitlines()
    if not t.check(name + " (score) four lines", len(lines) == 4, repr(lines)[:300]):
        return "bad output", took
    got = [error_code(json.loads(lines[i])) for i in (0, 2)]
    t.check(name + " (score) hostile deals end with " + code, got == [code, code], repr(lines[0])[:300])
    t.check(name + " (score) the next deals score normally",
            lines[1] == ref["n1"] and lines[3] == ref["n2"], lines[1][:200])
    return got[0], took


# The policies' own budgets are under test here, and the CPU allowance counts CPU
# time: on a loaded machine (or under ASan) a 3.5 s allowance can take longer than
# the service's default --deal-timeout of 10 s of wall time, and the watchdog
# (tested in hostile_clients.py) would answer first and close the connection.
def start_server(program, src, hostile, log):
    return start_serve(program, ["--workers", "2", "--deal-timeout", "300",
                                 "--policy", "default=%s/scripts/default.lua" % src,
                                 "--policy", "hostile=" + hostile], log)


def via_serve(conn, hostile, path, code, d, ref, t):
    name = os.path.basename(path)
    shutil.copyfile(path, hostile)
    start = time.monotonic()
    try:
        conn.send({"id": "r", "op": "reload"})
        reload = json.loads(conn.read_line())
        if code == "load":
            t.check(name + " (serve) reload_failed", error_code(reload) == "reload_failed", repr(reload)[:300])
            t.check(name + " (serve) names the file", "hostile.lua" in reload["error"]["message"])
        else:
            t.check(name + " (serve) reloaded", "reloaded" in reload, repr(reload)[:300])
            conn.send({"id": "h1", "policy": "hostile", "deal": d["h1"],
                       "op": "actions" if mode(path) == "actions" else "score"})
        conn.send({"id": "n1", "deal": d["n1"]})
        conn.send(json.dumps(d["n2"]).encode())
        conn.send({"id": "ping", "op": "ping"})
        got = None
        if code != "load":
            answer = json.loads(conn.read_line())
            got = error_code(answer)
            t.check(name + " (serve) hostile deal ends with " + code,
                    answer.get("id") == "h1" and got == code, repr(answer)[:300])
        answer = json.loads(conn.read_line())
        t.check(name + " (serve) the next request scores normally",
                answer.get("id") == "n1" and answer.get("result") == json.loads(ref["n1"]),
                repr(answer)[:300])
        bare = conn.read_line().decode(errors="replace")
        t.check(name + " (serve) a bare deal after it: the same line", bare == ref["n2"], bare[:200])
        t.check(name + " (serve) ping", is_pong(json.loads(conn.read_line()), "ping"))
    except (OSError, EOFError, ValueError) as e:
        t.check(name + " (serve) answers", False, repr(e))
        return "no answer", time.monotonic() - start
    return got or "reload_failed", time.monotonic() - start


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    program, src, report, only, short = args[0], args[1], None, [], False
    i = 2
    while i < len(args):
        if args[i] == "--report":
            report, i = args[i + 1], i + 2
        elif args[i] == "--short":
            short, i = True, i + 1
        elif args[i] == "--only":
            only, i = only + [args[i + 1]], i + 2
        else:
            sys.exit("hostile.py: unknown argument " + args[i])
    folder = os.path.join(src, "tests", "reliability", "policies")
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".lua"))
    if only:
        files = [f for f in files if os.path.basename(f)[:-4] in only]
    if short:
        files = [f for f in files if not re.search(r"^-- long:", open(f).read(), re.M)]
    t = Tally()
    d = deals(src)
    ref = {"score": reference(program, src, d), "actions": reference(program, src, d, ["--actions"])}
    tmp = tempfile.mkdtemp()
    rows = []
    try:
        hostile = os.path.join(tmp, "hostile.lua")
        shutil.copyfile(os.path.join(src, "scripts", "default.lua"), hostile)
        with open(os.path.join(tmp, "server.log"), "w") as log:
            proc, port = start_server(program, src, hostile, log)
            try:
                conn = Conn(port)
                for path in files:
                    code = expected_code(path)
                    if not t.check(os.path.basename(path) + " has an expect line", code):
                        continue
                    got_score, s_time = via_score(program, src, path, code, d, ref, t)
                    if short and code != "load" and os.path.basename(path) not in SERVE_SAMPLE:
                        got_serve, v_time = "-", 0.0
                    else:
                        got_serve, v_time = via_serve(conn, hostile, path, code, d, ref["score"], t)
                    rows.append((os.path.basename(path), code, got_score, s_time, got_serve, v_time))
                    print("%-28s expect %-15s score: %-15s %6.2f s  serve: %-15s %6.2f s  (score CPU %.2f s)"
                          % (rows[-1] + (CPU.get(os.path.basename(path), 0.0),)))
                t.check("the server is alive at the end", proc.poll() is None)
                proc.send_signal(signal.SIGTERM)
                try:
                    status = proc.wait(timeout=TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    status = "hung"
                t.check("the server exits 0 on SIGTERM", status == 0, str(status))
            finally:
                if proc.poll() is None:
                    proc.kill()
    finally:
        shutil.rmtree(tmp)
    if report:
        with open(report, "w") as f:
            json.dump({"passed": t.passed, "failed": t.failed, "rows": rows}, f)
    print("%d passed, %d failed" % (t.passed, t.failed))
    sys.exit(1 if t.failed else 0)


if __name__ == "__main__":
    main()
