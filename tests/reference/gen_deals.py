#!/usr/bin/env python3
"""Random deal generator for cross-checking dealscore against the reference model.

Usage: python3 gen_deals.py --seed N --count N [--invalid-share 0.1]
                           [--closed-share 0.6 [--outcome-rule people] [--noise 0.1]]

Writes JSONL deals to stdout.  Deterministic for a seed.  Deals come in three profiles:
"strong" (biased towards pursue), "weak" (biased towards walk_away) and "random"
(everything varies, including missing optional fields, all relationship types, stale
contacts, overrides, custom keys).  With --invalid-share, that share of deals carries
exactly one deliberate input error of a random kind at a random path.

With --thin-share, that share of deals is thinned out the way real CRM exports are
(see Thinner): "crm" deals keep only what a vanilla Salesforce or HubSpot export has
(names, titles, roles, functions, levels, contact dates), some marked as inferred;
"sparse" deals lose a random share of their judgement fields, so coverage falls
around and below coverage_min (0.3).  Thinning uses its own random stream: without
the option, output is unchanged.

With --closed-share, deals get outcomes for `dealscore backtest`: that share is
closed, won or lost as drawn from a hidden rule (see OUTCOME_RULES), and every other
deal is given an open stage.  Outcomes use their own random stream, so the deals
themselves are the same as without the option, and output without it is unchanged.
"""

import argparse
import datetime
import json
import math
import sys
import random

STAGES = ["prospect", "discovery", "qualification", "proposal", "negotiation",
          "closed_won", "closed_lost"]
FUNCTIONS = ["business", "exec", "it", "user", "finance", "procurement", "legal", "other"]
LEVELS = ["c_level", "vp", "director", "head", "manager", "individual"]
ROLES = ["economic_buyer", "champion", "sponsor", "influencer", "it_strategic",
         "it_operations", "end_user", "blocker", "coach"]
REL_TYPES = ["influences", "reports_to", "trusts", "peer", "conflict"]
CURRENCIES = ["EUR", "USD", "GBP", "CHF"]
FIRST_NAMES = ["Ana", "Bo", "Chen", "Dana", "Eli", "Fatou", "Gus", "Hana", "Ivo", "Jo",
               "Kemal", "Lea", "Mo", "Nia", "Ola", "Pia", "Zoë", "Søren"]
TITLES = ["CIO", "CFO", "VP Sales", "Head of Data", "IT Ops Lead", "Analyst", "COO",
          "Director Finance", "Procurement Manager", "Counsel", "Team Lead"]

# Placeholders replaced in the serialised text by non-finite/huge number literals.
HUGE = "__HUGE_NUMBER__"
NEG_HUGE = "__NEG_HUGE_NUMBER__"

# Numeric fields and their valid ranges (lo, hi); used for valid values and for errors.
SOLUTION_NUMS = {
    "capability": (0, 1), "strategic": (0, 1), "it_workload": (-1, 1), "it_career": (0, 1),
    "in_house_alternative": (0, 1), "data_readiness": (0, 1), "security_risk": (0, 1),
    "user_change": (0, 1), "user_transparency": (0, 1), "user_benefit": (0, 1),
}
SOLUTION_BOOLS = ["for_it", "it_burden_framed", "users_consulted", "prototype"]
STAKEHOLDER_NUMS = {
    "influence": (0, 1), "stance": (-1, 1), "ai_interest": (0, 1), "burden": (0, 1),
    "credibility_threat": (0, 1), "expectation_gap": (0, 1),
}


def _clamp_stance(v):
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def people_rule(d):
    """The hidden rule "people": a convinced champion (of capability or strategy, not
    only of numbers), a decision maker who is for it, and data that is ready.  The
    default policy knows the first two in part; nothing in it weighs data readiness
    this much.  Returns h in [0, 1]."""
    people = d.get("stakeholders") or []
    champion = any("champion" in (s.get("roles") or [])
                   and ((s.get("convinced") or {}).get("capability") is True
                        or (s.get("convinced") or {}).get("strategic") is True)
                   for s in people if isinstance(s, dict))
    buyer_stance = max([max(0.0, _clamp_stance(s.get("stance", 0.0))) for s in people
                        if isinstance(s, dict) and (s.get("can_buy") is True
                                                    or "economic_buyer" in (s.get("roles") or []))]
                       or [0.0])
    sol = d.get("solution") if isinstance(d.get("solution"), dict) else {}
    ready = sol.get("data_readiness", 0.5)
    ready = ready if isinstance(ready, (int, float)) and not isinstance(ready, bool) else 0.5
    return 0.4 * champion + 0.3 * buyer_stance + 0.3 * ready


