# test_leaks.py: under `make asan`, the binding frees what it takes. The Python
# tests of the ASan build run with detect_leaks=0, since CPython keeps memory
# until exit by design; here a child process runs with LeakSanitizer on, and any
# leak whose stack passes through the extension (its own code or the engine
# linked into it) fails the test. Interpreter leaks (stacks in python3 alone)
# are not ours. Skipped outside the sanitizer build.
import os
import subprocess
import sys

import pytest

from conftest import PIPELINE

WORK = """
import json, sys, dealscore
pipeline = sys.argv[1]
deal = json.loads(open(pipeline).readline())
for _ in range(3):
    engine = dealscore.Engine(policies={"it_first": sys.argv[2]}, as_of="2026-11-15")
    engine.score_file(pipeline, explain=True, actions=True, questions=True, report="text")
    engine.score([deal, {"id": "x", "s": {1}}, "{bad", deal], max_actions=2)
    engine.explain(deal, markdown=True)
    engine.score(open(pipeline), source=pipeline, questions=True, max_questions=1)
    try:
        dealscore.Engine(policies="no-such.lua")
    except dealscore.SetupError:
        pass
    del engine
"""


@pytest.mark.skipif(not os.environ.get("DEALSCORE_SANITIZE"), reason="not the ASan build")
def test_no_leak_through_the_extension(tmp_path):
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:exitcode=0:fast_unwind_on_malloc=0",
               LSAN_OPTIONS="report_objects=0")
    it_first = os.path.join(os.path.dirname(PIPELINE), "..", "..", "scripts", "examples",
                            "it_first.lua")
    p = subprocess.run([sys.executable, "-c", WORK, PIPELINE, it_first], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    assert p.returncode == 0, p.stderr[-3000:]
    reports = p.stderr.split("\n\n")
    ours = [r for r in reports if "leak of" in r and
            any(k in r for k in ("_native", "dspy_", "dealscore_", " ds_", " dsl_", "lua"))]
    assert not ours, "\n\n".join(ours)[:4000]
