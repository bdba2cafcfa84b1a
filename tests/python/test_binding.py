# test_binding.py: `import dealscore` scores as `dealscore score` does, byte for
# byte, from every kind of input (lines, dicts, DataFrames); bad deals are result
# rows, and only setup errors raise.
import json
import os
import warnings

import pandas as pd
import pytest

import dealscore
from conftest import PIPELINE, SRC, cli

EVERYTHING = dict(explain=True, actions=True, questions=True)
CLI_EVERYTHING = ["--explain", "--actions", "--questions"]


def lines_of(results):
    return "".join(r.json + "\n" for r in results).encode()


def frame_lines(frame):
    return "".join(line + "\n" for line in frame["json"]).encode()


def test_pipeline_lines_equal_cli():
    engine = dealscore.Engine()
    for py_opts, cli_opts in (({}, []), (EVERYTHING, CLI_EVERYTHING)):
        rc, expected = cli("score", "--quiet", *cli_opts, PIPELINE)
        assert rc == 0 and expected.count(b"\n") == 12
        with open(PIPELINE) as f:
            assert lines_of(engine.score(f, source=PIPELINE, **py_opts)) == expected


def test_frames_and_dicts_equal_cli(generated):
    engine = dealscore.Engine()
    # 600 deals: more than one chunk handed to C at a time
    path = generated(600)
    rc, expected = cli("score", "--quiet", path)
    assert rc == 0 and expected.count(b"\n") == 600
    frame = pd.read_json(path, lines=True, precise_float=True)
    scored = engine.score(frame)
    assert frame_lines(scored) == expected
    assert list(scored.index) == list(frame.index)
    # with every part, as dicts
    path = generated(80, seed=12)
    rc, expected = cli("score", "--quiet", *CLI_EVERYTHING, path)
    with open(path) as f:
        deals = [json.loads(line) for line in f]
    assert lines_of(engine.score(deals, **EVERYTHING)) == expected
    # the example pipeline as a frame: nested columns, missing keys as NaN
    rc, expected = cli("score", "--quiet", *CLI_EVERYTHING, PIPELINE)
    frame = pd.read_json(PIPELINE, lines=True, precise_float=True)
    assert frame.isna().any().any()  # some deals lack keys others have
    assert frame_lines(engine.score(frame, **EVERYTHING)) == expected


def test_frame_columns_read_the_results(generated):
    engine = dealscore.Engine()
    frame = engine.score(pd.read_json(generated(50), lines=True, precise_float=True))
    for _, row in frame.iterrows():
        d = json.loads(row["json"])
        assert row["id"] == d["id"] and row["verdict"] == d["verdict"]
        assert row["viability"] == d["scores"]["viability"]
        assert row["reasons"] == d["reasons"] and row["coverage"] == d["coverage"]
    assert frame["error_code"].isna().all()
    assert frame["viability"].dtype == float


BAD = [
    '{"id":"a","stakeholders":[{"id":"x","influence":2}]}',  # out of range
    '{bad',                                                   # not JSON
    '',                                                       # blank: skipped, counted
    '{"id":"b","solution":{}}',
    '{"id":"b","solution":{}}',                               # duplicate id
    '[1]',                                                    # not an object
    '{"id":"c","solution":{"prototype":"yes"}}',              # bad type
    '{"id":7.5}',                                             # bad id
]


def test_errors_are_rows_like_the_cli(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(BAD) + "\n")
    rc, expected = cli("score", "--quiet", str(path))
    assert rc == 1
    results = dealscore.Engine().score(BAD, source=str(path))
    assert lines_of(results) == expected
    assert [r.ok for r in results] == [False, False, True, False, False, False, False]
    codes = [r.error and r.error["code"] for r in results]
    assert codes == ["out_of_range", "bad_json", None, "duplicate_id", "bad_type", "bad_type",
                     "bad_type"]
    assert results[0].error["path"] == "$.stakeholders[0].influence"
    assert str(path) + ":1:" in results[0].error["message"]
    assert results[4].where == str(path) + ":6"  # the blank line counts
    assert results[0].viability is None and results[0].verdict is None


