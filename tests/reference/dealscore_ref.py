#!/usr/bin/env python3
"""Independent reference implementation of the dealscore scoring model.

Derived only from shared/SCORING.md (v1.1) and docs/model.md (the choices made where
SCORING.md is silent).  Used by the tests to cross-check the C engine.

Usage: python3 dealscore_ref.py [--as-of YYYY-MM-DD] [FILE]

Reads JSONL (one deal per line, blank lines skipped) from FILE or stdin and writes one
result object per line to stdout, in input order.  Standard library only.
"""

import argparse
import json
import math
import re
import sys

# ---------------------------------------------------------------------------
# Constants (SCORING.md defaults, models/default.json)
# ---------------------------------------------------------------------------

MODEL_ID = "default@1"
POLICY_ID = "default@1"

# Section 1: enums
STAGES = ("prospect", "discovery", "qualification", "proposal", "negotiation",
          "closed_won", "closed_lost")
FUNCTIONS = ("business", "exec", "it", "user", "finance", "procurement", "legal", "other")
LEVELS = ("c_level", "vp", "director", "head", "manager", "individual")
ROLES = ("economic_buyer", "champion", "sponsor", "influencer", "it_strategic",
         "it_operations", "end_user", "blocker", "coach")
REL_TYPES = ("influences", "reports_to", "trusts", "peer", "conflict")

# Section 1: defaults for missing optional fields
DEFAULT_INFLUENCE = 0.5
DEFAULT_STANCE = 0.0
DEFAULT_BENEFIT = 0.0
DEFAULT_AI_INTEREST = 0.5
DEFAULT_BURDEN = 0.5
DEFAULT_CREDIBILITY_THREAT_IT = 0.5
DEFAULT_CREDIBILITY_THREAT_OTHER = 0.0
DEFAULT_CAPABILITY = 0.0
DEFAULT_STRATEGIC = 0.0
DEFAULT_IT_WORKLOAD = 0.0
DEFAULT_IT_CAREER = 0.0
DEFAULT_UNKNOWN = 0.5          # in_house_alternative, data_readiness, security_risk,
                               # user_change, user_transparency, user_benefit
DEFAULT_STRENGTH = 0.5         # relationship strength
DEFAULT_EXPECTATION_GAP = 0.0  # not in SCORING.md's list; missing = no gap

# Section 1 (v1.1): below this coverage, the warning low_coverage
COVERAGE_MIN = 0.3

# Section 2: the stakeholder graph
UPWARD_VOICE = 0.25
SUSCEPTIBILITY = {"c_level": 0.3, "vp": 0.4, "director": 0.5, "head": 0.5,
                  "manager": 0.6, "individual": 0.7}
SUSCEPTIBILITY_MISSING = 0.5
FJ_TOLERANCE = 1e-9
FJ_MAX_ROUNDS = 200
INFLUENCE_BLEND = 0.6
PAGERANK_DAMPING = 0.85
PAGERANK_TOLERANCE = 1e-12
PAGERANK_MAX_ROUNDS = 1000

# Section 3: engagement
STALE_HALF_LIFE_DAYS = 90.0
STALE_WARNING_DAYS = 90

# Section 3: capability ROI = 100 cap (base + conviction C_cap)
CAPABILITY_BASE = 0.4
CAPABILITY_CONVICTION = 0.6
# Section 3: strategic ROI = 100 strat (base + conviction C_strat + exec E)
STRATEGIC_BASE = 0.3
STRATEGIC_CONVICTION = 0.5
STRATEGIC_EXEC = 0.2
EXEC_LEVELS = ("c_level", "vp")
# Section 3: measurable ROI = 100 m (base + conviction C_meas)
MEASURABLE_BASE = 0.6
MEASURABLE_CONVICTION = 0.4
HORIZON_YEARS = 3.0
PAYBACK_LIMIT_MONTHS = 24.0

# Section 3: IT resistance
IT_W_THREAT = 0.30
IT_W_LOAD = 0.25
IT_W_CONCERN = 0.20
IT_W_OPPOSITION = 0.25
IT_UNMAPPED_CONCERN = 0.20
IT_CHAMPION_AI_INTEREST = 0.6
MITIGATION_IT_CHAMPION = 0.35
MITIGATION_WORKLOAD = 0.20
MITIGATION_WORKLOAD_UNFRAMED = 0.5
MITIGATION_CAREER = 0.10
MITIGATION_PUSHBACK = 0.30
PUSHBACK_THRESHOLD = 60.0
MITIGATION_CAP = 0.8
IT_FIRST_PENALTY = 0.15
IT_STRATEGIC_FIRST_BONUS = 0.10

# Section 3: user threat
USER_W_TRANSPARENCY = 0.35
USER_W_CHANGE = 0.25
USER_W_BENEFIT = 0.20
USER_W_OPPOSITION = 0.20
USERS_CONSULTED_RELIEF = 0.25
USER_CHAMPION_RELIEF = 0.15
USER_CHAMPION_STANCE = 0.3

