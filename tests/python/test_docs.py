# test_docs.py: docs/python.md's tutorial works as written. Every ```python
# block of its "Tutorial" section runs, in order, in one namespace, from a
# folder laid out like the source tree; then what the page says of the results
# is checked against them and against the program.
import contextlib
import io
import json
import os
import re

import dealscore
from conftest import SRC, cli


def tutorial_blocks():
    page = open(os.path.join(SRC, "docs", "python.md"), encoding="utf-8").read()
    section = page.split("\n## Tutorial\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_tutorial_runs_as_written(tmp_path, monkeypatch):
    for name in ("models", "scripts", "tests"):
        os.symlink(os.path.join(SRC, name), tmp_path / name)
    monkeypatch.chdir(tmp_path)
    blocks = tutorial_blocks()
    assert len(blocks) >= 8
    ns = {"__name__": "tutorial"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, "docs/python.md", "exec"), ns)
    printed = out.getvalue()

    # score an export: one row per deal of the example pipeline, as the CLI scores it
    rc, expected = cli("score", "--quiet", os.path.join(SRC, "models/examples/pipeline.jsonl"))
    assert "".join(line + "\n" for line in ns["results"]["json"]).encode() == expected
    # factors add up to their scores, as printed
    sums = ns["factors"].groupby("score")["effect"].sum()
    for score, value in ns["explained"].scores.items():
        assert abs(sums[score] - value) < 0.06
    # errors are rows; the setup error was raised and caught
    checked = ns["checked"]
    assert list(checked["error_code"].fillna("")) == ["", "out_of_range"]
    assert checked["error_message"][1].startswith("crm-export:2: $.solution.capability")
    assert "setup error: policy: no-such-policy.lua" in printed
    # the AUCs are the ones `dealscore backtest` measures on the same deals
    rc, report = cli("backtest", "--format", "json", "--as-of", "2026-11-15",
                     "-p", "default=scripts/default.lua",
                     "-p", "conservative=scripts/examples/enterprise_conservative.lua",
                     str(tmp_path / "history.jsonl"))
    aucs = {p["name"]: round(p["auc"], 3) for p in json.loads(report)["policies"]}
    assert dict(zip(ns["comparison"]["policy"], ns["comparison"]["auc"])) == aucs
    # the streamed file is what the program writes; threads scored every deal
    assert (tmp_path / "scored.jsonl").read_bytes() == expected
    assert "12\n" in printed
    assert isinstance(ns["engine"], dealscore.Engine)
