#!/usr/bin/env bash
# Every number a policy returns into a result (viability, computed_viability,
# a factor's effect and detail, the version, a patch's numbers) against NaN,
# +-inf and values out of range: a policy_error naming the field, and
# `dealscore check` fails; edge values pass and -0.0 is written as 0. The
# cases are in check_policy_numbers.py.
. "$(dirname "$0")/lib.sh"
$PY "$SRC/tests/e2e/check_policy_numbers.py" "$DS" "$SRC" "$TMP" >"$TMP/out.txt" 2>"$TMP/err.txt"
rc=$?
check "policy numbers ($(tail -n 1 "$TMP/out.txt"); $(head -c 3000 "$TMP/err.txt"))" [ "$rc" -eq 0 ]
finish
