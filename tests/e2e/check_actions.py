#!/usr/bin/python3
"""check_actions.py DEALSCORE DEALS MODEL POLICY WORKDIR: next best actions re-score exactly.

Scores DEALS with `--actions` (and a model whose min_gain lets every action through),
then rebuilds each reported action's modified deal here, independently, from
SCORING.md section 6 (or, for a policy action, from its declarative changes as
docs/actions.md defines them), scores all modified deals through the program, and
checks: the catalogue is exactly the one section 6 defines; each gain equals the
modified deal's computed viability minus the base deal's (to the output's rounding).
Exit status 0 when every check holds."""
import copy
import json
import subprocess
import sys

DS, DEALS, MODEL, POLICY, WORK = sys.argv[1:6]
model = json.load(open(MODEL))
A = model["actions"]
STAKEHOLDER_DEFAULTS = model["defaults"]["stakeholder"]


def sets(s):
    roles = set(s.get("roles", []))
    it = s.get("function") == "it" or roles & {"it_strategic", "it_operations"}
    users = s.get("function") == "user" or "end_user" in roles
    deciders = s.get("can_buy", False) or "economic_buyer" in roles
    key = deciders or roles & {"champion", "sponsor"}
    return bool(it), bool(users), bool(deciders), bool(key)


def stance(s):
    return s.get("stance", STAKEHOLDER_DEFAULTS["stance"])


def ai_interest(s):
    return s.get("ai_interest", STAKEHOLDER_DEFAULTS["ai_interest"])


def catalogue(deal):
    """{name: function(deal copy)} for every action SCORING.md section 6 offers."""
    people = deal.get("stakeholders", [])
    sol = deal.get("solution", {})
    out = {}

    def person(d, sid):
        return next(p for p in d["stakeholders"] if p["id"] == sid)

    for s in people:
        if not sets(s)[3]:
            continue
        for aspect in ("capability", "strategic"):
            if not s.get("convinced", {}).get(aspect, False):
                def convince(d, sid=s["id"], aspect=aspect):
                    person(d, sid).setdefault("convinced", {})[aspect] = True
                out[f"convince:{s['id']}:{aspect}"] = convince
    for s in people:
        if sets(s)[0] and (stance(s) < A["recruit_stance"] or ai_interest(s) < A["recruit_ai_interest"]):
            def recruit(d, sid=s["id"]):
                p = person(d, sid)
                p["stance"] = max(stance(p), A["recruit_stance"])
                p["ai_interest"] = max(ai_interest(p), A["recruit_ai_interest"])
            out[f"recruit_it_champion:{s['id']}"] = recruit
    it = [s for s in people if sets(s)[0]]
    if it:
        best = sorted(it, key=lambda s: (-ai_interest(s), -stance(s), s["id"]))[0]
        for s in people:
            if sets(s)[2] and s["id"] != best["id"]:
                def relate(d, t=best["id"], b=s["id"]):
                    d.setdefault("relationships", []).append(
                        {"from": t, "to": b, "type": "trusts", "strength": A["relate_strength"]})
                out[f"relate:{best['id']}:{s['id']}"] = relate
    if not sol.get("it_burden_framed", False):
        out["frame_it_workload"] = lambda d: d.setdefault("solution", {}).update(it_burden_framed=True)
    if not sol.get("users_consulted", False):
        def consult(d):
            s = d.setdefault("solution", {})
            benefit = s.get("user_benefit", model["defaults"]["solution"]["user_benefit"])
            s["users_consulted"] = True
            s["user_benefit"] = min(1.0, benefit + A["consult_users_benefit"])
        out["consult_users"] = consult
    for s in people:
        if sets(s)[2] and stance(s) < 1:
            def engage(d, sid=s["id"]):
                p = person(d, sid)
                p["stance"] = min(1.0, stance(p) + A["engage_buyer_stance"])
            out[f"engage_buyer:{s['id']}"] = engage
    if not sol.get("prototype", False):
        out["prototype"] = lambda d: d.setdefault("solution", {}).update(prototype=True)
    return out


def merge(target, patch):
    for k, v in patch.items():
        if isinstance(v, dict):
            if not isinstance(target.get(k), dict):
                target[k] = {}
            merge(target[k], v)
        else:
            target[k] = copy.deepcopy(v)


def policy_action(changes):
    """A policy action's patch (docs/policies.md, "actions"), applied the documented way."""
    def apply(d):
        for key, value in changes.items():
            if key == "deal":
                merge(d, value)
            elif key == "solution":
                merge(d.setdefault("solution", {}), value)
            elif key == "stakeholders":
                for sid, patch in value.items():
                    merge(next(p for p in d["stakeholders"] if p["id"] == sid), patch)
            elif key == "add_stakeholders":
                d.setdefault("stakeholders", []).extend(copy.deepcopy(value))
            elif key == "relationships":
                d.setdefault("relationships", []).extend(copy.deepcopy(value))
    return apply


def score(path, *extra):
    out = subprocess.run([DS, "score", "-q", "--explain", "--model", MODEL, "--policy", POLICY,
                          *extra, path], capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


def computed(result):
    """Computed viability (before an override) from the 4-decimal viability factors."""
    return sum(f["effect"] for f in result["factors"]["viability"] if f["factor"] != "override")


deals = [json.loads(line) for line in open(DEALS) if line.strip()]
CUSTOM = sys.argv[6] if len(sys.argv) > 6 else "{}"
base = {r["id"]: r for r in score(DEALS, "--actions", "--max-actions", "1000")}
modified, expected, failures = [], [], []
for deal in deals:
    result = base[deal["id"]]
    actions = catalogue(deal)
    first = json.dumps(deal["stakeholders"][0]["id"] if deal.get("stakeholders") else "")[1:-1]
    for name, changes in json.loads(CUSTOM.replace("$FIRST", first)).items():
        actions[name] = policy_action(changes)
    if "error" in result:
        failures.append(f"{deal['id']}: scoring with --actions failed: {result['error']}")
        continue
    reported = {a["action"]: a for a in result["actions"]}
    if set(reported) != set(actions):
        failures.append(f"{deal['id']}: catalogue {sorted(reported)} != expected {sorted(actions)}")
        continue
    gains = [a["gain"] for a in result["actions"]]
    if gains != sorted(gains, reverse=True):
        failures.append(f"{deal['id']}: actions not best first: {gains}")
    for name, apply in actions.items():
        d = copy.deepcopy(deal)
        apply(d)
        d["id"] = f"{deal['id']}|{name}"
        modified.append(d)
        expected.append((deal["id"], name))
path = f"{WORK}/modified.jsonl"
with open(path, "w") as f:
    for d in modified:
        f.write(json.dumps(d) + "\n")
rescored = score(path)
checked = 0
for (deal_id, name), r in zip(expected, rescored):
    if "error" in r:
        failures.append(f"{deal_id} {name}: modified deal does not score: {r['error']}")
        continue
    gain = computed(r) - computed(base[deal_id])
    reported = next(a["gain"] for a in base[deal_id]["actions"] if a["action"] == name)
    if abs(gain - reported) > 0.006:
        failures.append(f"{deal_id} {name}: reported gain {reported}, re-scored {gain:.4f}")
    checked += 1
for f in failures[:20]:
    print("FAIL:", f, file=sys.stderr)
print(f"{checked} actions re-scored, {len(failures)} failures")
sys.exit(1 if failures or checked == 0 else 0)
