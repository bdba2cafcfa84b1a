# test_threads.py: one Engine used from several threads at once scores as one
# thread does (each call on an engine state of its own), and the GIL is
# released while C scores: other Python threads run meanwhile.
import json
import sys
import threading
import time

import pandas as pd

import dealscore
from test_binding import SPIN


def test_threads_score_as_one_thread_does(generated):
    path = generated(150, seed=3)
    with open(path) as f:
        lines = f.read().splitlines()
    engine = dealscore.Engine()
    alone = [r.json for r in engine.score(lines, explain=True, source=path)]
    outputs, errors = {}, []
    go = threading.Barrier(4)

    def work(k):
        try:
            go.wait()
            for _ in range(2):
                if k % 2:
                    got = [r.json for r in engine.score(lines, explain=True, source=path)]
                else:  # a DataFrame, as a notebook would give
                    frame = pd.DataFrame([json.loads(line) for line in lines])
                    got = list(engine.score(frame, explain=True, source=path)["json"])
                outputs.setdefault(k, []).append(got)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k in range(4):
        assert outputs[k] == [alone] * 2
    # the states went back to the pool: at most one per thread that scored at once
    assert 1 <= engine._native.idle_states <= 4


def test_gil_is_released_while_scoring(tmp_path):
    spin = tmp_path / "spin.lua"
    spin.write_text(SPIN.replace("300000", "1000000"))
    engine = dealscore.Engine(policies=spin)
    texts = tuple(b'{"id": "d%d"}' % i for i in range(40))
    wheres = tuple("deals:%d" % i for i in range(40))
    batch = engine._native.batch()  # the C call itself, timed from just around it
    span = {}
    ready = threading.Event()

    def score():
        ready.set()
        span["start"] = time.monotonic()
        span["results"] = batch.score(texts, wheres)
        span["end"] = time.monotonic()

    # a thread holding the GIL gives it up within this interval of Python code:
    # were the GIL kept through the C call, ticks could only fall in the few
    # bytecodes at its edges
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    try:
        t = threading.Thread(target=score)
        t.start()
        ready.wait()
        ticks = []
        while t.is_alive():  # Python work in this thread while the other one scores
            sum(range(50000))
            ticks.append(time.monotonic())
        t.join()
    finally:
        sys.setswitchinterval(switch)
        batch.close()
    assert all(not failed and '"verdict":"shape"' in line for line, failed, _ in span["results"])
    inside = [x for x in ticks if span["start"] < x < span["end"]]
    # measured on 2 loaded cores: about 1,000 ticks inside the call; with the GIL
    # kept through the call (Py_BEGIN_ALLOW_THREADS taken out), 9 to 13, all at
    # the bytecodes on its two edges
    assert len(inside) >= 100, (len(inside), span["end"] - span["start"])
