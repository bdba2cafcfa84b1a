# test_csv.py: Engine.score_csv scores a CRM export as `dealscore score --csv`
# does, through the library's CSV import (dealscore_csv_* of lib/dealscore.h): the
# same result lines (errors located in the row they come from included), the
# same messages, the program's options, and setup errors raised.
import os
import re
import subprocess
import warnings

import pytest

import dealscore
from conftest import CLI, SRC

CRM = os.path.join(SRC, "tests", "e2e", "crm")
NU = os.path.join(CRM, "newuser")
ASOF = "2026-06-30"
SUMMARY = re.compile(r"dealscore: \d+ deals, \d+ scored, \d+ errors")

# (mapping, deals, stakeholders, contacts, extra CLI options / keywords)
EXPORTS = {
    "salesforce report": ("salesforce", CRM + "/salesforce_report/opportunities.csv",
                          CRM + "/salesforce_report/contact_roles.csv", None, {}),
    "data loader": ("salesforce_api", CRM + "/salesforce_dataloader/Opportunity.csv",
                    CRM + "/salesforce_dataloader/OpportunityContactRole.csv",
                    CRM + "/salesforce_dataloader/Contact.csv", {}),
    "hubspot": ("hubspot", CRM + "/hubspot/deals.csv", CRM + "/hubspot/contacts.csv", None, {}),
    "new user, orphans and two roles": ("salesforce", NU + "/sf_opportunities.csv",
                                        NU + "/sf_contact_roles.csv", None, {}),
    # bad_encoding and bad_date rows: errors as rows
    "german excel, no options": ("hubspot", NU + "/de_deals.csv", NU + "/de_contacts.csv",
                                 None, {}),
    "german excel": ("hubspot", NU + "/de_deals.csv", NU + "/de_contacts.csv", None,
                     {"encoding": "windows-1252", "decimal": ",",
                      "date_format": "DD.MM.YYYY"}),
}


def run_cli(mapping, deals, stakeholders, contacts, extra, *more):
    # not -q, which leaves out the notes; the summary line is the program's own
    args = [CLI, "score", "--jobs", "1", "--as-of", ASOF, "--mapping", mapping,
            "--csv", deals, *more]
    if stakeholders:
        args += ["--stakeholders", stakeholders]
    if contacts:
        args += ["--contacts", contacts]
    for key, value in extra.items():
        args += ["--" + key.replace("_", "-"), value]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    said = [line[len("dealscore: "):] for line in p.stderr.decode().splitlines()
            if line.startswith("dealscore: ") and not SUMMARY.match(line)]
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape").splitlines(), said


def run_py(engine, mapping, deals, stakeholders, contacts, extra, **kw):
    said = []
    results = engine.score_csv(deals, mapping=mapping, stakeholders=stakeholders,
                               contacts=contacts, messages=lambda k, t: said.append((k, t)),
                               **extra, **kw)
    return results, said


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_results_and_messages_equal_the_program(name):
    mapping, deals, stakeholders, contacts, extra = EXPORTS[name]
    rc, lines, cli_said = run_cli(mapping, deals, stakeholders, contacts, extra)
    results, said = run_py(dealscore.Engine(as_of=ASOF), mapping, deals, stakeholders,
                           contacts, extra)
    assert [r.json for r in results] == lines
    assert [t for _, t in said] == cli_said
    assert (rc == 1) == any(not r.ok for r in results)
    assert all(r.where.startswith(deals + ":") for r in results if r.ok)


def test_explain_and_actions_equal_the_program():
    mapping, deals, stakeholders, contacts, extra = EXPORTS["hubspot"]
    _, lines, _ = run_cli(mapping, deals, stakeholders, contacts, extra, "--explain",
                          "--actions")
    results, _ = run_py(dealscore.Engine(as_of=ASOF), mapping, deals, stakeholders, contacts,
                        extra, explain=True, actions=True)
    assert [r.json for r in results] == lines
    assert all(len(r.factors) > 0 for r in results if r.ok)


