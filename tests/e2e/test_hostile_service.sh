#!/usr/bin/env bash
# The short run of the hostile-service suite (tests/reliability/hostile_service.py
# --short): `dealscore serve` attacked by whole classes of bad clients; every
# answer must be well-formed UTF-8 JSON and the server must go on serving.
# `make reliability` runs it long.
. "$(dirname "$0")/lib.sh"
$PY "$SRC/tests/reliability/hostile_service.py" "$DS" "$SRC" --short >"$TMP/out" 2>"$TMP/err"
rc=$?
check "hostile service clients ($(tail -n 1 "$TMP/out"); $(head -c 3000 "$TMP/err"))" [ "$rc" -eq 0 ]
finish