def test_frame_with_bad_rows_keeps_every_row():
    frame = pd.DataFrame(
        {"id": ["ok", "bad", "ok2"], "stage": ["proposal", "Proposal", None],
         "solution": [{"capability": 0.5}, {"prototype": "yes"}, {"capability": 7}]},
        index=["r1", "r2", "r3"])
    scored = dealscore.Engine().score(frame, source="crm")
    assert list(scored.index) == ["r1", "r2", "r3"]
    assert list(scored["error_code"].fillna("")) == ["", "bad_type", "out_of_range"]
    assert scored.loc["r3", "error_path"] == "$.solution.capability"
    assert scored.loc["r2", "error_message"].startswith("crm:2: $.solution.prototype")
    assert pd.isna(scored.loc["r2", "viability"]) and scored.loc["r1", "viability"] >= 0


def test_frame_cells_as_json_values():
    # dates read as Timestamps, numpy numbers, NaN inside a nested value
    with open(PIPELINE) as f:
        deals = [json.loads(line) for line in f]
    frame = pd.read_json(PIPELINE, lines=True, precise_float=True,
                         convert_dates=["close_date", "as_of"])
    assert str(frame["as_of"].dtype).startswith("datetime64")
    engine = dealscore.Engine()
    assert frame_lines(engine.score(frame)) == lines_of(engine.score(deals))
    deal = dict(deals[0])
    deal["solution"] = dict(deal["solution"], capability=float("nan"))
    r = engine.score(deal)
    assert r.error["code"] == "bad_type" and r.error["path"] == "$.solution.capability"


def test_single_deal_and_its_parts():
    with open(PIPELINE) as f:
        deal = json.loads(f.readline())
    engine = dealscore.Engine()
    r = engine.score(deal)
    assert r.ok and r.id == deal["id"] and r.where == "deal"
    assert engine.score(json.dumps(deal)).json == r.json == engine.score(
        json.dumps(deal).encode()).json
    explained = engine.explain(deal)
    f = explained.factors
    assert set(f["score"]) == set(dealscore.SCORES)
    for score in dealscore.SCORES:  # each score is the sum of its factors
        assert abs(f[f["score"] == score]["effect"].sum() - explained.scores[score]) < 0.06
    assert list(explained.stakeholders["id"]) == [h["id"] for h in deal["stakeholders"]]
    acted = engine.actions(deal, max_actions=2)
    assert 0 < len(acted.actions) <= 2
    assert list(acted.actions["gain"]) == sorted(acted.actions["gain"], reverse=True)
    asked = engine.questions(deal)
    assert list(asked.questions.columns[:3]) == ["field", "stakeholder", "question"]
    assert len(dealscore.factors(engine.score([deal, deal | {"id": "x"}], explain=True))) \
        == 2 * len(f)


def test_setup_errors_raise(tmp_path):
    with pytest.raises(dealscore.SetupError, match="nope.json"):
        dealscore.Engine(model=tmp_path / "nope.json")
    broken = tmp_path / "broken.lua"
    broken.write_text("return {\n  name = 'broken',\n  score = function(deal\n}\n")
    with pytest.raises(dealscore.SetupError, match=r"broken\.lua:\d+"):
        dealscore.Engine(policies=broken)
    with pytest.raises(dealscore.SetupError, match="bad name"):
        dealscore.Engine(policies=["bad name=x.lua"])
    with pytest.raises(dealscore.SetupError, match="as_of"):
        dealscore.Engine(as_of="yesterday")
    with pytest.raises(dealscore.SetupError, match="policy_instructions"):
        dealscore.Engine(policy_instructions=-5)
    model = json.load(open(os.path.join(SRC, "models", "default.json")))
    model["actions"] = "none"
    bad_model = tmp_path / "model.json"
    bad_model.write_text(json.dumps(model))
    engine = dealscore.Engine(model=bad_model)  # fine until actions are asked for
    assert engine.score({"id": "x"}).ok
    with pytest.raises(dealscore.SetupError, match="actions"):
        engine.score({"id": "x"}, actions=True)


