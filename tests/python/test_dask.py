# test_dask.py: the Dask example (bindings/python/examples/dask_score.py) run as
# a user runs it, on a local cluster of 2 worker processes, scores a partitioned
# export exactly as `dealscore score` scores the same files, and leaves nothing
# of an earlier, larger run in OUTPUT_DIR (QA pass 2, F32).
import glob
import os
import subprocess
import sys

from conftest import SRC, cli

EXAMPLE = os.path.join(SRC, "bindings", "python", "examples", "dask_score.py")


def test_dask_example_equals_dealscore_score(generated, tmp_path):
    with open(generated(240, seed=21)) as f:
        lines = f.read().splitlines(keepends=True)
    lines[70:70] = ["\n", '{"id": "broken",\n']  # a blank line and a bad deal
    parts = []
    for k in range(4):  # four partitions, as an export job writes them
        part = tmp_path / "export" / ("deals-%d.jsonl" % k)
        part.parent.mkdir(exist_ok=True)
        part.write_text("".join(lines[k * 61:(k + 1) * 61] if k < 3 else lines[183:]))
        parts.append(str(part))
    out = tmp_path / "scored"
    out.mkdir()  # last night's run had ten partitions
    for k in (0, 9):
        (out / ("part-%05d.jsonl" % k)).write_text('{"id":"yesterday"}\n')
    p = subprocess.run([sys.executable, EXAMPLE, "--workers", "2", str(out),
                        str(tmp_path / "export" / "deals-*.jsonl")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    summary = [line for line in p.stderr.splitlines() if line.startswith("dask_score:")]
    assert len(summary) == 1 and summary[0].startswith(
        "dask_score: 241 deals, 240 scored, 1 errors, 4 partitions on 2 workers in "), p.stderr
    assert p.returncode == 1  # as dealscore score: some deals had errors
    rc, expected = cli("score", "--quiet", *parts)
    assert rc == 1
    parts = sorted(glob.glob(str(out / "part-*.jsonl")))
    assert [os.path.basename(f) for f in parts] == ["part-%05d.jsonl" % k for k in range(4)]
    got = b"".join(open(f, "rb").read() for f in parts)
    assert got == expected
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n]  # the staging folder is gone
    assert b"deals-1.jsonl:11: not valid JSON" in got


def test_dask_example_refuses_a_folder_of_other_files(tmp_path):
    deals = tmp_path / "deals.jsonl"
    deals.write_text('{"id":"a"}\n')
    out = tmp_path / "scored"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    (out / "part-00000.jsonl").write_text("last night\n")
    p = subprocess.run([sys.executable, EXAMPLE, "--workers", "1", str(out), str(deals)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    assert p.returncode == 2, p.stderr
    assert "holds files that are not parts of a dask_score run (notes.txt)" in p.stderr
    assert sorted(os.listdir(out)) == ["notes.txt", "part-00000.jsonl"]
    assert (out / "part-00000.jsonl").read_text() == "last night\n"
