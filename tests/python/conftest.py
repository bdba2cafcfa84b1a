# conftest.py: what the Python binding's tests share: the dealscore program
# they compare with, the source tree, and generated pipeline exports.
# ctest sets DEALSCORE_CLI, DEALSCORE_SRC, GEN_PIPELINE and PYTHONPATH
# (tests/CMakeLists.txt).
import os
import subprocess

import pytest

CLI = os.environ.get("DEALSCORE_CLI", "")
SRC = os.environ.get("DEALSCORE_SRC", "")
GEN = os.environ.get("GEN_PIPELINE", "")
PIPELINE = os.path.join(SRC, "models", "examples", "pipeline.jsonl")


def pytest_configure(config):
    if not (CLI and SRC and GEN):
        pytest.exit("run by ctest: DEALSCORE_CLI, DEALSCORE_SRC and GEN_PIPELINE are unset", 2)


def cli(*args, stdin=None):
    """`dealscore ARGS...`: (exit status, standard output as bytes)."""
    p = subprocess.run([CLI, *args], input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    return p.returncode, p.stdout


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """generated(n, seed): a JSONL export of n generated deals (gen_pipeline)."""
    made = {}

    def make(n, seed=11):
        if (n, seed) not in made:
            path = tmp_path_factory.mktemp("gen") / ("deals-%d-%d.jsonl" % (n, seed))
            subprocess.run([GEN, "--seed", str(seed), "--deals", str(n), "--jsonl", str(path)],
                           check=True)
            made[(n, seed)] = str(path)
        return made[(n, seed)]
    return make
