#!/usr/bin/env python3
"""gen_committee.py: one deal with a committee of N members built to cost the
most graph work: every member is an IT stakeholder interested in AI, in favour,
who can buy (so each is an IT-champion candidate, a decision maker and a key
stakeholder), chained by peer ties with a few cross ties. Prints one JSON line.

    gen_committee.py N [--seed S] [--sparse]

--sparse makes only one member in ten a buyer, so the widest paths are long.
The issue's attack (a 2,000-member committee taking 20-30 s) is this shape."""
import json
import random
import sys


def committee(n, seed=1, sparse=False):
    rnd = random.Random(seed)
    people = []
    for i in range(n):
        buyer = (i % 10 == 0) if sparse else True
        people.append({
            "id": "m%05d" % i,
            "name": "Member %d" % i,
            "function": "it",
            "level": ["c_level", "vp", "director", "head", "manager"][i % 5],
            "roles": ["it_operations", "economic_buyer", "champion"] if buyer else ["it_operations", "champion"],
            "can_buy": buyer,
            "influence": round(rnd.uniform(0.1, 1.0), 3),
            "stance": round(rnd.uniform(0.2, 1.0), 3),
            "ai_interest": round(rnd.uniform(0.6, 1.0), 3),
            "burden": round(rnd.uniform(0, 1), 3),
            "first_contact": "2026-0%d-1%d" % (1 + i % 9, i % 10),
            "last_contact": "2026-11-0%d" % (1 + i % 9),
        })
    ties = []
    for i in range(1, n):
        ties.append({"from": "m%05d" % (i - 1), "to": "m%05d" % i, "type": "peer",
                     "strength": round(rnd.uniform(0.3, 1.0), 3)})
    for _ in range(n // 4):
        a, b = rnd.randrange(n), rnd.randrange(n)
        if a != b:
            ties.append({"from": "m%05d" % a, "to": "m%05d" % b,
                         "type": rnd.choice(["trusts", "influences", "reports_to", "conflict"]),
                         "strength": round(rnd.uniform(0.1, 0.9), 3)})
    return {
        "id": "committee-%d" % n, "name": "Committee of %d" % n, "stage": "proposal",
        "as_of": "2026-11-15",
        "solution": {"for_it": False, "capability": 0.7, "strategic": 0.6,
                     "measurable": {"annual_benefit": 500000, "cost": 200000,
                                    "payback_months": 9, "confidence": 0.7},
                     "it_workload": 0.2, "data_readiness": 0.6, "security_risk": 0.3,
                     "user_change": 0.3, "user_transparency": 0.2, "user_benefit": 0.6},
        "stakeholders": people, "relationships": ties,
    }


def main():
    args = sys.argv[1:]
    seed = 1
    sparse = "--sparse" in args
    if "--seed" in args:
        seed = int(args[args.index("--seed") + 1])
    n = int(args[0])
    print(json.dumps(committee(n, seed, sparse), separators=(",", ":")))


if __name__ == "__main__":
    main()
