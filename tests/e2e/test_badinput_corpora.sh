#!/usr/bin/env bash
# Bad input from the public corpora (../shared/data; skipped where absent): every
# JSONTestSuite file followed by a valid deal, and the naughty strings as ids,
# names and titles, through `dealscore score` and through `dealscore serve`
# (tests/reliability/badinput.py says what is checked).
. "$(dirname "$0")/lib.sh"
need_data jsontestsuite/test_parsing naughty-strings/blns.json
check "jsontestsuite and naughty strings" $PY "$SRC/tests/reliability/badinput.py" "$DS" "$SRC"
check "jsontestsuite and naughty strings through the service" \
    $PY "$SRC/tests/reliability/badinput.py" "$DS" "$SRC" --via tcp
finish
