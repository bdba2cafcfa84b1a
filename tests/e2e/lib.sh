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
# skip REASON: skips the whole test (ctest counts exit 77 as skipped, see
# tests/CMakeLists.txt). Only for what a machine may lack by nature (a
# pseudo-terminal, the corpora of ../shared/data) or a build cannot do (valgrind
# on an ASan build). A missing package is a failure, never a skip.
skip() {
    echo "SKIPPED: $*"
    exit 77
}
# DATA: the public test corpora next to the source tree (not part of the repository)
DATA=$SRC/../shared/data
# need_data PATH...: skips the test unless every $DATA/PATH exists
need_data() {
    local p
    for p in "$@"; do
        [ -e "$DATA/$p" ] || skip "$DATA/$p is absent (public test corpora, not in the repository)"
    done
}
# need_tty: skips the test when this machine cannot give `script` a pseudo-terminal
need_tty() {
    script -qec true /dev/null >/dev/null 2>"$TMP/tty.err" ||
        skip "no pseudo-terminal for script(1): $(head -c 200 "$TMP/tty.err")"
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