# name -> (h(deal) in [0,1], P(won) before noise as a function of h)
OUTCOME_RULES = {
    "people": (people_rule, lambda h: 1 / (1 + math.exp(-10 * (h - 0.45)))),
    "coin": (lambda d: 0.0, lambda h: 0.4),  # no signal at all: every AUC is near 0.5
}
OPEN_STAGES = STAGES[:5]


def draw_outcome(d, rng, closed_share, rule, noise):
    """Sets d["stage"]: open, or closed_won/closed_lost from the hidden rule; with
    probability `noise` a closed outcome is flipped (so P(won) = noise + (1 - 2 noise)
    x rule)."""
    if rng.random() >= closed_share:
        d["stage"] = rng.choice(OPEN_STAGES)
        return
    h_of, p_of = OUTCOME_RULES[rule]
    won = rng.random() < p_of(h_of(d))
    if rng.random() < noise:
        won = not won
    d["stage"] = "closed_won" if won else "closed_lost"


def r2(x):
    return round(x, 3)


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed

    # ------------------------------------------------------------------ helpers
    def chance(self, p):
        return self.rng.random() < p

    def u(self, lo=0.0, hi=1.0):
        return r2(self.rng.uniform(lo, hi))

    def date(self, d):
        return d.isoformat()

    # ------------------------------------------------------------------ solution
    def solution(self, profile):
        rng = self.rng
        sol = {}
        p_given = {"strong": 0.95, "weak": 0.8, "random": 0.65}[profile]
        if profile == "strong":
            vals = {"capability": self.u(0.75, 1), "strategic": self.u(0.75, 1),
                    "it_workload": self.u(-1, -0.3), "it_career": self.u(0.5, 1),
                    "in_house_alternative": self.u(0, 0.3), "data_readiness": self.u(0.7, 1),
                    "security_risk": self.u(0, 0.2), "user_change": self.u(0, 0.4),
                    "user_transparency": self.u(0, 0.3), "user_benefit": self.u(0.6, 1)}
            bools = {"for_it": self.chance(0.2), "it_burden_framed": self.chance(0.8),
                     "users_consulted": self.chance(0.85), "prototype": self.chance(0.6)}
        elif profile == "weak":
            vals = {"capability": self.u(0, 0.4), "strategic": self.u(0, 0.4),
                    "it_workload": self.u(0, 1), "it_career": self.u(0, 0.3),
                    "in_house_alternative": self.u(0.5, 1), "data_readiness": self.u(0, 0.4),
                    "security_risk": self.u(0.5, 1), "user_change": self.u(0.5, 1),
                    "user_transparency": self.u(0.5, 1), "user_benefit": self.u(0, 0.4)}
            bools = {k: self.chance(0.2) for k in SOLUTION_BOOLS}
        else:
            vals = {k: self.u(lo, hi) for k, (lo, hi) in SOLUTION_NUMS.items()}
            if self.chance(0.1):  # integer edge values
                vals[rng.choice(list(vals))] = rng.choice([0, 1])
            bools = {k: self.chance(0.5) for k in SOLUTION_BOOLS}
        keys = ["for_it", "capability", "strategic", "measurable", "it_workload",
                "it_burden_framed", "it_career", "in_house_alternative", "data_readiness",
                "security_risk", "user_change", "user_transparency", "user_benefit",
                "users_consulted", "prototype"]
        for k in keys:
            if k == "measurable":
                m = self.measurable(profile)
                if m is not None:
                    sol[k] = m
            elif self.chance(p_given):
                sol[k] = vals[k] if k in vals else bools[k]
        if self.chance(0.1):
            sol["x_notes"] = "custom solution key"
        return sol

    def measurable(self, profile):
        rng = self.rng
        if profile == "strong":
            cost = rng.choice([50000, 120000, 300000])
            m = {"annual_benefit": cost * self.u(1.5, 4), "cost": cost,
                 "payback_months": rng.choice([0, 6, 9, 12, 18, 24]),
                 "confidence": self.u(0.8, 1)}
            if self.chance(0.2):
                del m["payback_months"]
            return m
        r = rng.random()
        if r < 0.25:
            return None  # absent
        cost = rng.choice([1, 1000, 25000, 80000, 250000, 0.5])
        m = {"annual_benefit": rng.choice([0, cost * self.u(0, 0.3), cost * self.u(0.3, 1),
                                           cost * self.u(1, 5)]),
             "cost": cost,
             "payback_months": rng.choice([0, 3, 12, 24, 36, 60, 120, self.u(1, 48)]),
             "confidence": self.u(0, 1)}
        if r < 0.5:  # partial
            for k in list(m):
                if self.chance(0.4):
                    del m[k]
        if self.chance(0.05):
            m["basis"] = "customer estimate"
        return m

    # ------------------------------------------------------------------ stakeholders
    def stakeholder(self, sid, profile, as_of, archetype=None):
        rng = self.rng
        s = {"id": sid}
        p_given = {"strong": 0.9, "weak": 0.75, "random": 0.6}[profile]
        if self.chance(0.7):
            s["name"] = rng.choice(FIRST_NAMES) + " " + rng.choice("ABCDEFGHKLMNOPRST") + "."
        if self.chance(0.4):
            s["title"] = rng.choice(TITLES)

        function = rng.choice(FUNCTIONS)
        level = rng.choice(LEVELS)
        roles = rng.sample(ROLES, rng.choice([0, 1, 1, 1, 2, 2, 3]))
        can_buy = self.chance(0.25)
        stance = self.u(-1, 1)
        influence = self.u(0, 1)
        benefits = {"work": self.u(0, 1), "career": self.u(0, 1)}
        convinced = {k: self.chance(0.4) for k in ("capability", "strategic", "measurable")}
        ai = self.u(0, 1)
        if archetype == "buyer":
            function = rng.choice(["business", "exec", "finance"])
            level = rng.choice(["c_level", "vp", "vp", "director"])
            roles = ["economic_buyer"] + (["champion"] if self.chance(0.5) else [])
            can_buy = True
        elif archetype == "champion":
            function = rng.choice(["business", "exec"])
            level = rng.choice(["vp", "director", "head"])
            roles = ["champion"] + (["sponsor"] if self.chance(0.3) else [])
            can_buy = self.chance(0.4)
        elif archetype == "it_champion":
            function = "it"
            level = rng.choice(["c_level", "vp", "director", "head"])
            roles = ["it_strategic"]
            ai = self.u(0.7, 1)
        elif archetype == "user":
            function = "user"
            level = rng.choice(["manager", "individual"])
            roles = rng.choice([["end_user"], ["end_user", "influencer"], ["champion"], []])
            can_buy = False
        elif archetype == "blocker":
            roles = ["blocker"] + (["it_operations"] if self.chance(0.5) else [])
            influence = self.u(0.6, 1)
            stance = self.u(-1, -0.3)

        if profile == "strong" and archetype is not None and archetype != "blocker":
            stance = self.u(0.5, 1)
            influence = self.u(0.6, 1)
            benefits = {"work": self.u(0.4, 1), "career": self.u(0.3, 1)}
            convinced = {"capability": self.chance(0.95), "strategic": self.chance(0.95),
                         "measurable": self.chance(0.9)}
        elif profile == "weak":
            stance = self.u(-1, 0.2)
            benefits = {"work": self.u(0, 0.3), "career": self.u(0, 0.3)}
            convinced = {k: self.chance(0.15) for k in convinced}

        if self.chance(0.9) or archetype:
            s["function"] = function
        if self.chance(0.85) or archetype:
            s["level"] = level
        if roles or self.chance(0.3):
            s["roles"] = roles
        if can_buy or self.chance(0.3):
            s["can_buy"] = can_buy
        if self.chance(p_given):
            s["influence"] = influence
        if self.chance(p_given):
            s["stance"] = stance
        if self.chance(p_given):
            b = {k: v for k, v in benefits.items() if self.chance(0.85)}
            s["benefits"] = b
        if self.chance(p_given):
            c = {k: v for k, v in convinced.items() if self.chance(0.85) or v}
            s["convinced"] = c
        if self.chance(p_given):
            s["ai_interest"] = ai
        if self.chance(p_given):
            s["burden"] = self.u(0, 0.4) if profile == "strong" else self.u(0, 1)
        if self.chance(p_given):
            s["credibility_threat"] = self.u(0, 0.2) if profile == "strong" else self.u(0, 1)

        # contacts: first_contact before last_contact; sometimes stale, sometimes future
        if self.chance(0.75):
            first = as_of - datetime.timedelta(days=rng.randint(0, 500))
            s["first_contact"] = self.date(first)
            if self.chance(0.85):
                if profile == "strong":
                    last = as_of - datetime.timedelta(days=rng.randint(0, 40))
                else:
                    span = max(0, (as_of - first).days)
                    last = first + datetime.timedelta(days=rng.randint(0, span))
                    if self.chance(0.08):
                        last = as_of + datetime.timedelta(days=rng.randint(1, 30))
                s["last_contact"] = self.date(last)
        elif self.chance(0.2):
            s["last_contact"] = self.date(as_of - datetime.timedelta(days=rng.randint(0, 300)))
        if self.chance(0.3):
            s["expectation_gap"] = self.u(0, 0.4) if profile == "strong" else self.u(0, 1)
        if self.chance(0.08):
            s["x_crm_id"] = rng.randint(1, 99999)
        return s

    def stakeholder_ids(self, n):
        rng = self.rng
        style = rng.random()
        if style < 0.7:
            return ["s%d" % (i + 1) for i in range(n)]
        if style < 0.9:
            names = rng.sample(["ana", "bo", "chen", "dana", "eli", "fatou", "gus", "hana",
                                "ivo", "jo", "kemal", "lea", "mo", "nia"], n)
            return [x + "." + rng.choice("abcdefgh") for x in names]
        return ["p-%03d" % rng.randint(i * 50, i * 50 + 49) for i in range(n)]

    # ------------------------------------------------------------------ relationships
    def relationships(self, ids, stakeholders, profile):
        rng = self.rng
        rels = []
        n = len(ids)
        if n < 2:
            return rels
        count = rng.randint(0, min(3 * n, 20))
        for _ in range(count):
            a, b = rng.sample(ids, 2)
            rels.append(self.relationship(a, b, rng.choice(REL_TYPES)))
            if self.chance(0.12):  # several relationships between one pair
                x, y = rng.sample([a, b], 2)
                rels.append(self.relationship(x, y, rng.choice(REL_TYPES)))
        if profile == "strong":
            roles = {s["id"]: set(s.get("roles", [])) for s in stakeholders}
            func = {s["id"]: s.get("function") for s in stakeholders}
            buyers = [s["id"] for s in stakeholders
                      if s.get("can_buy") or "economic_buyer" in roles[s["id"]]]
            its = [s["id"] for s in stakeholders
                   if func[s["id"]] == "it" or roles[s["id"]] & {"it_strategic", "it_operations"}]
            champs = [s["id"] for s in stakeholders if "champion" in roles[s["id"]]]
            for t in its:
                for d in buyers:
                    if t != d:
                        rels.append({"from": t, "to": d, "type": "trusts",
                                     "strength": self.u(0.8, 1)})
            for h in champs:
                for d in buyers:
                    if h != d:
                        rels.append({"from": h, "to": d, "type": rng.choice(["peer", "trusts"]),
                                     "strength": self.u(0.8, 1)})
            for d in buyers:
                others = [x for x in ids if x != d]
                for o in rng.sample(others, min(2, len(others))):
                    rels.append({"from": d, "to": o, "type": "influences",
                                 "strength": self.u(0.6, 1)})
        if self.chance(0.1):  # peer and conflict of the same strength cancel out
            a, b = rng.sample(ids, 2)
            w = rng.choice([0.4, 0.6, 0.8])
            rels.append({"from": a, "to": b, "type": "peer", "strength": w})
            rels.append({"from": a, "to": b, "type": "conflict", "strength": w / 2})
        rng.shuffle(rels)
        return rels

    def relationship(self, a, b, t):
        r = {"from": a, "to": b, "type": t}
        if self.chance(0.8):
            r["strength"] = self.rng.choice([self.u(0, 1), self.u(0, 1), self.u(0, 1), 0, 1])
        if self.chance(0.03):
            r["note"] = "met at offsite"
        return r

    # ------------------------------------------------------------------ deal
    def deal(self, deal_id):
        rng = self.rng
        p = rng.random()
        profile = "strong" if p < 0.3 else ("weak" if p < 0.45 else "random")
        as_of = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 900))
        d = {"id": deal_id}
        if self.chance(0.8):
            d["name"] = "Deal %s" % deal_id
        if self.chance(0.6):
            d["account"] = rng.choice(["Acme", "Globex", "Initech", "Umbrella", "Müller AG"])
        if self.chance(0.5):
            d["currency"] = rng.choice(CURRENCIES)
        if self.chance(0.7):
            d["stage"] = rng.choice(STAGES)
        if self.chance(0.6):
            d["amount"] = rng.choice([0, rng.randint(1000, 2000000), self.u(0, 1e6)])
        if self.chance(0.5):
            d["close_date"] = self.date(as_of + datetime.timedelta(days=rng.randint(-30, 200)))
        if self.chance(0.6):
            d["as_of"] = self.date(as_of)
        if self.chance(0.95):
            d["solution"] = self.solution(profile)

        if profile == "strong":
            n = rng.randint(3, 8)
        else:
            n = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12])
        ids = self.stakeholder_ids(n)
        archetypes = [None] * n
        if profile == "strong":
            plan = ["buyer", "champion", "it_champion", "user"]
            for i in range(min(n, len(plan))):
                archetypes[i] = plan[i]
            if n >= 4:
                rng.shuffle(archetypes)
            if n >= 3 and self.chance(0.15):  # no IT mapped even in a strong deal
                archetypes = [a if a != "it_champion" else None for a in archetypes]
        elif profile == "weak" and n and self.chance(0.6):
            archetypes[rng.randrange(n)] = "blocker"
        elif n:
            for i in range(n):
                if self.chance(0.25):
                    archetypes[i] = rng.choice(["buyer", "champion", "it_champion", "user",
                                                "blocker"])
        stakeholders = [self.stakeholder(ids[i], profile, as_of, archetypes[i])
                        for i in range(n)]
        if profile == "strong":
            # keep the strong deal clean of stray IT/users that would add friction
            for i, s in enumerate(stakeholders):
                if archetypes[i] is None:
                    s["function"] = rng.choice(["business", "exec", "finance"])
                    s["roles"] = [r for r in s.get("roles", [])
                                  if r not in ("blocker", "it_operations", "it_strategic",
                                               "end_user")]
                    s["stance"] = self.u(0.2, 1)
        if stakeholders or self.chance(0.5):
            d["stakeholders"] = stakeholders
        rels = self.relationships(ids, stakeholders, profile)
        if rels or self.chance(0.4):
            d["relationships"] = rels
        if self.chance(0.06):
            d["override"] = {"viability": rng.choice([0, 100, 50, self.u(0, 100)]),
                             "by": "sales director"}
        elif self.chance(0.02):
            d["override"] = {"by": "no value given"}
        if self.chance(0.12):
            d["x_custom"] = {"region": rng.choice(["EMEA", "NA", "APAC"]),
                             "tags": ["ai", "pilot"]}
        return d

    # ------------------------------------------------------------------ errors
    def inject_error(self, d, valid_ids):
        """Mutate deal d to carry exactly one error.  Returns a JSON text or None (use d)."""
        rng = self.rng
        kinds = ["bad_type", "bad_type", "bad_type", "missing_field", "out_of_range",
                 "out_of_range", "bad_enum", "bad_date", "duplicate_id", "unknown_id",
                 "self_relationship", "bad_json", "repeat_deal_id"]
        kind = rng.choice(kinds)
        if kind == "repeat_deal_id" and not valid_ids:
            kind = "bad_type"
        return getattr(self, "err_" + kind)(d, valid_ids)

    def slots(self, d):
        """All value slots of the deal: (container, key, path, kind)."""
        out = []
        for k, kind in (("id", "str"), ("name", "str"), ("account", "str"),
                        ("currency", "str"), ("stage", "enum"), ("amount", "nonneg"),
                        ("close_date", "date"), ("as_of", "date")):
            out.append((d, k, "$." + k, kind))
        sol = d.get("solution")
        if sol is not None:
            out.append((d, "solution", "$.solution", "obj"))
            for k, (lo, hi) in SOLUTION_NUMS.items():
                out.append((sol, k, "$.solution." + k, "signed" if lo < 0 else "unit"))
            for k in SOLUTION_BOOLS:
                out.append((sol, k, "$.solution." + k, "bool"))
            m = sol.get("measurable")
            if m is not None:
                out.append((sol, "measurable", "$.solution.measurable", "obj"))
                for k, kind in (("annual_benefit", "nonneg"), ("cost", "pos"),
                                ("payback_months", "nonneg"), ("confidence", "unit")):
                    out.append((m, k, "$.solution.measurable." + k, kind))
        sts = d.get("stakeholders")
        if sts is not None:
            out.append((d, "stakeholders", "$.stakeholders", "arr"))
            for i, s in enumerate(sts):
                p = "$.stakeholders[%d]" % i
                out.append((sts, i, p, "obj"))
                for k, kind in (("id", "str"), ("name", "str"), ("title", "str"),
                                ("function", "enum"), ("level", "enum"),
                                ("roles", "arr"), ("can_buy", "bool"),
                                ("first_contact", "date"), ("last_contact", "date")):
                    out.append((s, k, p + "." + k, kind))
                for k, (lo, hi) in STAKEHOLDER_NUMS.items():
                    out.append((s, k, p + "." + k, "signed" if lo < 0 else "unit"))
                for j, _ in enumerate(s.get("roles", [])):
                    out.append((s["roles"], j, "%s.roles[%d]" % (p, j), "enum"))
                if "benefits" in s:
                    out.append((s, "benefits", p + ".benefits", "obj"))
                    for k in ("work", "career"):
                        out.append((s["benefits"], k, p + ".benefits." + k, "unit"))
                if "convinced" in s:
                    out.append((s, "convinced", p + ".convinced", "obj"))
                    for k in ("capability", "strategic", "measurable"):
                        out.append((s["convinced"], k, p + ".convinced." + k, "bool"))
        rels = d.get("relationships")
        if rels is not None:
            out.append((d, "relationships", "$.relationships", "arr"))
            for k, r in enumerate(rels):
                p = "$.relationships[%d]" % k
                out.append((rels, k, p, "obj"))
                for f in ("from", "to"):
                    out.append((r, f, p + "." + f, "str"))
                out.append((r, "type", p + ".type", "enum"))
                out.append((r, "strength", p + ".strength", "unit"))
        ov = d.get("override")
        if ov is not None:
            out.append((d, "override", "$.override", "obj"))
            out.append((ov, "viability", "$.override.viability", "pct"))
        return out

    def set_slot(self, container, key, value):
        container[key] = value

    def err_bad_type(self, d, valid_ids):
        rng = self.rng
        if self.chance(0.04):
            return json.dumps(rng.choice([[d], "deal", 42, None, True]))
        slot = rng.choice(self.slots(d))
        container, key, _, kind = slot
        wrong = {
            "str": [None, 5, True, ["x"], {"a": 1}],
            "enum": [None, 3, False, ["prospect"]],
            "date": [None, 20240101, True, {}],
            "bool": [None, 1, 0, "true", [True]],
            "unit": [None, True, False, "0.5", [0.5], {}],
            "signed": [None, True, "-0.5"],
            "nonneg": [None, "100", False],
            "pos": [None, True, "10"],
            "pct": [None, "50", True],
            "obj": [None, [], "x", 1, True],
            "arr": [None, {}, "a,b", 0],
        }[kind]
        self.set_slot(container, key, rng.choice(wrong))
        return None

    def err_missing_field(self, d, valid_ids):
        rng = self.rng
        choices = [(d, "id")]
        for s in d.get("stakeholders", []):
            choices.append((s, "id"))
        for r in d.get("relationships", []):
            choices += [(r, "from"), (r, "to"), (r, "type")]
        container, key = rng.choice(choices)
        del container[key]
        return None

    def err_out_of_range(self, d, valid_ids):
        rng = self.rng
        nums = [s for s in self.slots(d) if s[3] in ("unit", "signed", "nonneg", "pos", "pct")]
        container, key, _, kind = rng.choice(nums)
        bad = {
            "unit": [1.5, -0.1, 2, -1, 1.0000001, HUGE],
            "signed": [1.2, -1.01, 3, NEG_HUGE],
            "nonneg": [-1, -0.001, HUGE],
            "pos": [0, -5, 0.0, HUGE],
            "pct": [100.5, -1, 1000, HUGE],
        }[kind]
        self.set_slot(container, key, rng.choice(bad))
        return None

    def err_bad_enum(self, d, valid_ids):
        rng = self.rng
        enums = [s for s in self.slots(d) if s[3] == "enum"]
        container, key, path, _ = rng.choice(enums)
        self.set_slot(container, key, rng.choice(["", "Prospect", "ceo", "boss", "friend",
                                                  "it ", "unknown", "c-level"]))
        return None

    def err_bad_date(self, d, valid_ids):
        rng = self.rng
        dates = [s for s in self.slots(d) if s[3] == "date"]
        container, key, _, _ = rng.choice(dates)
        self.set_slot(container, key, rng.choice(
            ["2023-02-29", "2024-13-01", "2024-04-31", "2024/01/05", "2024-1-5", "20240105",
             "", "yesterday", "2024-01-05T10:00:00", " 2024-01-05", "2024-00-10"]))
        return None

    def ensure_stakeholders(self, d, k):
        sts = d.setdefault("stakeholders", [])
        while len(sts) < k:
            existing = {s["id"] for s in sts}
            i = len(sts) + 1
            while "s%d" % i in existing:
                i += 1
            sts.append({"id": "s%d" % i})
        return sts

    def err_duplicate_id(self, d, valid_ids):
        rng = self.rng
        sts = self.ensure_stakeholders(d, 2)
        i, j = sorted(rng.sample(range(len(sts)), 2))
        old = sts[j]["id"]
        sts[j]["id"] = sts[i]["id"]
        # relationships that named the renamed stakeholder now name the survivor
        for r in d.get("relationships", []):
            for f in ("from", "to"):
                if r[f] == old:
                    r[f] = sts[i]["id"]
        d["relationships"] = [r for r in d.get("relationships", []) if r["from"] != r["to"]]
        return None

    def err_unknown_id(self, d, valid_ids):
        rng = self.rng
        sts = self.ensure_stakeholders(d, 1)
        rels = d.setdefault("relationships", [])
        if not rels or self.chance(0.3):
            a = rng.choice(sts)["id"]
            rels.insert(rng.randint(0, len(rels)), {"from": a, "to": "ghost", "type": "peer"})
        else:
            r = rng.choice(rels)
            r[rng.choice(["from", "to"])] = rng.choice(["ghost", "S1", "nobody", ""])
        return None

    def err_self_relationship(self, d, valid_ids):
        rng = self.rng
        sts = self.ensure_stakeholders(d, 1)
        rels = d.setdefault("relationships", [])
        a = rng.choice(sts)["id"]
        rels.insert(rng.randint(0, len(rels)),
                    {"from": a, "to": a, "type": rng.choice(REL_TYPES), "strength": 0.5})
        return None

    def err_bad_json(self, d, valid_ids):
        rng = self.rng
        text = json.dumps(d, ensure_ascii=False)
        mode = rng.randrange(6)
        if mode == 0:
            return text[: rng.randint(1, max(1, len(text) - 1))]
        if mode == 1:
            return text[:-1] + ',}'
        if mode == 2:
            return text.replace('"id":', '"id" ', 1)
        if mode == 3:
            return '{"id": "%s", "amount": NaN}' % d["id"]
        if mode == 4:
            return '{"id": "%s", "solution": {"capability": Infinity}}' % d["id"]
        return "{'id': '%s'}" % d["id"]

    def err_repeat_deal_id(self, d, valid_ids):
        d["id"] = self.rng.choice(valid_ids)
        return None


