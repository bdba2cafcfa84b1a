#!/usr/bin/env bash
# Golden before/after test: every case of tests/golden/cases.sh (score in each
# format and mode, explain, check, diff, backtest, CRM imports, map, on the
# example pipeline and on generated, thinned and large-committee deals) must
# print exactly the bytes of tests/golden/out, standard error and exit code
# included. A refactoring or a speed-up that moves one byte fails here, with a
# unified diff of the first differences. When a change of output is intended,
# regenerate with tests/golden/update and say why in the commit message.
. "$(dirname "$0")/lib.sh"
GOLD=$SRC/tests/golden/out
W=$TMP/w
mkdir -p "$W" "$TMP/got"
. "$SRC/tests/golden/env.sh"
shown=0
# same NAME: compares one produced file with its golden one (a missing golden
# file counts as empty, as update removes an empty .stderr)
same() {
    local want=$GOLD/$1 got=$TMP/got/$1
    [ -e "$want" ] || want=/dev/null
    [ -e "$got" ] || got=/dev/null
    cmp -s "$want" "$got" && return 0
    if [ $shown -lt 3 ]; then # the first differences, not a flood
        diff -u --label "golden/$1" --label "now/$1" "$want" "$got" | head -n 40 >&2
        shown=$((shown + 1))
    fi
    return 1
}
golden() {
    local name=$1
    shift
    golden_run "$TMP/got/$name" "$@"
    echo "$name $?" >>"$TMP/got/exit_codes"
    check "$name: same output" same "$name"
    check "$name: same standard error" same "$name.stderr"
}
cd "$SRC" || exit 2
golden_cases
check "same cases and exit codes" same exit_codes
# no golden file without a case (a case removed but its file left behind)
for f in "$GOLD"/*; do
    check "$(basename "$f") has a case" [ -e "$TMP/got/$(basename "$f")" ]
done
[ "$failed" -eq 0 ] || echo "output moved: if that is intended, run tests/golden/update," \
    "review git diff tests/golden/out and say why in the commit message" >&2
finish
