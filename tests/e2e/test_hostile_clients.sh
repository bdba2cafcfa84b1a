#!/usr/bin/env bash
# The short run of the hostile-client suite (tests/reliability/hostile_clients.py
# --short): NUL bytes in ids and lines, formulas that overflow, committees built
# for quadratic time, through score and serve; the token file, the open-file
# limit, forged log lines; a stuck deal against the watchdog. `make reliability`
# runs it long.
. "$(dirname "$0")/lib.sh"
check "hostile clients (short)" $PY "$SRC/tests/reliability/hostile_clients.py" "$DS" "$SRC" --short
finish