COUNTED_SOLUTION = list(SOLUTION_NUMS) + SOLUTION_BOOLS
COUNTED_STAKEHOLDER = ["influence", "stance", "ai_interest", "burden", "credibility_threat"]
CRM_STAKEHOLDER_KEYS = ("id", "name", "title", "function", "level", "roles", "can_buy",
                        "first_contact", "last_contact")
CRM_ROLE_LABELS = ["Decision Maker", "Economic Buyer", "Evaluator", "Influencer",
                   "Technical Buyer", "Business User", "Executive Sponsor", "Other"]


class Thinner:
    """Thins deals out like real CRM exports, from its own random stream."""

    def __init__(self, seed, share):
        self.rng = random.Random("thin:%d" % seed)
        self.share = share

    def chance(self, p):
        return self.rng.random() < p

    def apply(self, d):
        if self.rng.random() >= self.share:
            return
        if self.chance(0.4):
            self.crm(d)
        else:
            self.sparse(d, self.rng.uniform(0.1, 0.6))
        d["_thin"] = True  # removed before output; marks deals bad_inferred may spoil

    def title_source(self, s):
        if "title" in s:
            return 'title "%s"' % s["title"]
        return self.rng.choice(["Department", "Contact Role \"%s\"" % self.rng.choice(
            CRM_ROLE_LABELS), ""])

    def crm(self, d):
        """What a vanilla export knows: people, titles, roles, dates; no judgements."""
        rng = self.rng
        sol = d.get("solution")
        if isinstance(sol, dict) and self.chance(0.3):
            kept = {k: sol[k] for k in sol if k in ("for_it", "capability") and self.chance(0.5)}
            d["solution"] = kept
            if "capability" in kept and self.chance(0.5):
                kept["inferred"] = {"capability": "Identified Pain"}
        else:
            d.pop("solution", None)
        for s in d.get("stakeholders", []):
            for k in list(s):
                if k not in CRM_STAKEHOLDER_KEYS:
                    del s[k]
            inferred = {}
            for k in ("function", "level"):
                if k in s and self.chance(0.6):
                    inferred[k] = self.title_source(s)
            if "last_contact" in s and self.chance(0.5):
                inferred["last_contact"] = rng.choice(["Last Activity", "LastActivityDate",
                                                       "Last Modified Date"])
            if self.chance(0.1):
                s["stance"] = round(rng.uniform(0, 0.5), 3)
                inferred["stance"] = 'Contact Role "%s"' % rng.choice(CRM_ROLE_LABELS)
            if inferred:
                s["inferred"] = inferred
        if self.chance(0.6):
            d.pop("relationships", None)
        if self.chance(0.3):
            d.pop("as_of", None)

    def sparse(self, d, keep):
        """Each counted field kept with probability keep; some kept ones inferred."""
        sol = d.get("solution")
        if isinstance(sol, dict):
            for k in COUNTED_SOLUTION:
                if k in sol and not self.chance(keep):
                    del sol[k]
            meas = sol.get("measurable")
            if isinstance(meas, dict):
                for k in list(meas):
                    if not self.chance(keep):
                        del meas[k]
            present = [k for k in COUNTED_SOLUTION if k in sol]
            if present and self.chance(0.2):
                sol["inferred"] = {k: "Opportunity field %s" % k
                                   for k in self.rng.sample(present, min(2, len(present)))}
        for s in d.get("stakeholders", []):
            for k in COUNTED_STAKEHOLDER:
                if k in s and not self.chance(keep):
                    del s[k]
            for group in ("benefits", "convinced"):
                inner = s.get(group)
                if isinstance(inner, dict):
                    for k in list(inner):
                        if not self.chance(keep):
                            del inner[k]
                    if not inner and self.chance(0.5):
                        del s[group]
            present = [k for k in COUNTED_STAKEHOLDER if k in s]
            present += ["%s.%s" % (g, k) for g in ("benefits", "convinced")
                        for k in (s.get(g) or {})]
            if present and self.chance(0.25):
                picked = self.rng.sample(present, self.rng.randint(1, min(3, len(present))))
                s["inferred"] = {k: self.title_source(s) for k in picked}

    def bad_inferred(self, d):
        """One malformed "inferred" object: not an object, a source that is not a
        string, or a field that cannot be inferred."""
        rng = self.rng
        people = d.get("stakeholders") or []
        if people and self.chance(0.7):
            owner = rng.choice(people)
        else:
            owner = d.setdefault("solution", {})
        mode = rng.randrange(3)
        if mode == 0:
            owner["inferred"] = rng.choice([["function"], "title", 1, None])
        elif mode == 1:
            owner.setdefault("inferred", {})["level"] = rng.choice([None, 3, True, ["x"]])
        else:
            owner.setdefault("inferred", {})[rng.choice(["id", "cost", "funtion", "Title"])] = "x"