# Section 4: default policy
VALUE_W_CAPABILITY = 0.35
VALUE_W_STRATEGIC = 0.35
VALUE_W_MEASURABLE = 0.30
FRICTION_W_IT = 0.6
FRICTION_W_USER = 0.4
FRICTION_FACTOR = 0.5
SUPPORT_BASE = 0.6
SUPPORT_PUSHBACK = 0.25
SUPPORT_CHAMPION_REACH = 0.15
NO_BUYER_CAP = 35.0
NO_CHAMPION_MULT = 0.80
SHORT_TERM_CASE_MULT = 0.85
NO_DIRECT_BENEFIT_MULT = 0.90
DIRECT_BENEFIT_THRESHOLD = 0.3
BLOCKER_MULT = 0.85
BLOCKER_MIN_INFLUENCE = 0.5
EXPECTATION_GAP_MULT = 0.90
EXPECTATION_GAP_THRESHOLD = 0.5
PROTOTYPE_MULT = 1.05
VERDICTS = ((70.0, "pursue"), (50.0, "shape"), (30.0, "at_risk"))
VERDICT_FLOOR = "walk_away"
VERDICT_LOW_COVERAGE = "insufficient_data"  # section 4, v1.1

INF = float("inf")


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

class DealError(Exception):
    """An input error (SCORING.md section 1): code, message and JSON path."""

    def __init__(self, code, message, path):
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path


# ---------------------------------------------------------------------------
# Dates (proleptic Gregorian, YYYY-MM-DD; docs/model.md "must exist in the calendar")
# ---------------------------------------------------------------------------

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in_month(y, m):
    if m == 2:
        return 29 if is_leap(y) else 28
    return 30 if m in (4, 6, 9, 11) else 31


def parse_date(s):
    """Day number of a YYYY-MM-DD string, or None when it is not a calendar date."""
    if not DATE_RE.fullmatch(s):
        return None
    y, m, d = int(s[0:4]), int(s[5:7]), int(s[8:10])
    if not 1 <= m <= 12 or not 1 <= d <= days_in_month(y, m):
        return None
    # days from civil (H. Hinnant), valid for any year
    y2 = y - 1 if m <= 2 else y
    era = y2 // 400
    yoe = y2 - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


# ---------------------------------------------------------------------------
# Validation, phase 1: the field walk (docs/model.md "Validation order")
# ---------------------------------------------------------------------------
# A spec is a tuple (kind, ...):
#   ("str",) ("bool",) ("date",) ("enum", values) ("num", lo, hi, lo_exclusive)
#   ("obj", [(key, spec, required), ...]) ("arr", item_spec)

def num(lo, hi, lo_exclusive=False):
    return ("num", lo, hi, lo_exclusive)


UNIT = num(0.0, 1.0)
SIGNED = num(-1.0, 1.0)
NONNEG = num(0.0, INF)

# docs/model.md "Inferred values": the fields an "inferred" object may name
STAKEHOLDER_INFERABLE = ("function", "level", "roles", "can_buy", "influence", "stance",
                         "benefits.work", "benefits.career", "convinced.capability",
                         "convinced.strategic", "convinced.measurable", "ai_interest",
                         "burden", "credibility_threat", "first_contact", "last_contact",
                         "expectation_gap")
SOLUTION_INFERABLE = ("for_it", "capability", "strategic", "measurable.annual_benefit",
                      "measurable.cost", "measurable.payback_months", "measurable.confidence",
                      "it_workload", "it_burden_framed", "it_career", "in_house_alternative",
                      "data_readiness", "security_risk", "user_change", "user_transparency",
                      "user_benefit", "users_consulted", "prototype")

MEASURABLE_SPEC = ("obj", [
    ("annual_benefit", NONNEG, False),
    ("cost", num(0.0, INF, True), False),
    ("payback_months", NONNEG, False),
    ("confidence", UNIT, False),
])

SOLUTION_SPEC = ("obj", [
    ("for_it", ("bool",), False),
    ("capability", UNIT, False),
    ("strategic", UNIT, False),
    ("measurable", MEASURABLE_SPEC, False),
    ("it_workload", SIGNED, False),
    ("it_burden_framed", ("bool",), False),
    ("it_career", UNIT, False),
    ("in_house_alternative", UNIT, False),
    ("data_readiness", UNIT, False),
    ("security_risk", UNIT, False),
    ("user_change", UNIT, False),
    ("user_transparency", UNIT, False),
    ("user_benefit", UNIT, False),
    ("users_consulted", ("bool",), False),
    ("prototype", ("bool",), False),
    ("inferred", ("inferred", SOLUTION_INFERABLE), False),
])

STAKEHOLDER_SPEC = ("obj", [
    ("id", ("id",), True),
    ("name", ("str",), False),
    ("title", ("str",), False),
    ("function", ("enum", FUNCTIONS), False),
    ("level", ("enum", LEVELS), False),
    ("roles", ("arr", ("enum", ROLES)), False),
    ("can_buy", ("bool",), False),
    ("influence", UNIT, False),
    ("stance", SIGNED, False),
    ("benefits", ("obj", [("work", UNIT, False), ("career", UNIT, False)]), False),
    ("convinced", ("obj", [("capability", ("bool",), False),
                           ("strategic", ("bool",), False),
                           ("measurable", ("bool",), False)]), False),
    ("ai_interest", UNIT, False),
    ("burden", UNIT, False),
    ("credibility_threat", UNIT, False),
    ("first_contact", ("date",), False),
    ("last_contact", ("date",), False),
    ("expectation_gap", UNIT, False),
    ("inferred", ("inferred", STAKEHOLDER_INFERABLE), False),
])