def test_options_as_the_cli_reads_them(generated, tmp_path):
    path = generated(120, seed=5)
    examples = os.path.join(SRC, "scripts", "examples")
    with open(path) as f:
        deals = [json.loads(line) for line in f]
    for i, deal in enumerate(deals):  # deals name their policy
        deal["segment_policy"] = ["it_first", "conservative", "default"][i % 3]
        deal.pop("as_of", None)
    text = "".join(json.dumps(d) + "\n" for d in deals).encode()
    policies = {"it_first": os.path.join(examples, "it_first.lua"),
                "conservative": os.path.join(examples, "enterprise_conservative.lua")}
    rc, expected = cli("score", "--quiet", "--as-of", "2026-10-01", "--policy-field",
                       "segment_policy", "-p", "it_first=" + policies["it_first"], "-p",
                       "conservative=" + policies["conservative"], "-", stdin=text)
    engine = dealscore.Engine(policies=policies, policy_field="segment_policy",
                              as_of="2026-10-01")
    results = engine.score(text.decode().splitlines(), source="<stdin>")
    assert lines_of(results) == expected
    assert {r.policy.split("@")[0] for r in results} == {"it_first", "enterprise_conservative",
                                                         "default"}
    # a policy past its budget: policy_timeout rows, as the CLI's
    spin = tmp_path / "spin.lua"
    spin.write_text(SPIN)
    rc, expected = cli("score", "--quiet", "-p", str(spin), "--policy-instructions", "50k", path)
    results = dealscore.Engine(policies=spin, policy_instructions=50000).score(
        open(path), source=path)
    assert lines_of(results) == expected and rc == 1
    assert {r.error["code"] for r in results} == {"policy_timeout"}


# A policy that spends about a million Lua instructions per deal, then decides.
SPIN = """return { name = "spin", version = 1,
  score = function(deal, scores)
    local x = 0
    for i = 1, 300000 do x = x + i end
    return { viability = 50, verdict = "shape", reasons = {} }
  end }
"""


def test_undated_deals_are_said_once():
    deal = {"id": "u", "stakeholders": [{"id": "a", "last_contact": "2026-01-02"}]}
    with pytest.warns(UserWarning, match="1 deal has contact dates but no as_of"):
        dealscore.Engine().score([deal])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dealscore.Engine(as_of="2026-02-01").score([deal])
        dealscore.Engine().score([dict(deal, as_of="2026-02-01")])


def test_text_read_as_the_cli_reads_lines(tmp_path):
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a", "stage": "proposal"}\r\n   \n\t\n{"id": "b",  \r\n'
                     b'{"id": "c"}')
    rc, expected = cli("score", "--quiet", str(path))
    engine = dealscore.Engine()
    with open(path, "rb") as f:
        assert lines_of(engine.score(f, source=str(path))) == expected
    with open(path, encoding="utf-8", newline="") as f:
        assert lines_of(engine.score(f, source=str(path))) == expected
    assert b"crlf.jsonl:4: not valid JSON" in expected


def test_write_jsonl(tmp_path):
    engine = dealscore.Engine()
    rc, expected = cli("score", "--quiet", PIPELINE)
    results = engine.score(open(PIPELINE), source=PIPELINE)
    dealscore.write_jsonl(results, tmp_path / "a.jsonl")
    dealscore.write_jsonl(engine.score(pd.read_json(PIPELINE, lines=True, precise_float=True)),
                          str(tmp_path / "b.jsonl"))
    assert (tmp_path / "a.jsonl").read_bytes() == expected == (tmp_path / "b.jsonl").read_bytes()


