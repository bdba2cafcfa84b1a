#!/usr/bin/python3
"""Bad input end to end: JSONTestSuite files and naughty strings through dealscore.

Usage: badinput.py PROGRAM SRC_DIR [--report FILE] [--timeout SECONDS]

jsontestsuite: each file of ../shared/data/jsontestsuite/test_parsing/ is sent as
one stream followed by a valid deal on its own line. Every run must end normally
(exit 0 or 1, no signal, no timeout), every output line must be a JSON object,
the valid deal after the file must be scored exactly once, an n_ file must give
at least one error line, and a y_ file at least one line (a result or an error),
except for the streams that hold no deal at all (see ZERO_DEAL_STREAMS).

naughty strings: every string of blns.json as a deal id, stakeholder ids, names
and titles, in one batch with --explain: each must come back byte for byte.

How a stream reaches the engine is one function, TRANSPORTS below (--via):
  cli  `dealscore score -q -`, the stream on its standard input;
  tcp  `dealscore serve` (started once, on a free loopback port): each stream is
       sent on a connection of its own, the sending side is closed, and the
       answers are read until the server closes. The service frames requests by
       newline, so a file holding line breaks is several requests: every line
       that is not blank must get exactly one answer, in order (one line per
       request, checked here), the valid deal's request after the file is
       answered with its result on the same connection, an n_ file gives at
       least one error answer, and only streams of blank lines give none. With
       --explain, each deal goes in an explain envelope and its result is
       unwrapped. The server must survive the whole run and stop cleanly.
Prints "N passed, M failed" and figures; exits 1 on any failure.
"""
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from harness import Tally, start_serve

VALID = {"id": "after-the-file", "stakeholders": [{"id": "a", "can_buy": True}]}
VALID_LINE = json.dumps(VALID).encode()

# Inputs that are a stream of zero deals: an empty stream, blanks only, a byte
# order mark only, an empty array, two empty arrays... are valid JSONL or array
# input with nothing to score. Documented in docs/reliability.md.
ZERO_DEAL_STREAMS = {
    "n_single_space.json",
    "n_structure_no_data.json",
    "n_structure_UTF8_BOM_no_data.json",
    "y_array_empty.json",
    "y_structure_whitespace_array.json",
}