RELATIONSHIP_SPEC = ("obj", [
    ("from", ("id",), True),
    ("to", ("id",), True),
    ("type", ("enum", REL_TYPES), True),
    ("strength", UNIT, False),
])

DEAL_SPEC = ("obj", [
    ("id", ("id",), True),
    ("name", ("str",), False),
    ("account", ("str",), False),
    ("currency", ("str",), False),
    ("stage", ("stage",), False),
    ("amount", NONNEG, False),
    ("close_date", ("date",), False),
    ("as_of", ("date",), False),
    ("solution", SOLUTION_SPEC, False),
    ("stakeholders", ("arr", STAKEHOLDER_SPEC), False),
    ("relationships", ("arr", RELATIONSHIP_SPEC), False),
    ("override", ("obj", [("viability", num(0.0, 100.0), False)]), False),
])


def is_number(v):
    # bool is a subclass of int in Python: true/false are not numbers
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def to_float(v):
    """A JSON number as a double; integers too big for a double become infinite."""
    try:
        return float(v)
    except OverflowError:
        return INF if v > 0 else -INF


def check_value(v, spec, path):
    """Type first (null is bad_type), then range, enum or date. Returns the value
    as the engine reads it: a whole-number id as its decimal text, an enum value
    in its own case ("Champion" is champion), an unknown stage as None."""
    kind = spec[0]
    if kind == "id":
        if is_number(v) and not isinstance(v, str):
            x = to_float(v)
            if math.isfinite(x) and x == math.floor(x) and abs(x) <= 2.0 ** 53:
                return "%d" % int(x)
            raise DealError("bad_type", "expected a string or a whole number", path)
        if not isinstance(v, str):
            raise DealError("bad_type", "expected a string", path)
    elif kind == "stage":
        if not isinstance(v, str):
            raise DealError("bad_type", "expected a string", path)
        low = [x for x in STAGES if x.lower() == v.lower()]
        return low[0] if low else None
    elif kind == "str":
        if not isinstance(v, str):
            raise DealError("bad_type", "expected a string", path)
    elif kind == "bool":
        if not isinstance(v, bool):
            raise DealError("bad_type", "expected a boolean", path)
    elif kind == "enum":
        if not isinstance(v, str):
            raise DealError("bad_type", "expected a string", path)
        if v not in spec[1]:
            same = [x for x in spec[1] if x.lower() == v.lower()]
            if not same:
                raise DealError("bad_enum", "unknown value %r" % v, path)
            return same[0]
    elif kind == "date":
        if not isinstance(v, str):
            raise DealError("bad_type", "expected a date string", path)
        if parse_date(v) is None:
            raise DealError("bad_date", "not a YYYY-MM-DD calendar date", path)
    elif kind == "num":
        if not is_number(v):
            raise DealError("bad_type", "expected a number", path)
        _, lo, hi, lo_excl = spec
        x = to_float(v)
        if not math.isfinite(x) or x > hi or x < lo or (lo_excl and x <= lo):
            raise DealError("out_of_range", "number out of range", path)
    elif kind == "obj":
        if not isinstance(v, dict):
            raise DealError("bad_type", "expected an object", path)
        for key, sub, required in spec[1]:
            if key not in v:
                if required:
                    raise DealError("missing_field", "missing required field", path + "." + key)
                continue
            if sub[0] == "stage":
                v["_stage"] = check_value(v[key], sub, path + "." + key)
                v["_unknown_stage"] = v["_stage"] is None
            else:
                v[key] = check_value(v[key], sub, path + "." + key)
    elif kind == "inferred":
        # an object: each member, in order, a string (else bad_type) naming an
        # inferable field (else bad_enum), path ...inferred.<member>
        if not isinstance(v, dict):
            raise DealError("bad_type", "expected an object", path)
        for key, source in v.items():
            if not isinstance(source, str):
                raise DealError("bad_type", "expected a string", path + "." + key)
            if key not in spec[1]:
                raise DealError("bad_enum", "not an inferable field", path + "." + key)
    elif kind == "arr":
        if not isinstance(v, list):
            raise DealError("bad_type", "expected an array", path)
        for i, item in enumerate(v):
            v[i] = check_value(item, spec[1], "%s[%d]" % (path, i))
    else:  # pragma: no cover
        raise AssertionError(kind)
    return v


# ---------------------------------------------------------------------------
# Validation, phases 2-4: ids (docs/model.md "Validation order")
# ---------------------------------------------------------------------------

