#!/usr/bin/python3
"""Checks `dealscore score --questions` against the program itself, independently
of how the questions are computed.

Usage: check_questions.py DEALSCORE DEALS.jsonl MODEL POLICY TMPDIR

MODEL should let every question through (questions.min_swing < 0). For every deal:
- the questions are exactly the fields counted in coverage that the deal does not
  give (absent, or marked in "inferred"), the measurable case as one question;
- for each question and each of its two answers, the deal is rebuilt here with the
  answer written at the question's path and marked as inferred (so coverage stays
  that of the deal, as docs/questions.md says), scored through the program, and
  its computed viability and verdict must be the question's low/high and verdicts;
- swing is high - low, the list is sorted by swing.
Prints the failures and "N questions checked"; exits 1 on any failure.
"""
import copy
import json
import re
import subprocess
import sys

STAKEHOLDER = ["influence", "stance", "benefits.work", "benefits.career",
               "convinced.capability", "convinced.strategic", "convinced.measurable",
               "ai_interest", "burden", "credibility_threat"]
SOLUTION = ["for_it", "capability", "strategic", "measurable", "it_workload",
            "it_burden_framed", "it_career", "in_house_alternative", "data_readiness",
            "security_risk", "user_change", "user_transparency", "user_benefit",
            "users_consulted", "prototype"]
MEASURABLE = ["annual_benefit", "cost", "payback_months", "confidence"]


def member(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def given(owner, dotted):
    if not isinstance(owner, dict) or member(owner, dotted) is None:
        return False
    return dotted not in (owner.get("inferred") or {})


def expected_fields(deal):
    sol = deal.get("solution") if isinstance(deal.get("solution"), dict) else {}
    out = set()
    for key in SOLUTION:
        if key == "measurable":
            if any(not given(sol, "measurable." + k) for k in MEASURABLE):
                out.add("$.solution.measurable")
        elif not given(sol, key):
            out.add("$.solution." + key)
    for i, s in enumerate(deal.get("stakeholders") or []):
        for key in STAKEHOLDER:
            if not given(s, key):
                out.add("$.stakeholders[%d].%s" % (i, key))
    return out


def answered(deal, field, value, tag):
    """The deal with value written at field and marked as inferred."""
    d = copy.deepcopy(deal)
    d["id"] = "%s#%s" % (deal["id"], tag)
    m = re.match(r"^\$\.(solution|stakeholders\[(\d+)\])\.(.+)$", field)
    if m.group(1) == "solution":
        owner = d.setdefault("solution", {})
    else:
        owner = d["stakeholders"][int(m.group(2))]
    key = m.group(3)
    inferred = owner.setdefault("inferred", {})
    if key == "measurable":
        owner.setdefault("measurable", {}).update(value)
        for k in value:
            inferred["measurable." + k] = "question"
        return d
    head, _, tail = key.partition(".")
    if tail:
        owner.setdefault(head, {})[tail] = value
    else:
        owner[key] = value
    inferred[key] = "question"
    return d


def score(ds, args, deals, path):
    with open(path, "w") as f:
        for d in deals:
            f.write(json.dumps(d) + "\n")
    out = subprocess.run([ds, "score", "-q", "--jobs", "2"] + args + [path],
                         capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def main():
    ds, deals_path, model, policy, tmp = sys.argv[1:6]
    args = ["--model", model, "--policy", policy]
    deals = []
    for line in open(deals_path):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if isinstance(d, dict):
            deals.append(d)
    results = score(ds, args + ["--questions", "--max-questions", "1000"], deals,
                    tmp + "/q_in.jsonl")
    failures = []
    rebuilt, wanted = [], []
    for deal, res in zip(deals, results):
        if "error" in res:
            continue
        qs = res["questions"]
        fields = [q["field"] for q in qs]
        if set(fields) != expected_fields(deal) or len(fields) != len(set(fields)):
            failures.append("%s: asked %s, expected %s" % (
                deal["id"], sorted(fields), sorted(expected_fields(deal))))
        swings = [q["swing"] for q in qs]
        if swings != sorted(swings, reverse=True):
            failures.append("%s: not sorted by swing" % deal["id"])
        for k, q in enumerate(qs):
            if abs(q["high"] - q["low"] - q["swing"]) > 0.11 or q["low"] > q["high"]:
                failures.append("%s %s: low %s high %s swing %s" % (
                    deal["id"], q["field"], q["low"], q["high"], q["swing"]))
            for end in range(2):
                rebuilt.append(answered(deal, q["field"], q["answers"][end], "%d.%d" % (k, end)))
                wanted.append((deal["id"], q, end))
    rescored = score(ds, args, rebuilt, tmp + "/q_answers.jsonl") if rebuilt else []
    if len(rescored) != len(rebuilt):
        failures.append("rescoring gave %d results for %d deals" % (len(rescored), len(rebuilt)))
    for (deal_id, q, end), r in zip(wanted, rescored):
        if "error" in r:
            failures.append("%s %s answer %d: %s" % (deal_id, q["field"], end, r["error"]))
            continue
        scores = r["scores"]
        viability = scores.get("computed_viability", scores["viability"])
        expect = q["low"] if end == 0 else q["high"]
        if abs(viability - expect) > 0.05 + 1e-9 or r["verdict"] != q["verdicts"][end]:
            failures.append("%s %s answer %s: scored %s %s, question says %s %s" % (
                deal_id, q["field"], json.dumps(q["answers"][end]), viability, r["verdict"],
                expect, q["verdicts"][end]))
    for f in failures[:20]:
        print("FAIL:", f)
    print("%d questions checked, %d failures" % (len(wanted) // 2, len(failures)))
    sys.exit(1 if failures or not wanted else 0)


if __name__ == "__main__":
    main()
