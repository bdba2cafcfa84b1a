#!/usr/bin/python3
"""Work in C that no VM instruction counts is charged its real cost.

Usage: check_c_costs.py PROGRAM SRC_DIR TMPDIR

Each class of library call that does more work in C than its instructions
show (a number written as text by string.format, tostring, table.concat or a
string function given a number; %q of control bytes; os.date's conversions;
os.time's mktime; load's compiler, from a string or a reader function) runs N
times in a policy under a budget of 2 million instructions: its costly form
must end the deal with policy_timeout (the charge saw the work), and its cheap
form, the same N calls, must be scored (the charge is not a flat price). So
the test fails if a costly call is charged like a cheap one, as each of these
was before (a policy within its budget spent up to 3.5 s of CPU; see
docs/reliability.md for the times measured).
"""
import json
import os
import subprocess
import sys

PROGRAM, SRC, TMP = sys.argv[1:4]
BUDGET = "2000000"

TEMPLATE = """return {name = "cost", version = 1, score = function(deal, scores)
  %(prep)s
  for i = 1, %(n)d do local _ = %(expr)s end
  return {viability = 50, verdict = "shape"}
end}
"""

# name: (prep, iterations, cheap expression, costly expression)
CASES = {
    "format %.99f of 1e308": ("local f = string.format", 500, 'f("%.2f", 1.5)', 'f("%.99f", 1e308)'),
    "format %99.99f of -1e300": ("local f = string.format", 500, 'f("%9.2f", -1.5)',
                                 'f("%99.99f", -1e300)'),
    "format %.99e": ("local f = string.format", 1000, 'f("%.6e", 1.5)', 'f("%.99e", -1e300)'),
    "format %.99g": ("local f = string.format", 1000, 'f("%g", 1.5)', 'f("%.99G", 1e300)'),
    "format %s of floats": ("local f, x = string.format, 1.5e300", 1000, 'f("%s%s%s%s", "a", "b", "c", "d")',
                            'f("%s%s%s%s", x, x, x, x)'),
    "format %q of control bytes": ('local f, a, b = string.format, ("abcd"):rep(10000), ("\\1\\2\\3\\n"):rep(10000)',
                                   5, 'f("%q", a)', 'f("%q", b)'),
    "tostring of floats": ("local x = 1.5e300", 3000, "tostring(1)", "tostring(x)"),
    "table.concat of floats": ("local a, b = {}, {} for i = 1, 1000 do a[i] = 'ab'; b[i] = (i + 0.5) * 1e300 end",
                               5, 'table.concat(a, ",")', 'table.concat(b, ",")'),
    "table.concat through __index (may give floats)": ("local a = setmetatable({}, {__index = function(t, k) return 'ab' end})\n"
                                     "  local c = {} for i = 1, 20000 do c[i] = 'ab' end",
                                     1, "table.concat(c, ',', 1, 20000)", "table.concat(a, ',', 1, 20000)"),
    "string.len of a float": ("local x = 1.5e300", 3000, 'string.len("abc")', "string.len(x)"),
    "string.sub of a float": ("local x = 1.5e300", 3000, 'string.sub("abc", 2)', "string.sub(x, 2)"),
    "string.upper of a float": ("local x = 1.5e300", 3000, 'string.upper("abc")', "string.upper(x)"),
    "string.find in a float": ("local x = 1.5e300", 3000, 'string.find("abc", "c", 1, true)',
                               'string.find(x, "e", 1, true)'),
    "string.gsub of a float": ("local x = 1.5e300", 3000, 'string.gsub("abc", "z", "")', 'string.gsub(x, "z", "")'),
    "string.rep with a float separator": ("local x = 1.5e300", 3000, 'string.rep("a", 2, ",")',
                                          'string.rep("a", 2, x)'),
    "string.pack z of a float": ("local x = 1.5e300", 3000, 'string.pack("z", "ab")', 'string.pack("z", x)'),
    "utf8.len of a float": ("local x = 1.5e300", 3000, 'utf8.len("abc")', "utf8.len(x)"),
    "os.date conversions": ('local a, b = ("xx"):rep(1000), ("%c"):rep(1000)', 20, "os.date(a, 0)",
                            "os.date(b, 0)"),
    "os.time of a table": ("local t = {year = 2020, month = 1, day = 1}", 10000, "os.time()", "os.time(t)"),
    "load of a long chunk": ('local a, b = "return 1", ("do end "):rep(20000)', 10, "load(a)", "load(b)"),
    "load from a reader": ('local p = ("do end "):rep(20000)\n'
                           '  local function reader(piece, times) local n = 0 return function() '
                           'n = n + 1 if n <= times then return piece end end end',
                           1, 'load(reader("return 1", 1))', "load(reader(p, 10))"),
}

failures = []
checked = 0


def check(name, cond, detail=""):
    global checked
    checked += 1
    if not cond:
        failures.append("%s: %s" % (name, detail[:400]))


with open(os.path.join(SRC, "models", "examples", "pipeline.jsonl")) as f:
    deal = next(l for l in f if l.strip())
deals = os.path.join(TMP, "deal.jsonl")
with open(deals, "w") as f:
    f.write(deal)


def outcome(prep, n, expr):
    path = os.path.join(TMP, "cost.lua")
    with open(path, "w") as f:
        f.write(TEMPLATE % {"prep": prep, "n": n, "expr": expr})
    r = subprocess.run([PROGRAM, "score", "-q", "--jobs", "1", "--policy-instructions", BUDGET,
                        "--policy", path, deals], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    line = r.stdout.decode().splitlines()[0] if r.stdout else "{}"
    res = json.loads(line)
    return (res.get("error") or {}).get("code", "scored"), line


for name, (prep, n, cheap, costly) in CASES.items():
    got, line = outcome(prep, n, cheap)
    check(name + ": the cheap form is scored", got == "scored", line)
    got, line = outcome(prep, n, costly)
    check(name + ": the costly form ends with policy_timeout", got == "policy_timeout", line)

print("%d checks, %d failed" % (checked, len(failures)))
for f in failures:
    print("FAIL: " + f, file=sys.stderr)
sys.exit(1 if failures else 0)