def check_ids(deal):
    stakeholders = deal.get("stakeholders", [])
    relationships = deal.get("relationships", [])
    seen = set()
    for i, s in enumerate(stakeholders):                       # phase 2
        if s["id"] in seen:
            raise DealError("duplicate_id", "duplicate stakeholder id %r" % s["id"],
                            "$.stakeholders[%d].id" % i)
        seen.add(s["id"])
    for k, r in enumerate(relationships):                      # phase 3
        for end in ("from", "to"):
            if r[end] not in seen:
                raise DealError("unknown_id", "no stakeholder %r" % r[end],
                                "$.relationships[%d].%s" % (k, end))
    for k, r in enumerate(relationships):                      # phase 4
        if r["from"] == r["to"]:
            raise DealError("self_relationship", "relationship to itself",
                            "$.relationships[%d].to" % k)


# ---------------------------------------------------------------------------
# Model: the deal with defaults applied, and coverage (SCORING.md section 1)
# ---------------------------------------------------------------------------

class Coverage:
    """Counts defaultable fields given vs defaulted (docs/model.md "Coverage")."""

    def __init__(self):
        self.given = 0
        self.defaulted = 0

    def get(self, obj, key, default, inferred=False):
        """The value of obj[key] or the default; an inferred value is used but counts
        as defaulted (docs/model.md "Inferred values")."""
        if obj is not None and key in obj:
            if inferred:
                self.defaulted += 1
            else:
                self.given += 1
            v = obj[key]
            return to_float(v) if is_number(v) else v
        self.defaulted += 1
        return default

    def share(self):
        total = self.given + self.defaulted
        return self.given / total if total else 1.0


def opt_float(obj, key, default):
    """An optional number that is not counted in coverage."""
    if obj is not None and key in obj:
        return to_float(obj[key])
    return default


def build_solution(deal, cov):
    sol = deal.get("solution", {})
    meas = sol.get("measurable")
    inf = sol.get("inferred", {})

    def get(key, default):
        return cov.get(sol, key, default, key in inf)

    def get_m(key, default):
        return cov.get(meas, key, default, "measurable." + key in inf)

    s = {
        "capability": get("capability", DEFAULT_CAPABILITY),
        "strategic": get("strategic", DEFAULT_STRATEGIC),
        "it_workload": get("it_workload", DEFAULT_IT_WORKLOAD),
        "it_career": get("it_career", DEFAULT_IT_CAREER),
        "in_house_alternative": get("in_house_alternative", DEFAULT_UNKNOWN),
        "data_readiness": get("data_readiness", DEFAULT_UNKNOWN),
        "security_risk": get("security_risk", DEFAULT_UNKNOWN),
        "user_change": get("user_change", DEFAULT_UNKNOWN),
        "user_transparency": get("user_transparency", DEFAULT_UNKNOWN),
        "user_benefit": get("user_benefit", DEFAULT_UNKNOWN),
        "for_it": get("for_it", False),
        "it_burden_framed": get("it_burden_framed", False),
        "users_consulted": get("users_consulted", False),
        "prototype": get("prototype", False),
        # measurable: None marks "missing" where it matters (cost, payback)
        "annual_benefit": get_m("annual_benefit", 0.0),
        "cost": get_m("cost", None),
        "payback_months": get_m("payback_months", None),
        "confidence": get_m("confidence", 0.0),
    }
    return s


def build_stakeholder(raw, cov, as_of):
    roles = set(raw.get("roles", []))
    function = raw.get("function")
    is_it = function == "it" or "it_strategic" in roles or "it_operations" in roles
    benefits = raw.get("benefits")
    convinced = raw.get("convinced")
    first = raw.get("first_contact")
    last = raw.get("last_contact")
    inf = raw.get("inferred", {})

    def get(obj, key, default, field=None):
        return cov.get(obj, key, default, (field or key) in inf)

    s = {
        "id": raw["id"],
        "function": function,
        "level": raw.get("level"),
        "roles": roles,
        "can_buy": raw.get("can_buy", False),
        "is_it": is_it,
        "is_user": function == "user" or "end_user" in roles,
        "influence": get(raw, "influence", DEFAULT_INFLUENCE),
        "stance": get(raw, "stance", DEFAULT_STANCE),
        "benefit_work": get(benefits, "work", DEFAULT_BENEFIT, "benefits.work"),
        "benefit_career": get(benefits, "career", DEFAULT_BENEFIT, "benefits.career"),
        "conv_capability": get(convinced, "capability", False, "convinced.capability"),
        "conv_strategic": get(convinced, "strategic", False, "convinced.strategic"),
        "conv_measurable": get(convinced, "measurable", False, "convinced.measurable"),
        "ai_interest": get(raw, "ai_interest", DEFAULT_AI_INTEREST),
        "burden": get(raw, "burden", DEFAULT_BURDEN),
        "credibility_threat": get(
            raw, "credibility_threat",
            DEFAULT_CREDIBILITY_THREAT_IT if is_it else DEFAULT_CREDIBILITY_THREAT_OTHER),
        "first_contact": parse_date(first) if first is not None else None,
        "last_contact": parse_date(last) if last is not None else None,
        "expectation_gap": opt_float(raw, "expectation_gap", DEFAULT_EXPECTATION_GAP),
    }
    s["is_buyer"] = s["can_buy"] or "economic_buyer" in roles
    s["is_key"] = s["is_buyer"] or "champion" in roles or "sponsor" in roles
    s["days_since_contact"] = days_since(s["last_contact"], as_of)
    return s


