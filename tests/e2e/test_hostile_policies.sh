#!/usr/bin/env bash
# Hostile policies (tests/reliability/policies/): each ends its deal with the
# error its file names, within its budget, through `dealscore score` and (one
# of each class, --short) through `dealscore serve`, and the next deal (and the
# service's next request) is scored normally. The checks are in
# tests/reliability/hostile.py; `make reliability` runs every one through both.
. "$(dirname "$0")/lib.sh"
$PY "$SRC/tests/reliability/hostile.py" "$DS" "$SRC" --short >"$TMP/out" 2>"$TMP/err"
rc=$?
check "hostile policies ($(tail -n 1 "$TMP/out"); $(head -c 2000 "$TMP/err"))" [ "$rc" -eq 0 ]
finish
