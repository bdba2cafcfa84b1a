#!/usr/bin/env bash
# A worker stuck past --deal-timeout (tests/reliability/stuck_worker.py): the
# connections queued on it are answered by its replacement, a reload sent during
# the stall is answered, and once the stalled call returns every descriptor is
# closed and `stats` counts the connections open right.
. "$(dirname "$0")/lib.sh"
$PY "$SRC/tests/reliability/stuck_worker.py" "$DS" "$SRC" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "stuck worker ($(tail -n 1 "$TMP/out"); $(head -c 2000 "$TMP/err"))" [ "$rc" -eq 0 ]
finish