def serialise(d):
    text = json.dumps(d, ensure_ascii=False)
    return text.replace('"%s"' % HUGE, "1e400").replace('"%s"' % NEG_HUGE, "-1e400")


def main():
    ap = argparse.ArgumentParser(description="generate random dealscore deals (JSONL)")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--invalid-share", type=float, default=0.0)
    ap.add_argument("--thin-share", type=float, default=0.0,
                    help="share of deals thinned out like a vanilla CRM export")
    ap.add_argument("--closed-share", type=float, default=None,
                    help="share of closed deals, won or lost by the hidden rule")
    ap.add_argument("--outcome-rule", choices=sorted(OUTCOME_RULES), default="people")
    ap.add_argument("--noise", type=float, default=0.1,
                    help="probability that a closed deal's outcome is flipped")
    args = ap.parse_args()
    g = Gen(args.seed)
    outcomes = random.Random("outcomes:%d" % args.seed)
    thinner = Thinner(args.seed, args.thin_share) if args.thin_share > 0 else None
    valid_ids = []
    out = sys.stdout.buffer
    for i in range(args.count):
        deal_id = "D%d-%05d" % (args.seed, i)
        if g.chance(0.03):
            deal_id += "-é✓"
        d = g.deal(deal_id)
        if args.closed_share is not None:
            draw_outcome(d, outcomes, args.closed_share, args.outcome_rule, args.noise)
        if thinner:
            thinner.apply(d)
        text = None
        thin = d.pop("_thin", False)
        if g.rng.random() < args.invalid_share:
            if thin and thinner.chance(0.2):
                thinner.bad_inferred(d)
            else:
                text = g.inject_error(d, valid_ids)
        else:
            valid_ids.append(d["id"])
        out.write(((text if text is not None else serialise(d)) + "\n").encode("utf-8"))
        if g.chance(0.01):
            out.write(b"\n")  # blank lines are skipped by the scorer
    return 0


if __name__ == "__main__":
    sys.exit(main())
