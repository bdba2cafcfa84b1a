# test_typed.py: Result.data, the attributes and the DataFrame columns are made
# from the engine's typed results (dealscore_result_copy), each number rounded by
# the library's one rule (dealscore_round), never by parsing the engine's line:
# they must still be exactly what json.loads reads from that line.
import json

import dealscore
from conftest import PIPELINE

EVERYTHING = dict(explain=True, actions=True, questions=True)
BAD = [
    '{"id":"a","stakeholders":[{"id":"x","influence":2}]}',  # out of range
    '{bad',                                                   # not JSON
    '{"id":"b","solution":{}}',
    '{"id":"b","solution":{}}',                               # duplicate id
    '[1]',                                                    # not an object
    '{"id":"c","solution":{"prototype":"yes"}}',              # bad type
]


def test_data_is_the_line_read_back(generated, tmp_path, monkeypatch):
    # Result.data is made from the engine's typed result, each number rounded by
    # the library's rule (dealscore_round): exactly json.loads of the line, keys
    # in the line's order, and without parsing the line (json.loads refused)
    engine = dealscore.Engine()
    nul = '{"id":"a\\u0000b","solution":{},"stakeholders":[{"id":"x\\u0000y","title":"CTO"}]}'
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(line + "\n" for line in BAD + [nul]))
    with open(PIPELINE) as f:
        pipeline = f.read().splitlines()
    batches = [engine.score(pipeline, **EVERYTHING), engine.score(BAD + [nul], explain=True),
               engine.score_file(generated(300, seed=5), explain=True),
               engine.score_file(str(path), **EVERYTHING)]

    class NoParsing:
        @staticmethod
        def loads(_):
            raise AssertionError("Result.data parsed the engine's line")
    monkeypatch.setattr(dealscore, "_json", NoParsing)
    for results in batches:
        for r in results:
            expected = json.loads(r.json)
            assert json.dumps(r.data) == json.dumps(expected), r.json
    assert any(r.data.get("questions") for r in batches[0])
    assert batches[1][-1].data["id"] == "a\x00b"