def test_error_in_a_stakeholder_row_names_that_row(tmp_path):
    deals = tmp_path / "deals.csv"
    deals.write_text("id,name\nD1,one\nD2,two\n")
    people = tmp_path / "people.csv"
    people.write_text("deal_id,id,name,influence\nD1,p1,Ann,0.5\nD2,p2,Bob,1.5\n")
    rc, lines, _ = run_cli("plain", str(deals), str(people), None, {})
    results, _ = run_py(dealscore.Engine(as_of=ASOF), "plain", str(deals), str(people), None,
                        {})
    assert rc == 1 and [r.json for r in results] == lines
    bad = results[1]
    assert not bad.ok and bad.id == "D2"
    assert bad.error["path"] == "$.stakeholders[0].influence"
    # the row's file (cut at 60 bytes, as the program cuts it) and line
    assert bad.error["message"].endswith("got 1.5 (%s:3)" % str(people)[:60])


def test_messages_default_to_warnings():
    mapping, deals, stakeholders, contacts, _ = EXPORTS["salesforce report"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = dealscore.Engine(as_of=ASOF).score_csv(deals, mapping=mapping,
                                                         stakeholders=stakeholders)
    texts = [str(w.message) for w in caught if w.category is dealscore.CSVWarning]
    assert len(results) == 6
    assert any("opportunities.csv lacks 26 of the 31 columns" in t for t in texts)
    assert any("report footer lines (one cell each) skipped" in t for t in texts)


def test_kinds_of_messages(tmp_path):
    deals = tmp_path / "deals.csv"
    deals.write_text("id,name\nD1,one\nGrand Totals (1 record)\n")
    people = tmp_path / "people.csv"
    people.write_text("deal_id,id,name\nD1,p1,Ann\nD9,p9,Zed\n,p0,Nobody\n")
    results, said = run_py(dealscore.Engine(as_of=ASOF), "plain", str(deals), str(people),
                           None, {})
    assert [r.id for r in results] == ["D1"]
    kinds = {}
    for kind, text in said:
        kinds.setdefault(kind, []).append(text)
    assert any("people.csv:4: no deal id in this row" in t for t in kinds["error"])
    assert any('deal "D9" is not in' in t for t in kinds["warning"])
    assert any('report footer skipped: "Grand Totals (1 record)"' in t for t in kinds["warning"])
    assert any("lacks" in t for t in kinds["note"])


def test_a_byte_order_mark_over_the_encoding(tmp_path):
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbfid,name\nD1,Caf\xc3\xa9\n")
    results, said = run_py(dealscore.Engine(as_of=ASOF), "plain", str(marked), None, None,
                           {"encoding": "cp1252"})
    assert results[0].ok and results[0].id == "D1"
    assert ("note", "note: %s begins with a UTF-8 byte order mark: read as UTF-8, not as "
            "--encoding cp1252" % marked) in said


@pytest.mark.parametrize("kw, words", [
    ({"mapping": "no_such_mapping"}, "no_such_mapping.json"),
    ({"stakeholders": "/nonexistent/people.csv"}, "/nonexistent/people.csv"),
    ({"delimiter": "xy"}, "delimiter takes one of"),
    ({"encoding": "no-such-encoding"}, "iconv does not know 'no-such-encoding'"),
    ({"date_format": "YY"}, "'YY' is not a date format"),
    ({"decimal": ",", "thousands": ","}, "the same character"),
])
def test_setup_errors_raise(kw, words):
    deals = EXPORTS["hubspot"][1]
    with pytest.raises(dealscore.SetupError, match=words.replace("(", r"\(").replace(".", r"\.")):
        dealscore.Engine().score_csv(deals, messages=lambda k, t: None, **kw)


def test_missing_deals_file_raises():
    with pytest.raises(dealscore.SetupError, match="/nonexistent/deals.csv"):
        dealscore.Engine().score_csv("/nonexistent/deals.csv", messages=lambda k, t: None)
