# env.sh: what tests/golden/update and tests/e2e/test_golden.sh share: a pinned
# environment and golden_run, which runs one case. Expects SRC, DS and W.
export LC_ALL=C.UTF-8 TZ=UTC DEALSCORE_HOME=$SRC
unset NO_COLOR
. "$SRC/tests/golden/cases.sh"
# golden_run PREFIX COMMAND...: COMMAND's output to PREFIX, its standard error to
# PREFIX.stderr (removed when empty); returns its exit code
golden_run() {
    local prefix=$1
    shift
    rm -rf "$W/case"
    mkdir -p "$W/case"
    (W=$W/case; "$@") <"$SRC/tests/golden/cases.sh" >"$prefix" 2>"$prefix.stderr"
    local rc=$?
    [ -s "$prefix.stderr" ] || rm -f "$prefix.stderr"
    return $rc
}
