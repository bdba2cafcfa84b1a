#!/usr/bin/python3
"""Validate every line of JSONL files against a JSON Schema (Draft 2020-12).

Usage: python3 check_schema.py SCHEMA FILE.jsonl...

Prints each failure as FILE:LINE: PATH: MESSAGE and ends with "N passed, M failed".
Blank lines are skipped. Exits 1 on any failure, 2 on a usage or schema error.
Needs the jsonschema module (Debian: python3-jsonschema).
"""
import json
import sys

try:
    from jsonschema import Draft202012Validator
except ImportError:
    sys.stderr.write("check_schema: needs the jsonschema module (apt install python3-jsonschema)\n")
    sys.exit(2)


def json_path(error):
    path = "$"
    for part in error.absolute_path:
        path += "[%d]" % part if isinstance(part, int) else "." + str(part)
    return path


def describe(err):
    """(path, message) pairs for one error. A failed oneOf/anyOf is reported through
    the errors of its closest branch: the one with the fewest errors, then the deepest."""
    if not err.context:
        return [(json_path(err), err.message)]
    branches = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    best = min(branches.values(),
               key=lambda subs: (len(subs), -max(len(e.absolute_path) for e in subs)))
    out = []
    for sub in best:
        out.extend(describe(sub))
    return out


def reject_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: check_schema.py SCHEMA FILE.jsonl...\n")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
    except Exception as e:  # unreadable file, bad JSON or invalid schema
        sys.stderr.write("check_schema: %s: %s\n" % (argv[1], e))
        return 2
    validator = Draft202012Validator(schema)
    passed = failed = 0
    for name in argv[2:]:
        try:
            f = open(name, encoding="utf-8")
        except OSError as e:
            print("%s: %s" % (name, e.strerror))
            failed += 1
            continue
        with f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line, parse_constant=reject_constant)
                except ValueError as e:
                    print("%s:%d: $: bad JSON: %s" % (name, lineno, e))
                    failed += 1
                    continue
                errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
                if errors:
                    failed += 1
                    for err in errors:
                        for path, msg in describe(err):
                            print("%s:%d: %s: %s" % (name, lineno, path, msg))
                else:
                    passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