def days_since(last, as_of):
    """Days from last_contact to as_of, negative counts as 0; None if a date is missing."""
    if last is None or as_of is None:
        return None
    return max(0, as_of - last)


# ---------------------------------------------------------------------------
# Section 2: the stakeholder graph
# ---------------------------------------------------------------------------

def sway_matrix(stakeholders, relationships, index):
    """A[i][j] = how much j's stance moves i (section 2 table); relationships add up."""
    n = len(stakeholders)
    A = [[0.0] * n for _ in range(n)]
    for r in relationships:
        a, b = index[r["from"]], index[r["to"]]
        w = opt_float(r, "strength", DEFAULT_STRENGTH)
        t = r["type"]
        if t == "influences":
            A[b][a] += w
        elif t == "reports_to":
            A[a][b] += w
            A[b][a] += UPWARD_VOICE * w
        elif t == "trusts":
            A[a][b] += w
        elif t == "peer":
            A[a][b] += w / 2
            A[b][a] += w / 2
        elif t == "conflict":
            A[a][b] -= w
            A[b][a] -= w
    return A


def friedkin_johnsen(stakeholders, A):
    """Predicted stances x* (section 2; Jacobi updates, docs/model.md "Graph")."""
    n = len(stakeholders)
    x0 = [s["stance"] for s in stakeholders]
    W = []
    susc = []
    for i in range(n):
        row_abs = sum(abs(a) for a in A[i])
        if row_abs == 0:  # no incoming sway: susceptibility 0
            W.append([0.0] * n)
            susc.append(0.0)
        else:
            W.append([a / row_abs for a in A[i]])
            susc.append(SUSCEPTIBILITY.get(stakeholders[i]["level"], SUSCEPTIBILITY_MISSING))
    x = list(x0)
    for _ in range(FJ_MAX_ROUNDS):
        new = [(1 - susc[i]) * x0[i] + susc[i] * sum(W[i][j] * x[j] for j in range(n))
               for i in range(n)]
        change = max((abs(new[i] - x[i]) for i in range(n)), default=0.0)
        x = new
        if change < FJ_TOLERANCE:
            break
    return [min(1.0, max(-1.0, v)) for v in x]


def pagerank(A):
    """Weighted PageRank; edge i -> j of weight max(0, A[i][j]) (section 2)."""
    n = len(A)
    if n == 0:
        return []
    d = PAGERANK_DAMPING
    weights = [[max(0.0, a) for a in row] for row in A]
    out = [sum(row) for row in weights]
    pr = [1.0 / n] * n
    for _ in range(PAGERANK_MAX_ROUNDS):
        dangling = sum(pr[i] for i in range(n) if out[i] == 0)
        new = []
        for j in range(n):
            flow = sum(pr[i] * weights[i][j] / out[i] for i in range(n) if out[i] > 0)
            new.append((1 - d) / n + d * (flow + dangling / n))
        change = sum(abs(new[i] - pr[i]) for i in range(n))
        pr = new
        if change < PAGERANK_TOLERANCE:
            break
    return pr


def effective_influence(stakeholders, pr):
    """w_s = blend x influence + (1 - blend) x pr / max(pr) (section 2)."""
    top = max(pr, default=0.0)
    return [INFLUENCE_BLEND * s["influence"]
            + (1 - INFLUENCE_BLEND) * (pr[i] / top if top > 0 else 0.0)
            for i, s in enumerate(stakeholders)]


def tie_matrix(n, relationships, index):
    """tie(a,b) = largest strength of any non-conflict relationship, either direction."""
    tie = [[0.0] * n for _ in range(n)]
    for r in relationships:
        if r["type"] == "conflict":
            continue
        a, b = index[r["from"]], index[r["to"]]
        w = opt_float(r, "strength", DEFAULT_STRENGTH)
        if w > tie[a][b]:
            tie[a][b] = tie[b][a] = w
    return tie


def widest_paths(tie, a):
    """Largest product of ties from a to every node (1 for a itself, 0 for no path)."""
    n = len(tie)
    best = [0.0] * n
    best[a] = 1.0
    done = [False] * n
    while True:
        u, bu = -1, 0.0
        for i in range(n):
            if not done[i] and best[i] > bu:
                u, bu = i, best[i]
        if u < 0:
            return best
        done[u] = True
        for v in range(n):
            if not done[v] and tie[u][v] > 0:
                cand = bu * tie[u][v]
                if cand > best[v]:
                    best[v] = cand


def reach(tie, a, targets):
    """Reach(a, B) = max over b in B of the widest path; Reach(a, {}) = 0."""
    if not targets:
        return 0.0
    best = widest_paths(tie, a)
    return max(best[b] for b in targets)


