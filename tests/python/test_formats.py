# test_formats.py: Engine.score_file reads a file as what it is (a CSV export is
# scored as CSV, never as JSONL lines that are each bad_json), or refuses it
# naming the file; a NaN or infinity in a deal given as a dict is named as such
# in the error (the engine sees null, which JSON has; the message must not say
# "got null" for a value the caller gave).
import json
import math
import os

import numpy as np
import pytest

import dealscore
from conftest import PIPELINE, SRC, cli

CRM = os.path.join(SRC, "tests", "e2e", "crm")


def lines_of(results):
    return "".join(r.json + "\n" for r in results).encode()


def test_csv_by_extension_is_scored_as_csv():
    engine = dealscore.Engine(as_of="2026-06-30")
    deals = os.path.join(CRM, "hubspot", "deals.csv")
    contacts = os.path.join(CRM, "hubspot", "contacts.csv")
    by_file = engine.score_file(deals, mapping="hubspot", stakeholders=contacts,
                                messages=lambda kind, text: None)
    by_csv = engine.score_csv(deals, mapping="hubspot", stakeholders=contacts,
                              messages=lambda kind, text: None)
    assert lines_of(by_file) == lines_of(by_csv)
    assert len(by_file) == 4 and all(r.ok for r in by_file)
    assert by_file[0].where == deals + ":2"


def test_hubspot_contacts_from_the_deals_side():
    # deals listing their Associated Contact IDs, the contacts export as contacts=:
    # the program's lines, an unknown id an error Result naming where
    deals = os.path.join(CRM, "hubspot", "deals_with_contacts.csv")
    contacts = os.path.join(CRM, "hubspot", "contacts_only.csv")
    rc, expected = cli("score", "-q", "--jobs", "1", "--as-of", "2026-06-30", "--explain",
                       "--mapping", "hubspot", "--csv", deals, "--contacts", contacts)
    results = dealscore.Engine(as_of="2026-06-30").score_file(
        deals, mapping="hubspot", contacts=contacts, explain=True,
        messages=lambda kind, text: None)
    assert rc == 0 and lines_of(results) == expected
    assert all(r.ok for r in results)
    assert [sorted(s["id"] for s in r.data["stakeholders"]) for r in results] == \
        [["51", "52", "53", "54"], ["55"], ["51", "56"], ["57"]]


def test_plain_csv_and_format_argument(tmp_path):
    engine = dealscore.Engine()
    body = "id,name,amount\nd1,One,10\nd2,Two,20\n"
    (tmp_path / "deals.csv").write_text(body)
    (tmp_path / "deals.TSV").write_text(body.replace(",", "\t"))
    (tmp_path / "export.txt").write_text(body)
    quiet = dict(messages=lambda kind, text: None)
    for name in ("deals.csv", "deals.TSV"):
        results = engine.score_file(tmp_path / name, **quiet)
        assert [r.id for r in results] == ["d1", "d2"] and all(r.ok for r in results), name
    # a .txt says nothing: refused (not read as JSONL), unless format says
    with pytest.raises(dealscore.SetupError, match=r"export\.txt: the file does not start like "
                       r"JSONL \(its first line is 'id,name,amount'\).*format=\"csv\""):
        engine.score_file(tmp_path / "export.txt")
    assert [r.id for r in engine.score_file(tmp_path / "export.txt", format="csv", **quiet)] \
        == ["d1", "d2"]
    # format= wins over the extension, both ways
    (tmp_path / "lines.csv").write_text('{"id": "j1"}\n{"id": "j2"}\n')
    assert [r.id for r in engine.score_file(tmp_path / "lines.csv", format="jsonl")] == \
        ["j1", "j2"]
    with pytest.raises(dealscore.SetupError, match="format takes \"jsonl\" or \"csv\", not 'xml'"):
        engine.score_file(tmp_path / "deals.csv", format="xml")


