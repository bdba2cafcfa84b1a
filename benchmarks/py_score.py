#!/usr/bin/python3
"""py_score.py MODE FILE [N]: scores FILE (JSONL) through the Python binding, for
bench_python.sh. Modes: lines (one thread, the file's lines), lines-aq (the same with
actions and questions), threads N (N
threads on one Engine, each a slice of the lines), frame (pandas.read_json,
then one DataFrame), dask N (bindings/python/examples/dask_score.py on a local
cluster of N worker processes, over the file cut into 2N partitions).
Prints the deals scored and the seconds spent scoring, reading the file
included; frame then prints the seconds pandas took to read the file, dask
the seconds of the whole run (the cluster's start and stop included); last
comes the CPU time of this process (not of Dask's workers)."""
import os
import subprocess
import sys
import tempfile
import threading
import time

import dealscore


def lines(path, everything=False):
    engine = dealscore.Engine()
    t0 = time.monotonic()
    with open(path, "rb") as f:
        n = sum(1 for r in engine.stream(f, source=path, actions=everything,
                                         questions=everything))
    return n, time.monotonic() - t0


def lines_aq(path):
    return lines(path, True)


def threads(path, k):
    engine = dealscore.Engine()
    with open(path, "rb") as f:
        data = f.read().splitlines()
    slices = [data[i::k] for i in range(k)]
    counts = [0] * k

    def work(i):
        counts[i] = sum(1 for r in engine.stream(slices[i], source=path))
    t0 = time.monotonic()
    ts = [threading.Thread(target=work, args=(i,)) for i in range(k)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts), time.monotonic() - t0


def frame(path):
    import pandas
    engine = dealscore.Engine()
    t0 = time.monotonic()
    deals = pandas.read_json(path, lines=True, precise_float=True)
    t1 = time.monotonic()
    df = engine.score(deals)
    return len(df), time.monotonic() - t1, t1 - t0


def dask(path, k):
    here = os.path.dirname(os.path.abspath(__file__))
    example = os.path.join(here, "..", "bindings", "python", "examples", "dask_score.py")
    with open(path, "rb") as f:
        data = f.readlines()
    with tempfile.TemporaryDirectory() as work:
        parts = 2 * k
        for i in range(parts):
            with open(os.path.join(work, "part-%03d.jsonl" % i), "wb") as f:
                f.writelines(data[i * len(data) // parts:(i + 1) * len(data) // parts])
        t0 = time.monotonic()
        p = subprocess.run([sys.executable, example, "--workers", str(k),
                            os.path.join(work, "out"), os.path.join(work, "part-*.jsonl")],
                           check=False, stderr=subprocess.PIPE, text=True)
        total = time.monotonic() - t0
        said = [x for x in p.stderr.splitlines() if x.startswith("dask_score:")]
        if not said:
            sys.exit(p.stderr)
        scoring = float(said[0].split(" in ")[1].split()[0])
        return len(data), scoring, total


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    arg = [int(sys.argv[3])] if len(sys.argv) > 3 else []
    cpu = time.process_time()
    out = {"lines": lines, "lines-aq": lines_aq, "threads": threads, "frame": frame,
           "dask": dask}[mode](path, *arg)
    cpu = time.process_time() - cpu
    print(" ".join(["%d" % out[0]] + ["%.3f" % x for x in out[1:]] + ["%.3f" % cpu]))