# ---------------------------------------------------------------------------
# Section 3: engagement, conviction and the five scores
# ---------------------------------------------------------------------------

def weighted_mean(values, weights):
    """Weighted mean over effective influence; empty set (or zero weight) gives 0."""
    total = sum(weights)
    if not values or total == 0:
        return 0.0
    return sum(v * w for v, w in zip(values, weights)) / total


def engagement(s):
    """e_s = 0.5 ^ (days / half-life) when both dates are known, else 1."""
    days = s["days_since_contact"]
    if days is None:
        return 1.0
    return 0.5 ** (days / STALE_HALF_LIFE_DAYS)


def conviction_share(key, w, e, dim):
    """C_d = sum_K w e [convinced_d] / sum_K w."""
    denom = sum(w[i] for i, _ in key)
    if denom == 0:
        return 0.0
    return sum(w[i] * e[i] for i, s in key if s["conv_" + dim]) / denom


def capability_roi(sol, c_cap):
    return 100.0 * sol["capability"] * (CAPABILITY_BASE + CAPABILITY_CONVICTION * c_cap)


def exec_sponsorship(key, xs):
    """E = largest max(0, x*) among K at level c_level or vp (0 if none)."""
    return max((max(0.0, xs[i]) for i, s in key if s["level"] in EXEC_LEVELS), default=0.0)


def strategic_roi(sol, c_strat, e_exec):
    return 100.0 * sol["strategic"] * (
        STRATEGIC_BASE + STRATEGIC_CONVICTION * c_strat + STRATEGIC_EXEC * e_exec)


def measurable_factor(sol):
    """m = confidence x g x min(1, payback_limit / payback_months)."""
    cost = sol["cost"]
    if cost is None:
        return 0.0
    r = (sol["annual_benefit"] * HORIZON_YEARS - cost) / cost
    g = r / (1 + r) if r > 0 else 0.0
    payback = sol["payback_months"]
    pf = 1.0 if not payback else min(1.0, PAYBACK_LIMIT_MONTHS / payback)
    return sol["confidence"] * g * pf


def measurable_roi(sol, c_meas):
    return 100.0 * measurable_factor(sol) * (MEASURABLE_BASE + MEASURABLE_CONVICTION * c_meas)


def it_concern(sol):
    return 0.5 * (1 - sol["data_readiness"]) + 0.5 * sol["security_risk"]


def it_raw(s, sol, x):
    """raw_t = 0.30 threat + 0.25 load + 0.20 concern + 0.25 opposition."""
    threat = s["credibility_threat"] * (0.5 + 0.5 * sol["in_house_alternative"])
    load = s["burden"] * max(0.0, sol["it_workload"])
    opposition = max(0.0, -x)
    return (IT_W_THREAT * threat + IT_W_LOAD * load + IT_W_CONCERN * it_concern(sol)
            + IT_W_OPPOSITION * opposition)


def earliest_contact(members):
    """(day, stakeholder) of the earliest first_contact; ties go to input order."""
    best = None
    for s in members:
        fc = s["first_contact"]
        if fc is not None and (best is None or fc < best[0]):
            best = (fc, s)
    return best


def it_resistance(sol, stakeholders, xs, w, tie, buyers_idx, strat, meas, warnings):
    it = [(i, s) for i, s in enumerate(stakeholders) if s["is_it"]]
    if it:
        r0 = 100.0 * weighted_mean([it_raw(s, sol, xs[i]) for i, s in it],
                                   [w[i] for i, _ in it])
    else:
        r0 = 100.0 * IT_UNMAPPED_CONCERN * it_concern(sol)
        warnings.append("it_unmapped")

    # mitigations
    m1 = MITIGATION_IT_CHAMPION * max(
        (max(0.0, xs[i]) * reach(tie, i, buyers_idx)
         for i, s in it if s["ai_interest"] >= IT_CHAMPION_AI_INTEREST), default=0.0)
    m2 = MITIGATION_WORKLOAD * max(0.0, -sol["it_workload"]) * (
        1.0 if sol["it_burden_framed"] else MITIGATION_WORKLOAD_UNFRAMED)
    m3 = MITIGATION_CAREER * sol["it_career"]
    m4 = 0.0
    if strat >= PUSHBACK_THRESHOLD and meas >= PUSHBACK_THRESHOLD:
        m4 = MITIGATION_PUSHBACK * pushback(xs, w, buyers_idx)
    total = m1 + m2 + m3 + m4
    M = min(MITIGATION_CAP, total)
    score = r0 - r0 * M  # the mitigation factors sum to -R0 x M

    # sequencing
    buyers = [stakeholders[i] for i in buyers_idx]
    it_members = [s for _, s in it]
    if not sol["for_it"]:
        first_d = earliest_contact(buyers)
        first_t = earliest_contact(it_members)
        if first_d is not None and first_t is not None and first_t[0] < first_d[0]:
            score += r0 * (1 - M) * IT_FIRST_PENALTY
    else:
        first_t = earliest_contact(it_members)
        if first_t is not None and "it_strategic" in first_t[1]["roles"]:
            score -= r0 * (1 - M) * IT_STRATEGIC_FIRST_BONUS
    return clamp100(score)