def test_jsonl_without_extension_and_json_extensions(tmp_path):
    engine = dealscore.Engine()
    rc, expected = cli("score", "--quiet", PIPELINE)
    data = open(PIPELINE, "rb").read()
    for name in ("pipeline", "pipeline.ndjson", "pipeline.JSONL", "pipeline.dat"):
        path = tmp_path / name
        path.write_bytes(data)
        results = engine.score_file(path)
        assert len(results) == 12 and all(r.ok for r in results), name
        assert [r.json for r in results] == expected.decode().splitlines()
    (tmp_path / "empty").write_bytes(b"")
    assert engine.score_file(tmp_path / "empty") == []
    # a JSON array export with a byte order mark: JSONL's reader, as before
    (tmp_path / "array.out").write_bytes(b'\xef\xbb\xbf [{"id": "a"}]')
    assert [r.id for r in engine.score_file(tmp_path / "array.out")] == ["a"]


def test_refused_files_name_the_file_and_the_way_out(tmp_path):
    engine = dealscore.Engine()
    for name, says in (("deals.xlsx", "Excel workbook: save the sheet as CSV"),
                       ("deals.parquet", "pandas.read_parquet"),
                       ("deals.jsonl.gz", "compressed")):
        path = tmp_path / name
        path.write_bytes(b"PK\x03\x04 not read")
        with pytest.raises(dealscore.SetupError, match=str(path).replace(".", r"\.") + ": .*" + says):
            engine.score_file(path)
    # CSV keywords on a JSONL file: refused, not ignored
    with pytest.raises(dealscore.SetupError, match=r"mapping= is for CSV files"):
        engine.score_file(PIPELINE, mapping="hubspot")
    with pytest.raises(TypeError, match="unexpected keyword argument 'mapings'"):
        engine.score_file(PIPELINE, mapings="hubspot")
    with pytest.raises(OSError):
        engine.score_file(tmp_path / "missing")


def deal(**fields):
    with open(PIPELINE) as f:
        d = json.loads(f.readline())
    d.update(fields)
    return d


@pytest.mark.parametrize("value,named", [(float("nan"), "NaN"), (math.inf, "inf"),
                                         (-math.inf, "-inf"), (np.float32("nan"), "NaN"),
                                         (np.float64("inf"), "inf")])
def test_non_finite_numbers_are_named(value, named):
    engine = dealscore.Engine()
    d = deal(amount=value)
    r = engine.score(d)
    assert not r.ok and r.error["code"] == "bad_type" and r.error["path"] == "$.amount"
    assert r.error["message"].startswith("deal: $.amount must be a number, got %s (" % named)
    assert "null" not in r.error["message"]
    assert json.loads(r.json)["error"] == r.error
    # inside a stakeholder, in a list of deals, named by where it is
    d = deal()
    d["stakeholders"] = [dict(d["stakeholders"][0], influence=value)] + d["stakeholders"][1:]
    results = engine.score([deal(id="ok"), d], source="crm")
    assert results[0].ok
    e = results[1].error
    assert e["path"] == "$.stakeholders[0].influence"
    assert e["message"].startswith("crm:2: $.stakeholders[0].influence must be a number, got "
                                   + named)


def test_nan_where_null_is_fine_and_a_real_null():
    engine = dealscore.Engine()
    # a custom field may be null: a NaN there is left as null, the deal scored
    assert engine.score(deal(segment_score=float("nan"))).ok
    # a null the caller gave is still "got null"
    r = engine.score(deal(amount=None))
    assert r.error["message"].endswith("got null")
    # a NaN somewhere, an error elsewhere: that error as it is
    r = engine.score(deal(amount=-5, segment_score=float("nan")))
    assert r.error["code"] == "out_of_range" and "NaN" not in r.error["message"]


def test_utf8_file_named_windows_1252_is_read_as_utf8(tmp_path):
    # a UTF-8 export given encoding="windows-1252" (last month's Excel setting):
    # read as UTF-8, and the CSVWarning names where and what
    path = tmp_path / "deals.csv"
    path.write_bytes("id,name\nD1,Plain\nD2,Geschäftsführer\n".encode())
    said = []
    results = dealscore.Engine().score_file(path, encoding="windows-1252",
                                            messages=lambda kind, text: said.append((kind, text)))
    assert all(r.ok for r in results)
    warnings = [t for k, t in said if k == "warning"]
    assert any(t.startswith("%s:3 column 2 (name): 'Geschäftsführer' is read as UTF-8, not as "
                            "--encoding windows-1252 (which would make it 'GeschÃ¤ftsfÃ¼hrer')"
                            % path) for t in warnings), said