def test_values_without_json_form_are_rows():
    loop = {"id": "loop"}
    loop["self"] = loop
    deals = [{"id": "s", "solution": {"tags": {1, 2}}}, loop, {"id": 7, "when": object()},
             {"id": "fine"}]
    results = dealscore.Engine().score(deals, source="crm")
    assert [r.ok for r in results] == [False, False, False, True]
    assert [r.id for r in results] == ["s", "loop", "7", "fine"]
    assert {r.error["code"] for r in results[:3]} == {"bad_type"}
    assert results[0].error["message"].startswith("crm:1: $ has no JSON form: set")
    assert "Circular reference" in results[1].error["message"]


def test_lone_surrogates_are_rows():
    # a str no UTF-8 can hold (a lone surrogate, in an id, a value, or a deal given as
    # JSON text): an error row naming it, and the deals after it are still scored
    deals = [{"id": "a\ud800b"}, {"id": "v", "name": "x\udfff"}, '{"id":"t\ud83d"}',
             {"id": "fine"}]
    results = dealscore.Engine().score(deals, source="crm")
    assert [r.ok for r in results] == [False, False, False, True]
    assert [r.id for r in results] == [None, "v", None, "fine"]
    assert {r.error["code"] for r in results[:3]} == {"bad_type"}
    assert all("surrogates not allowed" in r.error["message"] for r in results[:3])


def test_lines_that_are_not_utf8_survive(tmp_path):
    # the engine quotes a bad value cut at 40 bytes, here inside a two-byte character:
    # the line holds a lone byte, and the binding writes it back as the program does
    deal = b'{"id":"x","stakeholders":[{"id":"a","level":"' + b"a" * 39 + \
        "\u00e9zzz".encode() + b'"}]}\n'
    path = tmp_path / "cut.jsonl"
    path.write_bytes(deal)
    rc, expected = cli("score", "--quiet", str(path))
    results = dealscore.Engine().score([deal], source=str(path))
    assert results[0].error["code"] == "bad_enum"
    dealscore.write_jsonl(results, tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_bytes() == expected


def test_explain_report_is_the_programs():
    engine = dealscore.Engine()
    with open(PIPELINE) as f:
        deals = [json.loads(line) for line in f]
    for deal in deals:
        rc, expected = cli("explain", "--id", deal["id"], PIPELINE)
        explained = engine.explain(deal)
        assert rc == 0 and explained.report.encode() == expected, deal["id"]
        assert len(explained.factors) > 0
    rc, expected = cli("explain", "--format", "markdown", "--max-actions", "1", "--id",
                       deals[6]["id"], PIPELINE)
    assert engine.explain(deals[6], markdown=True, max_actions=1).report.encode() == expected
    # reports for many deals at once; none for an error
    results = engine.score(deals[:3] + [{"id": "bad", "stage": 7}], explain=True, actions=True,
                           questions=True, report="text")
    assert [r.report is None for r in results] == [False, False, False, True]
    assert results[0].report == engine.explain(deals[0]).report


def test_score_file_reads_as_the_program(tmp_path, generated):
    big = '{"id": "big", "name": "' + "x" * (1 << 20) + '"}'
    path = tmp_path / "export.json"
    path.write_bytes(b"\xef\xbb\xbf[" + b'{"id": "a"},\n {"id": "b", "x": [1,}\n{"id": "c"}]\n'
                     + big.encode() + b'\n{"id": "a"}\n' + open(PIPELINE, "rb").read())
    engine = dealscore.Engine(max_deal_memory=1 << 20)
    for py_opts, cli_opts in (({}, []), (EVERYTHING, CLI_EVERYTHING)):
        rc, expected = cli("score", "--quiet", "--max-deal-memory", "1M", *cli_opts, str(path))
        results = engine.score_file(path, **py_opts)
        assert lines_of(results) == expected and rc == 1
    codes = [r.error["code"] for r in results if not r.ok]
    assert codes == ["bad_json", "too_large", "duplicate_id"]
    assert results[0].where == str(path) + ":1 element 1"
    rc, expected = cli("score", "--quiet", generated(300))
    assert lines_of(dealscore.Engine().score_file(generated(300))) == expected
    with pytest.raises(OSError):
        engine.score_file(tmp_path / "missing.jsonl")