def pushback(xs, w, buyers_idx):
    """B = weighted mean of max(0, x*) over D."""
    return weighted_mean([max(0.0, xs[i]) for i in buyers_idx], [w[i] for i in buyers_idx])


def user_raw(s, sol, x):
    """raw_u = 0.35 transparency + 0.25 change + 0.20 (1 - benefit) + 0.20 opposition."""
    return (USER_W_TRANSPARENCY * sol["user_transparency"]
            + USER_W_CHANGE * sol["user_change"]
            + USER_W_BENEFIT * (1 - max(sol["user_benefit"], s["benefit_work"]))
            + USER_W_OPPOSITION * max(0.0, -x))


def user_threat(sol, stakeholders, xs, w, warnings):
    users = [(i, s) for i, s in enumerate(stakeholders) if s["is_user"]]
    if users:
        u0 = 100.0 * weighted_mean([user_raw(s, sol, xs[i]) for i, s in users],
                                   [w[i] for i, _ in users])
    else:
        u0 = 100.0 * (USER_W_TRANSPARENCY * sol["user_transparency"]
                      + USER_W_CHANGE * sol["user_change"]
                      + USER_W_BENEFIT * (1 - sol["user_benefit"]))
        warnings.append("users_unmapped")
    score = u0
    if sol["users_consulted"]:
        score -= USERS_CONSULTED_RELIEF * u0
    if any(("champion" in s["roles"] or "influencer" in s["roles"])
           and xs[i] > USER_CHAMPION_STANCE for i, s in users):
        score -= USER_CHAMPION_RELIEF * u0
    return clamp100(score)


def clamp100(v):
    return min(100.0, max(0.0, v))


# ---------------------------------------------------------------------------
# Section 4: the default policy
# ---------------------------------------------------------------------------

def default_policy(deal, sol, stakeholders, scores, xs, w, tie, buyers_idx, warnings):
    """Returns (viability, computed_viability or None, verdict, reasons)."""
    value = (VALUE_W_CAPABILITY * scores["capability_roi"]
             + VALUE_W_STRATEGIC * scores["strategic_roi"]
             + VALUE_W_MEASURABLE * scores["measurable_roi"])
    friction = FRICTION_W_IT * scores["it_resistance"] + FRICTION_W_USER * scores["user_threat"]
    b = pushback(xs, w, buyers_idx)
    champions = [(i, s) for i, s in enumerate(stakeholders) if "champion" in s["roles"]]
    c = max((reach(tie, i, buyers_idx) for i, _ in champions), default=0.0)
    v = value * (1 - FRICTION_FACTOR * friction / 100.0) * (
        SUPPORT_BASE + SUPPORT_PUSHBACK * b + SUPPORT_CHAMPION_REACH * c)

    buyers = [stakeholders[i] for i in buyers_idx]
    reasons = []
    no_buyer = not buyers
    if no_buyer:
        reasons.append("no_buyer")
    if not champions:
        reasons.append("no_champion")
        v *= NO_CHAMPION_MULT
    if champions and all(s["conv_measurable"] and not s["conv_capability"]
                         and not s["conv_strategic"] for _, s in champions):
        reasons.append("short_term_case")
        v *= SHORT_TERM_CASE_MULT
    if buyers and all(s["benefit_work"] < DIRECT_BENEFIT_THRESHOLD
                      and s["benefit_career"] < DIRECT_BENEFIT_THRESHOLD for s in buyers):
        reasons.append("no_direct_benefit")
        v *= NO_DIRECT_BENEFIT_MULT
    if any("blocker" in s["roles"] and w[i] >= BLOCKER_MIN_INFLUENCE and xs[i] < 0
           for i, s in enumerate(stakeholders)):
        reasons.append("blocker")
        v *= BLOCKER_MULT
    if any(s["expectation_gap"] >= EXPECTATION_GAP_THRESHOLD for s in buyers):
        reasons.append("expectation_gap")
        v *= EXPECTATION_GAP_MULT
    if sol["prototype"]:
        reasons.append("prototype")
        v *= PROTOTYPE_MULT
    if no_buyer:
        v = min(v, NO_BUYER_CAP)
    v = clamp100(v)

    computed = None
    override = deal.get("override")
    if isinstance(override, dict) and "viability" in override:
        reasons.append("override")
        computed = v
        v = to_float(override["viability"])
        return v, computed, verdict_for(v), reasons
    # v1.1: a confident verdict needs data; the value is still computed and printed
    if "low_coverage" in warnings:
        return v, computed, VERDICT_LOW_COVERAGE, reasons
    return v, computed, verdict_for(v), reasons


def verdict_for(v):
    for threshold, name in VERDICTS:
        if v >= threshold:
            return name
    return VERDICT_FLOOR


# ---------------------------------------------------------------------------
# One deal
# ---------------------------------------------------------------------------

