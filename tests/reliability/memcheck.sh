#!/usr/bin/env bash
# memcheck.sh PROGRAM SRC_DIR SCRIPT...: runs end-to-end test scripts with every
# dealscore run under valgrind memcheck, and sums up.
#
# Each script gets a wrapper in place of PROGRAM that runs it under memcheck with
# full leak checking; the scripts' own checks must still pass. Prints
#   memcheck: R runs, E errors, L bytes definitely or indirectly lost
# and fails on any error or leak. Figures also go to $MEMCHECK_REPORT if set.
set -u
DS=$(readlink -f "$1")
SRC=$2
shift 2
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
cat >"$LOGS/dealscore" <<WRAP
#!/bin/sh
exec valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect --track-origins=yes \
  --log-file="$LOGS/vg.%p.log" "$DS" "\$@"
WRAP
chmod +x "$LOGS/dealscore"
# the Lua module next to the program, as scripts find it (test_docs_tutorial.sh)
ln -s "$(dirname "$DS")/lua" "$LOGS/lua"
# the program finds models/ and scripts/ next to itself: point it at the tree
export DEALSCORE_HOME=$SRC
status=0
for script in "$@"; do
    if ! bash "$script" "$LOGS/dealscore" "$SRC" >"$LOGS/script.out" 2>&1; then
        echo "memcheck: $(basename "$script") failed under valgrind:" >&2
        tail -n 20 "$LOGS/script.out" >&2
        status=1
    fi
done
runs=$(ls "$LOGS"/vg.*.log 2>/dev/null | wc -l)
errors=0
lost=0
for log in "$LOGS"/vg.*.log; do
    [ -e "$log" ] || continue
    if [ -s "$log" ]; then
        echo "memcheck: findings in one run:" >&2
        head -n 40 "$log" >&2
        e=$(grep -c '^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|Conditional\|Mismatched\|overlap\)' "$log")
        l=$(sed -n 's/.*\(definitely\|indirectly\) lost: \([0-9,]*\) bytes.*/\2/p' "$log" | tr -d , |
            awk '{s += $1} END {print s + 0}')
        errors=$((errors + e + (e == 0 && l == 0)))
        lost=$((lost + l))
    fi
done
echo "memcheck: $runs runs, $errors errors, $lost bytes definitely or indirectly lost"
[ -n "${MEMCHECK_REPORT:-}" ] && printf '%s %s %s\n' "$runs" "$errors" "$lost" >"$MEMCHECK_REPORT"
[ "$errors" -eq 0 ] && [ "$lost" -eq 0 ] && exit $status
exit 1
