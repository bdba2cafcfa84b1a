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

How a stream reaches the engine is one function, TRANSPORTS below: the command
line today; the service adds its own (send the stream over TCP, read the lines).
Prints "N passed, M failed" and figures; exits 1 on any failure.
"""
import json
import os
import subprocess
import sys
import time

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


# name -> function(program, stream, timeout, extra_args) -> (status, stdout)
TRANSPORTS = {"cli": via_cli}


class Tally:
    def __init__(self):
        self.passed = self.failed = 0
        self.figures = {}

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s %s" % (name, detail), file=sys.stderr)

    def count(self, key, n=1):
        self.figures[key] = self.figures.get(key, 0) + n


def parse_lines(out):
    lines = [l for l in out.split(b"\n") if l.strip()]
    try:
        return [json.loads(l) for l in lines], None
    except ValueError as e:
        return None, str(e)


def jsontestsuite(send, program, data, timeout, t):
    folder = os.path.join(data, "jsontestsuite", "test_parsing")
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
        if name in ZERO_DEAL_STREAMS:
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


def naughty(send, program, data, timeout, t):
    with open(os.path.join(data, "naughty-strings", "blns.json"), encoding="utf-8") as f:
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
    for key in sorted(t.figures):
        print("%s: %s" % (key, t.figures[key]))
    if report:
        with open(report, "w") as f:
            json.dump({"passed": t.passed, "failed": t.failed, "figures": t.figures}, f)
    print("%d passed, %d failed" % (t.passed, t.failed))
    sys.exit(1 if t.failed else 0)


if __name__ == "__main__":
    main()