def score_deal(deal, cli_as_of):
    """Score a validated deal; returns the result object (section 5)."""
    as_of_str = deal.get("as_of", cli_as_of)
    as_of = parse_date(as_of_str) if as_of_str is not None else None
    cov = Coverage()
    sol = build_solution(deal, cov)
    stakeholders = [build_stakeholder(raw, cov, as_of) for raw in deal.get("stakeholders", [])]
    relationships = deal.get("relationships", [])
    index = {s["id"]: i for i, s in enumerate(stakeholders)}
    n = len(stakeholders)

    A = sway_matrix(stakeholders, relationships, index)
    xs = friedkin_johnsen(stakeholders, A)
    w = effective_influence(stakeholders, pagerank(A))
    tie = tie_matrix(n, relationships, index)
    e = [engagement(s) for s in stakeholders]

    key = [(i, s) for i, s in enumerate(stakeholders) if s["is_key"]]
    buyers_idx = [i for i, s in enumerate(stakeholders) if s["is_buyer"]]

    warnings = []
    for _, s in key:  # stale:<id>, input order
        d = s["days_since_contact"]
        if d is not None and d > STALE_WARNING_DAYS:
            warnings.append("stale:" + s["id"])

    scores = {}
    scores["capability_roi"] = capability_roi(sol, conviction_share(key, w, e, "capability"))
    scores["strategic_roi"] = strategic_roi(sol, conviction_share(key, w, e, "strategic"),
                                            exec_sponsorship(key, xs))
    scores["measurable_roi"] = measurable_roi(sol, conviction_share(key, w, e, "measurable"))
    scores["it_resistance"] = it_resistance(sol, stakeholders, xs, w, tie, buyers_idx,
                                            scores["strategic_roi"], scores["measurable_roi"],
                                            warnings)
    scores["user_threat"] = user_threat(sol, stakeholders, xs, w, warnings)
    if deal.get("_unknown_stage"):
        warnings.append("unknown_stage")
    if cov.share() < COVERAGE_MIN:  # after every other warning
        warnings.append("low_coverage")

    viability, computed, verdict, reasons = default_policy(
        deal, sol, stakeholders, scores, xs, w, tie, buyers_idx, warnings)
    out_scores = {k: round_half_away(scores[k], 1) for k in
                  ("capability_roi", "strategic_roi", "measurable_roi",
                   "it_resistance", "user_threat")}
    out_scores["viability"] = round_half_away(viability, 1)
    if computed is not None:
        out_scores["computed_viability"] = round_half_away(computed, 1)
    return {
        "id": deal["id"],
        "policy": POLICY_ID,
        "model": MODEL_ID,
        "scores": out_scores,
        "verdict": verdict,
        "reasons": reasons,
        "warnings": warnings,
        "coverage": round_half_away(cov.share(), 4),
    }


def round_half_away(x, digits):
    """Half away from zero, like C round(x * 10^d) / 10^d; -0.0 becomes 0.0."""
    scale = 10.0 ** digits
    y = abs(x) * scale
    r = math.floor(y)
    if y - r >= 0.5:
        r += 1
    v = math.copysign(r / scale, x)
    return v + 0.0 if v != 0 else 0.0


# ---------------------------------------------------------------------------
# Batch driver
# ---------------------------------------------------------------------------

def reject_constant(name):
    raise ValueError("non-finite number " + name)


def parse_line(line_bytes):
    """bytes -> Python value; raises DealError bad_json."""
    try:
        text = line_bytes.decode("utf-8")
        return json.loads(text, parse_constant=reject_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise DealError("bad_json", "not JSON: %s" % exc, "$")


def error_result(deal_id, err):
    return {"id": deal_id, "error": {"code": err.code, "message": err.message,
                                     "path": err.path}}


def process_line(line_bytes, seen_ids, cli_as_of):
    deal = None
    try:
        deal = parse_line(line_bytes)
        check_value(deal, DEAL_SPEC, "$")       # phase 1 (also: not an object -> bad_type $)
        check_ids(deal)                          # phases 2-4
        if deal["id"] in seen_ids:               # phase 5
            raise DealError("duplicate_id", "deal id %r repeated in batch" % deal["id"], "$.id")
        seen_ids.add(deal["id"])
    except DealError as err:
        deal_id = deal.get("id") if isinstance(deal, dict) else None
        return error_result(deal_id if isinstance(deal_id, str) else None, err)
    return score_deal(deal, cli_as_of)


def main(argv=None):
    ap = argparse.ArgumentParser(description="dealscore reference implementation")
    ap.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD, for deals without as_of")
    ap.add_argument("file", nargs="?", help="JSONL input (default: stdin)")
    args = ap.parse_args(argv)
    if args.as_of is not None and parse_date(args.as_of) is None:
        ap.error("--as-of: not a YYYY-MM-DD calendar date: %s" % args.as_of)
    if args.file and args.file != "-":
        with open(args.file, "rb") as f:
            data = f.read()
    else:
        data = sys.stdin.buffer.read()
    seen_ids = set()
    out = sys.stdout
    for line in data.split(b"\n"):
        if not line.strip(b" \t\r\n"):
            continue
        result = process_line(line, seen_ids, args.as_of)
        out.write(json.dumps(result) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
