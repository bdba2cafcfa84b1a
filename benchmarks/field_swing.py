#!/usr/bin/env python3
"""field_swing.py DEALSCORE STAGE [PIPELINE]: which fields a CRM should add, measured.

The example pipeline (models/examples/pipeline.jsonl) is thinned out like a CRM
export: stakeholders keep id, name, title, function, level, roles, can_buy and
their dates; the solution keeps nothing (STAGE "vanilla") or only its case
(capability, strategic, measurable: STAGE "case"). For every field the thinned
deal does not give, two copies are scored, the field at the low and at the high end
of its range (the measurable case as a whole: no benefit, or 10M a year for a cost
of 1 paid back in a month); the swing is |viability(high) - viability(low)|.
Printed: each field's swings summed over the pipeline's stakeholders and divided by
the number of deals, largest first. docs/csv.md quotes the figures.
"""
import collections
import copy
import json
import os
import subprocess
import sys

DS, stage = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
pipeline = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "models", "examples", "pipeline.jsonl")
deals = [json.loads(l) for l in open(pipeline)]
SOL = {"capability": (0, 1), "strategic": (0, 1), "it_workload": (-1, 1), "it_career": (0, 1),
       "in_house_alternative": (0, 1), "data_readiness": (0, 1), "security_risk": (0, 1),
       "user_change": (0, 1), "user_transparency": (0, 1), "user_benefit": (0, 1),
       "for_it": (False, True), "it_burden_framed": (False, True), "users_consulted": (False, True),
       "prototype": (False, True)}
MEAS_LOW = {"annual_benefit": 0, "cost": 1, "payback_months": 0, "confidence": 0}
MEAS_HIGH = {"annual_benefit": 10_000_000, "cost": 1, "payback_months": 1, "confidence": 1}
ST = {"influence": (0, 1), "stance": (-1, 1), "benefits.work": (0, 1), "benefits.career": (0, 1),
      "convinced.capability": (False, True), "convinced.strategic": (False, True),
      "convinced.measurable": (False, True), "ai_interest": (0, 1), "burden": (0, 1),
      "credibility_threat": (0, 1)}
KEEP = {"id", "name", "title", "function", "level", "roles", "can_buy", "first_contact", "last_contact"}
def thin(d):
    d = copy.deepcopy(d)
    sol = d.get("solution", {})
    if stage == "vanilla": d["solution"] = {}
    else: d["solution"] = {k: sol[k] for k in ("capability", "strategic", "measurable") if k in sol}
    d["stakeholders"] = [{k: v for k, v in s.items() if k in KEEP} for s in d.get("stakeholders", [])]
    d.pop("override", None)
    return d
def setp(o, path, v):
    parts = path.split(".")
    for p in parts[:-1]: o = o.setdefault(p, {})
    o[parts[-1]] = v
lines, keys = [], []
for d in map(thin, deals):
    fields = []
    for f, (lo, hi) in SOL.items():
        if f not in d["solution"]: fields.append(("solution." + f, lambda x, v, f=f: setp(x["solution"], f, v), lo, hi))
    if "measurable" not in d["solution"]:
        fields.append(("solution.measurable", lambda x, v: x["solution"].__setitem__("measurable", v), MEAS_LOW, MEAS_HIGH))
    for i, s in enumerate(d["stakeholders"]):
        for f, (lo, hi) in ST.items():
            fields.append(("stakeholders[]." + f, lambda x, v, i=i, f=f: setp(x["stakeholders"][i], f, v), lo, hi))
    for name, fn, lo, hi in fields:
        for end, v in (("lo", lo), ("hi", hi)):
            c = copy.deepcopy(d); fn(c, v); c["id"] = "%s|%s|%s|%d" % (d["id"], name, end, len(keys)); keys.append(c["id"])
            lines.append(json.dumps(c))
out = subprocess.run([DS, "score", "-q", "-"], input="\n".join(lines) + "\n", capture_output=True, text=True).stdout
vi = {}
for l in out.splitlines():
    r = json.loads(l); vi[r["id"]] = r["scores"]["viability"] if "scores" in r else None
acc = collections.defaultdict(dict)
for k in keys:
    deal, name, end, n = k.split("|")
    acc[(deal, name)].setdefault(end, []).append(vi[k])
per = collections.defaultdict(float)
for (deal, name), e in acc.items():
    for lo, hi in zip(e["lo"], e["hi"]): per[name] += abs(hi - lo)
for name, s in sorted(per.items(), key=lambda x: -x[1]):
    print("%-32s %6.2f" % (name, s / len(deals)))
