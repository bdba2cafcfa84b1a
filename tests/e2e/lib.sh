# lib.sh: a few helpers for end-to-end tests of the dealscore program.
# A test script sources this with the program ($1) and the source tree ($2).
set -u
DS=$1
SRC=$2
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*" >&2
}
# check NAME CONDITION...: runs the condition, counts the outcome
check() {
    local name=$1
    shift
    if "$@"; then ok; else fail "$name"; fi
}
# expect_exit NAME CODE COMMAND...
expect_exit() {
    local name=$1 code=$2
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    if [ "$rc" -eq "$code" ]; then ok; else fail "$name: exit $rc, expected $code ($(head -c 300 "$TMP/err"))"; fi
}
contains() { grep -q -- "$2" "$1"; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