def via_cli(program, stream, timeout, extra_args=()):
    """Scores one stream with `dealscore score`; returns (status, stdout bytes)."""
    try:
        run = subprocess.run([program, "score", "-q", *extra_args, "-"], input=stream,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", b""
    if run.returncode < 0:
        return "signal %d" % -run.returncode, run.stdout
    if run.returncode not in (0, 1):
        return "exit %d: %s" % (run.returncode, run.stderr[:300]), run.stdout
    return "ok", run.stdout


class Server:
    """One `dealscore serve` for the whole run, on a free loopback port."""

    proc = None
    port = None

    @classmethod
    def get(cls, program):
        if cls.proc is None:
            log = tempfile.NamedTemporaryFile(prefix="dealscore-serve-", suffix=".log")
            cls.log = log
            cls.proc, cls.port = start_serve(program, ["--workers", "2"], log)
            atexit.register(cls.stop)
        return cls

    @classmethod
    def stop(cls):
        """SIGTERM; returns the exit status ("hung" when it had to be killed)."""
        if cls.proc is None or cls.proc.poll() is not None:
            return cls.proc.returncode if cls.proc else None
        cls.proc.send_signal(signal.SIGTERM)
        try:
            return cls.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
            cls.proc.wait()
            return "hung"


def request_lines(stream):
    """The lines of a stream that the service answers: not blank (blanks are
    spaces, tabs and a carriage return), the last one even without its newline."""
    return [l for l in stream.split(b"\n") if l.strip(b" \t\r")]


def via_tcp(program, stream, timeout, extra_args=()):
    """Sends one stream to `dealscore serve` on a connection of its own."""
    server = Server.get(program)
    explain = "--explain" in extra_args
    if explain:
        stream = b"".join(b'{"op":"explain","id":%d,"deal":%s}\n' % (i, line)
                          for i, line in enumerate(request_lines(stream)))
    expected = len(request_lines(stream))
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    failure = []

    def send():
        try:
            sock.sendall(stream)
            sock.shutdown(socket.SHUT_WR)
        except OSError as e:
            failure.append("send: %s" % e)

    sender = threading.Thread(target=send)
    sender.start()
    chunks = []
    try:
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    except socket.timeout:
        failure.append("timeout")
    except OSError as e:
        failure.append("receive: %s" % e)
    sender.join()
    sock.close()
    out = b"".join(chunks)
    if server.proc.poll() is not None:
        return "the server ended with status %s" % server.proc.returncode, out
    answers = [l for l in out.split(b"\n") if l]
    if not failure and len(answers) != expected:
        failure.append("%d answers for %d request lines" % (len(answers), expected))
    if explain:  # unwrap {"id": i, "result": R} to R, as the command line prints it
        unwrapped = []
        for line in answers:
            try:
                a = json.loads(line)
                unwrapped.append(json.dumps(a.get("result") or {"id": None, "error": a.get("error")}).encode())
            except ValueError:
                unwrapped.append(line)
        out = b"\n".join(unwrapped) + b"\n"
    return ("ok" if not failure else "; ".join(failure)), out


def no_request_tcp(name, stream):
    return not request_lines(stream)


# name -> (send, zero_deals): send(program, stream, timeout, extra_args) ->
# (status, stdout); zero_deals(file name, stream) tells the streams that must
# give no line at all.
TRANSPORTS = {
    "cli": (via_cli, lambda name, stream: name in ZERO_DEAL_STREAMS),
    "tcp": (via_tcp, no_request_tcp),
}


def parse_lines(out):
    lines = [l for l in out.split(b"\n") if l.strip()]
    try:
        return [json.loads(l) for l in lines], None
    except ValueError as e:
        return None, str(e)


def jsontestsuite(transport, program, data, timeout, t):
    send, zero_deals = transport
    folder = os.path.join(data, "jsontestsuite", "test_parsing")
    if not os.path.isdir(folder):
        print("skipped jsontestsuite: %s is absent" % folder)
        return
    names = sorted(os.listdir(folder))
    for name in names:
        with open(os.path.join(folder, name), "rb") as f:
            stream = f.read() + b"\n" + VALID_LINE + b"\n"
        status, out = send(program, stream, timeout)
        t.count("files")
        t.count("files " + name[0])
        t.check(name + " ends normally", status == "ok", status)
        lines, err = parse_lines(out)
        t.check(name + " output is JSON lines", lines is not None, err or "")
        if lines is None:
            continue
        after = [l for l in lines if l.get("id") == VALID["id"]]
        t.check(name + " the deal after it is scored once",
                len(after) == 1 and "verdict" in after[0], repr(after)[:200])
        own = [l for l in lines if l.get("id") != VALID["id"] or "error" in l]
        errors = [l for l in own if "error" in l]
        for e in errors:
            t.count("error " + e["error"]["code"])
        t.check(name + " every line is a result or an error",
                all("error" in l or "verdict" in l for l in lines))
        if zero_deals(name, stream[: -len(VALID_LINE) - 1]):
            t.check(name + " is a stream of zero deals", not own, repr(own)[:200])
            t.count("zero-deal streams")
        elif name.startswith("n_"):
            t.check(name + " gives an error line", errors, repr(own)[:200])
        elif name.startswith("y_"):
            t.check(name + " gives a result or an error", own)


def naughty_deals(strings):
    """One deal per string: the string as the deal id, the stakeholders' ids,
    names and titles, tied by a relationship so they show in every report."""
    deals = []
    for k, s in enumerate(strings):
        a, b = s, s + "\u00b7" + str(k)  # two distinct ids, both naughty
        deals.append({
            "id": s,
            "name": s,
            "account": s,
            "stakeholders": [
                {"id": a, "name": s, "title": s, "can_buy": True, "roles": ["champion"]},
                {"id": b, "name": s, "title": s, "function": "it"},
            ],
            "relationships": [{"from": a, "to": b, "type": "influences"}],
        })
    return deals


def check_naughty_result(t, deal, result):
    """The strings of one deal in its result (and in the reports that show them)."""
    name = repr(deal["id"])[:60]
    t.check(name + " scored", "verdict" in result, repr(result)[:200])
    t.check(name + " id intact", result.get("id") == deal["id"])
    ids = [s["id"] for s in deal["stakeholders"]]
    got = [s.get("id") for s in result.get("stakeholders", [])]
    t.check(name + " stakeholder ids intact", got == ids, repr(got)[:200])
    # Hook: when results (or the explain and DOT reports) show names and titles,
    # check them here the same way: byte for byte, and DOT/terminal escaped.


def naughty(transport, program, data, timeout, t):
    send = transport[0]
    path = os.path.join(data, "naughty-strings", "blns.json")
    if not os.path.isfile(path):
        print("skipped naughty strings: %s is absent" % path)
        return
    with open(path, encoding="utf-8") as f:
        strings = list(dict.fromkeys(json.load(f)))  # in order, without repeats
    deals = naughty_deals(strings)
    stream = b"".join(json.dumps(d).encode() + b"\n" for d in deals)
    status, out = send(program, stream, timeout * 4, ("--explain",))
    t.check("naughty strings batch ends normally", status == "ok", status)
    lines, err = parse_lines(out)
    t.check("naughty strings output is JSON lines", lines is not None, err or "")
    if lines is None:
        return
    t.check("one result per naughty deal", len(lines) == len(deals),
            "%d results for %d deals" % (len(lines), len(deals)))
    for deal, result in zip(deals, lines):
        check_naughty_result(t, deal, result)
    t.count("naughty strings", len(strings))


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    program, src = args[0], args[1]
    report = None
    timeout = 20.0
    transport = "cli"
    i = 2
    while i < len(args):
        if args[i] == "--report":
            report, i = args[i + 1], i + 2
        elif args[i] == "--timeout":
            timeout, i = float(args[i + 1]), i + 2
        elif args[i] == "--via":
            transport, i = args[i + 1], i + 2
        else:
            sys.exit("badinput.py: unknown argument %s" % args[i])
    data = os.path.join(src, "..", "shared", "data")
    send = TRANSPORTS[transport]
    t = Tally()
    start = time.monotonic()
    jsontestsuite(send, program, data, timeout, t)
    naughty(send, program, data, timeout, t)
    t.figures["seconds"] = round(time.monotonic() - start, 1)
    if transport == "tcp":
        t.check("the server answers to the end and exits 0 on SIGTERM", Server.stop() == 0)
    for key in sorted(t.figures):
        print("%s: %s" % (key, t.figures[key]))
    if report:
        with open(report, "w") as f:
            json.dump({"passed": t.passed, "failed": t.failed, "figures": t.figures}, f)
    print("%d passed, %d failed" % (t.passed, t.failed))
    sys.exit(1 if t.failed else 0)


if __name__ == "__main__":
    main()
