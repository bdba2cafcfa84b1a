# test_typed.py: Result.data, the attributes and the DataFrame columns are made
# from the engine's typed results (dealscore_result_copy), each number rounded by
# the library's one rule (dealscore_round), never by parsing the engine's line:
# they must still be exactly what json.loads reads from that line.
import json
import os

import dealscore
from conftest import PIPELINE, SRC

NU = os.path.join(SRC, "tests", "e2e", "crm", "newuser")

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
    # CRM exports: errors located in their rows, rows that cannot be deals
    for deals, people in (("sf_opportunities.csv", "sf_contact_roles.csv"),
                          ("de_deals.csv", "de_contacts.csv")):
        mapping = "salesforce" if deals.startswith("sf") else "hubspot"
        batches.append(dealscore.Engine(as_of="2026-06-30").score_csv(
            os.path.join(NU, deals), mapping=mapping, stakeholders=os.path.join(NU, people),
            messages=lambda k, t: None, explain=True))
    crm = batches[-2] + batches[-1]
    assert any(not r.ok for r in crm) and any(r.ok for r in crm)

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
