#!/usr/bin/env bash
# The sandbox's C library functions: work no VM instruction counts is charged
# its real cost (check_c_costs.py: each costly call class ends its deal with
# policy_timeout under a budget its cheap form passes), every library
# function names itself in its errors, and require checks a name to its full
# length (tests/policy/sandbox/c_errors.lua).
. "$(dirname "$0")/lib.sh"
$PY "$SRC/tests/e2e/check_c_costs.py" "$DS" "$SRC" "$TMP" >"$TMP/costs.out" 2>"$TMP/costs.err"
rc=$?
check "C work charged ($(tail -n 1 "$TMP/costs.out"); $(head -c 3000 "$TMP/costs.err"))" [ "$rc" -eq 0 ]

head -n 1 "$SRC/models/examples/pipeline.jsonl" >"$TMP/one.jsonl"
expect_exit "c_errors policy scores" 0 "$DS" score -q --policy "$SRC/tests/policy/sandbox/c_errors.lua" "$TMP/one.jsonl"
check "every function named in its errors, require refuses NUL ($(head -c 2000 "$TMP/out"))" \
    contains "$TMP/out" '"viability":100.0},"verdict":"shape","reasons":\[\]'
finish
