#!/usr/bin/python3
"""Every number a policy returns into a result, against every bad number.

Usage: check_policy_numbers.py PROGRAM SRC_DIR TMPDIR

The numbers of the policy contract (docs/policies.md): score()'s viability,
computed_viability, a factor's effect and a factor's detail given as a
number, the policy's version, and a number in an action's patch. Each is set,
one at a time, to NaN, -NaN, +inf, -inf and values out of its range, in a
policy that is otherwise correct. Each must end the deal with a policy_error
naming the field (`dealscore score`), fail `dealscore check` naming it, and
never reach a result as null, "nan" or "inf". Values at the edges of each
range are accepted, and -0.0 is written as 0.
"""
import json
import os
import subprocess
import sys

PROGRAM, SRC, TMP = sys.argv[1:4]
DEALS = os.path.join(SRC, "models", "examples", "pipeline.jsonl")
failures = []
checked = 0


def check(name, cond, detail=""):
    global checked
    checked += 1
    if not cond:
        failures.append("%s: %s" % (name, detail[:400]))


# A correct result; FIELD is then set to the value under test.
TEMPLATE = """return {name = "numbers", version = %(version)s,
  score = function(deal, scores)
    local r = {viability = 50, verdict = "shape",
               factors = {{factor = "f", effect = 1.5, detail = "d"}}}
    %(assign)s
    return r
  end,
  actions = function(deal, scores)
    local id = deal.stakeholders[1].id
    return {{action = "nudge", target = id,
             patch = {stakeholders = {[id] = {stance = %(stance)s}}}}}
  end}
"""

NAN, INF = "0/0", "math.huge"
NOT_FINITE = [("NaN", NAN, "NaN"), ("-NaN", "-(0/0)", "NaN"), ("inf", INF, "inf"),
              ("-inf", "-" + INF, "-inf"), ("1/0", "1/0", "inf")]

# field -> (Lua assignment with V, [(label, value, words in the message)])
FIELDS = {
    "viability": ("r.viability = V",
                  NOT_FINITE + [("101", "101", "0..100"), ("-1", "-1", "0..100"),
                                ("maxinteger", "math.maxinteger", "0..100"),
                                ("100.0000001", "100.0000001", "0..100")]),
    "computed_viability": ("r.computed_viability = V",
                           NOT_FINITE + [("101", "101", "outside 0..100"),
                                         ("-0.5", "-0.5", "outside 0..100"),
                                         ("mininteger", "math.mininteger", "outside 0..100"),
                                         ("a string", '"50"', "not a number")]),
    "factors[1].effect": ("r.factors[1].effect = V",
                          NOT_FINITE + [("1e6+1", "1e6 + 1", "beyond"), ("-1e300", "-1e300", "beyond"),
                                        ("mininteger", "math.mininteger", "beyond")]),
    "factors[1].detail": ("r.factors[1].detail = V", NOT_FINITE),
}


def policy(path, assign="", version="1", stance="0.5"):
    with open(path, "w") as f:
        f.write(TEMPLATE % {"assign": assign, "version": version, "stance": stance})


def run(*args):
    return subprocess.run([PROGRAM, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120)


def first_deals(n):
    path = os.path.join(TMP, "deals.jsonl")
    with open(DEALS) as f, open(path, "w") as out:
        out.writelines([l for l in f if l.strip()][:n])
    return path


deals = first_deals(2)
p = os.path.join(TMP, "numbers.lua")

# each field x each bad value: score and check both name the field
for field, (assign, values) in FIELDS.items():
    for label, value, words in values:
        name = "%s = %s" % (field, label)
        policy(p, assign.replace("V", value))
        r = run("score", "-q", "--explain", "--policy", p, deals)
        lines = r.stdout.decode().splitlines()
        check(name + ": score exits 1", r.returncode == 1, "%d %s" % (r.returncode, r.stderr))
        errors = [json.loads(l).get("error") or {} for l in lines]
        check(name + ": every deal is a policy_error", len(errors) == 2 and
              all(e.get("code") == "policy_error" for e in errors), r.stdout.decode())
        check(name + ": the message names the field and the problem",
              all(field in e.get("message", "") and words in e.get("message", "") for e in errors),
              r.stdout.decode())
        c = run("check", p, deals)
        out = c.stdout.decode() + c.stderr.decode()
        check(name + ": check fails", c.returncode == 1, "%d %s" % (c.returncode, out))
        check(name + ": check names the field", field in out and "0 within the contract" in out, out)

# the version is read at load: a non-finite one stops the run (exit 2), naming it
for label, value, _ in NOT_FINITE:
    policy(p, version=value)
    r = run("score", "-q", "--policy", p, deals)
    err = r.stderr.decode()
    check("version = %s: score exits 2" % label, r.returncode == 2, "%d %s" % (r.returncode, err))
    check("version = %s: names version" % label, "version, a finite number" in err, err)
    c = run("check", p, deals)
    check("version = %s: check fails" % label, c.returncode == 1 and "version" in c.stderr.decode(),
          c.stderr.decode())

# a number in an action's patch: the action fails, naming it
for label, value, _ in NOT_FINITE:
    policy(p, stance=value)
    r = run("score", "-q", "--actions", "--policy", p, deals)
    text = r.stdout.decode()
    check("patch stance = %s: refused" % label, r.returncode == 1 and
          "a number that is not finite" in text, "%d %s" % (r.returncode, text))
    c = run("check", p, deals)
    check("patch stance = %s: check fails" % label, c.returncode == 1, c.stdout.decode())

# the edges of each range are accepted; -0.0 is written as 0
EDGES = [("viability", "r.viability = V", ["0", "100", "-0.0", "100.0"]),
         ("computed_viability", "r.computed_viability = V", ["0", "100", "-0.0"]),
         ("factors[1].effect", "r.factors[1].effect = V", ["1e6", "-1e6", "-0.0", "0"]),
         ("factors[1].detail", "r.factors[1].detail = V", ["1.5", "-0.0", "1e300"])]
for field, assign, values in EDGES:
    for value in values:
        name = "%s = %s" % (field, value)
        policy(p, assign.replace("V", value))
        r = run("score", "-q", "--explain", "--policy", p, deals)
        check(name + ": accepted", r.returncode == 0, r.stdout.decode() + r.stderr.decode())
        text = r.stdout.decode()
        check(name + ": no null, nan, inf or -0 in the result",
              not any(w in text for w in ("null", "nan", "inf\"", ":-0.0,", ":-0.0}", ":-0,")), text)
        res = json.loads(text.splitlines()[0]) if text else {}
        if field == "computed_viability":
            got = res.get("scores", {}).get("computed_viability")
            check(name + ": computed_viability written", got == abs(float(value)), repr(got))
        if field == "factors[1].effect":
            f = res.get("factors", {}).get("viability", [{}])[0]
            check(name + ": effect written", f.get("effect") == float(value) and
                  str(f.get("effect"))[0] != "-" or float(value) < 0, repr(f))
        c = run("check", p, deals)
        check(name + ": check passes", c.returncode == 0, c.stdout.decode() + c.stderr.decode())

print("%d checks, %d failed" % (checked, len(failures)))
for f in failures:
    print("FAIL: " + f, file=sys.stderr)
sys.exit(1 if failures else 0)
