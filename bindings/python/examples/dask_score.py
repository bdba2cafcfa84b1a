#!/usr/bin/python3
"""dask_score.py: score a partitioned pipeline export on a Dask cluster.

    dask_score.py [--workers N | --scheduler ADDRESS] [--model FILE]
                  [--policy [NAME=]FILE ...] [--as-of DATE] [--explain]
                  OUTPUT_DIR INPUT ...

Each INPUT (a file or a glob; JSONL, one deal per line) is one partition,
scored by one task on some worker with the engine of `dealscore score`: the
partition's results go to OUTPUT_DIR/part-NNNNN.jsonl, in input order, one line
per deal, byte for byte what `dealscore score INPUT ...` writes (a deal that
cannot be scored is an error line naming the file and line). Each worker
process loads the model and compiles the policies once (dealscore.shared).

Without --scheduler it starts a local cluster of N worker processes (default
2) on this machine; with --scheduler it uses a running cluster, whose workers
need the dealscore package and the model and policy files at the same paths.
The code that scores is the same either way. docs/scale.md says when a cluster
pays; docs/python.md has the binding itself.

OUTPUT_DIR holds this run's parts and nothing else when it ends: the parts
are written into a hidden folder beside it and moved in only when every
partition was scored, the parts of an earlier run (part-00009.jsonl of a run
with more partitions) removed then, so `cat OUTPUT_DIR/part-*.jsonl` never
mixes two nights. A run that fails leaves OUTPUT_DIR as it was. An OUTPUT_DIR
holding anything other than part-NNNNN.jsonl files is refused (exit 2): it is
not a folder of results this program may clear. With --scheduler the
workers write into that hidden folder, so it must be on a file system they
share, as OUTPUT_DIR had to be.

Differences from one `dealscore score` run: a deal id is checked for
duplicates within its partition only, and the files are read as lines (a JSON
array export must be converted to JSONL first).
"""
import argparse
import glob
import os
import re
import shutil
import sys
import tempfile
import time

import dask
import dask.bag
from dask.distributed import Client, LocalCluster

import dealscore


def score_partition(lines_with_path, options, explain):
    """One partition (a whole file: (line, path) pairs in order) -> result lines."""
    pairs = list(lines_with_path)
    if not pairs:
        return []
    engine = dealscore.shared(**options)
    lines = [line for line, _ in pairs]
    return [r.json for r in engine.stream(lines, source=pairs[0][1], explain=explain)]


def is_error(line):
    return line.startswith('{"id":') and ',"error":{"code":' in line


def inputs(patterns):
    files = []
    for p in patterns:
        matched = sorted(glob.glob(p))
        if not matched:
            sys.exit("dask_score: %s: no such file" % p)
        files.extend(matched)
    return files


PART = re.compile(r"part-[0-9]{5,}\.jsonl")


def check_output(path):
    """Refuses (exit 2) an OUTPUT_DIR that is not a folder of earlier parts."""
    if not os.path.lexists(path):
        return
    if not os.path.isdir(path):
        print("dask_score: %s is not a folder" % path, file=sys.stderr)
        sys.exit(2)
    others = sorted(n for n in os.listdir(path) if not PART.fullmatch(n))
    if others:
        print("dask_score: %s holds files that are not parts of a dask_score run (%s): "
              "give a new or empty folder, or one of earlier results only"
              % (path, ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")),
              file=sys.stderr)
        sys.exit(2)


def publish(staging, output):
    """Moves this run's parts into OUTPUT_DIR, removing an earlier run's."""
    os.makedirs(output, exist_ok=True)
    fresh = set(os.listdir(staging))
    for name in os.listdir(output):
        if PART.fullmatch(name) and name not in fresh:
            os.remove(os.path.join(output, name))
    for name in sorted(fresh):
        os.replace(os.path.join(staging, name), os.path.join(output, name))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("output", metavar="OUTPUT_DIR")
    ap.add_argument("input", metavar="INPUT", nargs="+")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=2, help="local worker processes")
    where.add_argument("--scheduler", help="address of a running Dask scheduler")
    ap.add_argument("--model")
    ap.add_argument("--policy", action="append", default=[], metavar="[NAME=]FILE")
    ap.add_argument("--as-of", dest="as_of")
    ap.add_argument("--explain", action="store_true")
    a = ap.parse_args(argv)

    options = {"model": a.model, "policies": a.policy or None, "as_of": a.as_of}
    dealscore.Engine(**options)  # a bad model or policy stops here, before any cluster
    files = inputs(a.input)
    check_output(a.output)
    parent = os.path.dirname(os.path.abspath(a.output))
    os.makedirs(parent, exist_ok=True)
    # the parts are written beside OUTPUT_DIR (same file system) and moved in at the end
    staging = tempfile.mkdtemp(prefix=".%s.tmp-" % os.path.basename(os.path.abspath(a.output)),
                               dir=parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # as OUTPUT_DIR would be: a cluster's workers write there
    try:
        return run(a, options, files, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run(a, options, files, staging):
    """Scores every partition into staging, then publishes the parts; the exit status."""
    if a.scheduler:
        client = Client(a.scheduler)
    else:  # one thread per process: the engine releases the GIL, but processes
        # are what a real cluster has, so this runs as it will there
        cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
        client.wait_for_workers(a.workers)
    with client:
        # one partition per file, lines in order, each with its file's path
        bag = dask.bag.read_text(files, include_path=True, blocksize=None)
        results = bag.map_partitions(score_partition, options, a.explain)
        written = results.to_textfiles(os.path.join(staging, "part-*.jsonl"),
                                       name_function=lambda i: "%05d" % i,
                                       last_endline=True, compute=False)
        counts = results.map(is_error).frequencies()
        start = time.monotonic()
        _, counts = dask.compute(written, counts)  # one pass: the graphs share the scoring
        seconds = time.monotonic() - start
        workers = len(client.scheduler_info()["workers"])
    publish(staging, a.output)
    counts = dict(counts)
    total = counts.get(True, 0) + counts.get(False, 0)
    print("dask_score: %d deals, %d scored, %d errors, %d partitions on %d workers in %.2f s"
          " (%.0f deals/s)" % (total, counts.get(False, 0), counts.get(True, 0), len(files),
                               workers, seconds, total / seconds if seconds > 0 else 0),
          file=sys.stderr)
    return 1 if counts.get(True) else 0


if __name__ == "__main__":
    sys.exit(main())
