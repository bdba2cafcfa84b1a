#!/usr/bin/env bash
# `dealscore explain` on a terminal (script(1) gives it a pseudo-terminal): colour,
# but never with --no-color or NO_COLOR. Skipped where no pseudo-terminal can be
# had (a chroot without /dev/pts); without a terminal: test_explain.sh.
. "$(dirname "$0")/lib.sh"
need_tty
EX=$SRC/models/examples/pipeline.jsonl
esc=$(printf '\033')
script -qec "'$DS' explain --id NBM-2026-014 '$EX'" /dev/null >"$TMP/tty.txt"
check "a terminal gets colour" grep -q "$esc\[32m" "$TMP/tty.txt"
check "the report is there" grep -q "Verdict: " "$TMP/tty.txt"
script -qec "'$DS' explain --no-color --id NBM-2026-014 '$EX'" /dev/null >"$TMP/tty2.txt"
check "--no-color on a terminal" bash -c "! grep -q '$esc' '$TMP/tty2.txt'"
check "--no-color: the report is there" grep -q "Verdict: " "$TMP/tty2.txt"
NO_COLOR=1 script -qec "'$DS' explain --id NBM-2026-014 '$EX'" /dev/null >"$TMP/tty3.txt"
check "NO_COLOR on a terminal" bash -c "! grep -q '$esc' '$TMP/tty3.txt'"
check "NO_COLOR: the report is there" grep -q "Verdict: " "$TMP/tty3.txt"
finish
