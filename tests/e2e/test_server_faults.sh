#!/usr/bin/env bash
# Faults in the service, short version (the long one is make reliability):
# 200 connections at once, a slow-loris client closed by --idle-timeout, a client
# that never reads, lines over the limit, random bytes, clients that vanish,
# reloads under load, SIGTERM with requests in flight. The checks are in
# tests/reliability/server_faults.py.
. "$(dirname "$0")/lib.sh"
$PY "$SRC/tests/reliability/server_faults.py" "$DS" "$SRC" --short >"$TMP/out" 2>"$TMP/err"
rc=$?
check "server faults ($(tail -n 1 "$TMP/out"); $(grep FAIL "$TMP/err" | head -c 2000))" [ "$rc" -eq 0 ]
finish
