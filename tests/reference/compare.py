#!/usr/bin/env python3
"""Compare two dealscore result streams (JSONL) line by line.

Usage: python3 compare.py EXPECTED.jsonl ACTUAL.jsonl

A deal matches when: same id; for error results the same error code and path; otherwise
the same score keys with every score within SCORE_TOLERANCE, the same verdict, the same
reasons list, the same warnings list, and coverage within COVERAGE_TOLERANCE.
Prints each mismatch (at most MAX_REPORTED) and a final line `N passed, M failed`;
exits 1 if any deal failed.
"""

import json
import sys

SCORE_TOLERANCE = 0.11      # 0.1 plus room for the rounding of both sides
COVERAGE_TOLERANCE = 0.0002
MAX_REPORTED = 20


def read_results(path):
    """Non-blank lines of a JSONL file, each parsed (or None when not JSON)."""
    rows = []
    with open(path, "rb") as f:
        for raw in f.read().split(b"\n"):
            if not raw.strip(b" \t\r\n"):
                continue
            try:
                rows.append(json.loads(raw.decode("utf-8")))
            except ValueError:
                rows.append(None)
    return rows


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def diff_result(exp, act):
    """List of (field, expected, actual) differences between two result objects."""
    if not isinstance(act, dict):
        return [("line", "a JSON object", act)]
    if not isinstance(exp, dict):
        return [("line", exp, act)]
    diffs = []
    if exp.get("id") != act.get("id"):
        diffs.append(("id", exp.get("id"), act.get("id")))
    if "error" in exp or "error" in act:
        ee, ae = exp.get("error"), act.get("error")
        if not isinstance(ee, dict) or not isinstance(ae, dict):
            diffs.append(("error", ee, ae))
            return diffs
        for k in ("code", "path"):
            if ee.get(k) != ae.get(k):
                diffs.append(("error." + k, ee.get(k), ae.get(k)))
        return diffs

    es, as_ = exp.get("scores") or {}, act.get("scores")
    if not isinstance(as_, dict):
        diffs.append(("scores", es, as_))
    else:
        for k in es:
            if k not in as_:
                diffs.append(("scores." + k, es[k], "<missing>"))
            elif not is_num(as_[k]) or abs(es[k] - as_[k]) > SCORE_TOLERANCE:
                diffs.append(("scores." + k, es[k], as_[k]))
        for k in as_:
            if k not in es:
                diffs.append(("scores." + k, "<missing>", as_[k]))
    for k in ("verdict", "reasons", "warnings"):
        if exp.get(k) != act.get(k):
            diffs.append((k, exp.get(k), act.get(k)))
    ec, ac = exp.get("coverage"), act.get("coverage")
    if not is_num(ac) or not is_num(ec) or abs(ec - ac) > COVERAGE_TOLERANCE:
        diffs.append(("coverage", ec, ac))
    return diffs


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: compare.py EXPECTED.jsonl ACTUAL.jsonl\n")
        return 2
    expected, actual = read_results(argv[1]), read_results(argv[2])
    passed = failed = reported = 0

    def report(line, deal_id, field, exp, act):
        nonlocal reported
        if reported < MAX_REPORTED:
            print("line %d id %s: %s expected %s, actual %s"
                  % (line, json.dumps(deal_id, ensure_ascii=False), field,
                     json.dumps(exp, ensure_ascii=False), json.dumps(act, ensure_ascii=False)))
        reported += 1

    if len(expected) != len(actual):
        report(0, None, "line count", len(expected), len(actual))
    for n in range(max(len(expected), len(actual))):
        exp = expected[n] if n < len(expected) else "<no line>"
        act = actual[n] if n < len(actual) else "<no line>"
        diffs = diff_result(exp, act)
        if diffs:
            failed += 1
            deal_id = exp.get("id") if isinstance(exp, dict) else None
            for field, e, a in diffs:
                report(n + 1, deal_id, field, e, a)
        else:
            passed += 1
    if reported > MAX_REPORTED:
        print("... %d more mismatches not shown" % (reported - MAX_REPORTED))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or len(expected) != len(actual) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
