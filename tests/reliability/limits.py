#!/usr/bin/python3
"""Huge inputs against the per-deal memory limit, with the program's peak memory.

Usage: limits.py PROGRAM [--markdown]

Each case is one stream, scored with the default limit: the first line's code
(or "scored"), whether the valid deal after it was scored, the peak resident
memory of the process (wait4 rusage) and the wall time. Prints a Markdown table.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

VALID = json.dumps({"id": "next", "stakeholders": [{"id": "a", "can_buy": True}]})


def committee(n, ties=True):
    deal = {"id": "committee-%d" % n,
            "stakeholders": [{"id": "s%d" % i, "level": "vp"} for i in range(n)]}
    if ties:
        deal["relationships"] = [{"from": "s%d" % i, "to": "s%d" % (i + 1), "type": "influences"}
                                 for i in range(n - 1)]
    return json.dumps(deal)


def write_case(path, name):
    with open(path, "w") as f:
        if name.startswith("committee of "):
            f.write(committee(int(name.split()[2].replace(",", ""))))
        elif name == "a million stakeholders":
            f.write(committee(1000000, ties=False))
        elif name == "a 300 MB deal line":
            f.write('{"id": "long", "name": "')
            chunk = "x" * (1 << 20)
            for _ in range(300):
                f.write(chunk)
            f.write('"}')
        elif name == "a 300 MB array element":
            f.write('[{"id": "long", "name": "')
            chunk = "y" * (1 << 20)
            for _ in range(300):
                f.write(chunk)
            f.write('"}]')
        f.write("\n" + VALID + "\n")


CASES = ["committee of 100", "committee of 1,000", "committee of 2,000", "committee of 3,000",
         "a million stakeholders", "a 300 MB deal line", "a 300 MB array element"]


def run_case(program, name, folder):
    path = os.path.join(folder, "case.jsonl")
    write_case(path, name)
    size = os.path.getsize(path)
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        with open(os.path.join(folder, "out"), "wb") as out:
            os.dup2(out.fileno(), 1)
            os.execv(program, [program, "score", "-q", path])
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - start
    with open(os.path.join(folder, "out")) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    first = lines[0] if lines else {}
    outcome = first.get("error", {}).get("code", "scored" if "verdict" in first else "?")
    next_ok = any(l.get("id") == "next" and "verdict" in l for l in lines)
    os.unlink(path)
    return {"case": name, "input_mb": size / 1e6, "outcome": outcome, "next_scored": next_ok,
            "peak_mb": usage.ru_maxrss / 1024, "seconds": seconds,
            "exit": os.waitstatus_to_exitcode(status)}


def main():
    program = os.path.abspath(sys.argv[1])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in CASES:
            rows.append(run_case(program, name, folder))
    print("| input | size | outcome | next deal scored | peak memory | time |")
    print("|---|---:|---|---|---:|---:|")
    for r in rows:
        print("| %s | %.1f MB | %s | %s | %.0f MiB | %.2f s |" % (
            r["case"], r["input_mb"], r["outcome"], "yes" if r["next_scored"] else "NO",
            r["peak_mb"], r["seconds"]))
    sys.exit(0 if all(r["next_scored"] and r["exit"] in (0, 1) for r in rows) else 1)


if __name__ == "__main__":
    main()
