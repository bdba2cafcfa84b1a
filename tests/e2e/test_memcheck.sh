#!/usr/bin/env bash
# valgrind memcheck over a few runs of the program that touch every path: the
# examples with --explain, bad deals, broken arrays, a line over the size limit,
# a committee over the memory limit. Zero errors, zero leaks. (The whole suite
# under memcheck is make reliability: tests/reliability/memcheck.sh.) Skipped for
# a sanitizer build, which valgrind cannot run.
. "$(dirname "$0")/lib.sh"
if nm -D "$DS" 2>/dev/null | grep -q __asan_init || nm "$DS" 2>/dev/null | grep -q __asan_init; then
    skip "$DS is built with AddressSanitizer, which valgrind cannot run"
fi
EX=$SRC/models/examples/pipeline.jsonl
V='{"id":"next","stakeholders":[{"id":"a","can_buy":true}]}'
vg() {
    valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
        --errors-for-leak-kinds=definite,indirect "$DS" "$@" >"$TMP/out" 2>"$TMP/vg"
    local rc=$?
    if [ $rc -eq 99 ]; then cat "$TMP/vg" >&2; fi
    [ $rc -le 1 ]
}
{ head -n 3 "$EX"; echo '{"id":"bad","stakeholders":[{"id":"a","level":"boss"}]}'; echo '{nope'; } >"$TMP/mixed.jsonl"
printf '[%s,\n{"id": "cut\n%s\n' "$V" "$V" >"$TMP/broken.json"
$PY -c "print('{\"id\":\"big\",\"name\":\"' + 'x' * 1500000 + '\"}')" >"$TMP/big.jsonl"
$PY -c "import json; print(json.dumps({'id': 'wide', 'stakeholders': [{'id': 's%d' % i} for i in range(1500)]}))" >"$TMP/wide.jsonl"
check "examples --explain" vg score -q --explain "$EX"
check "bad deals" vg score -q "$TMP/mixed.jsonl"
check "broken array" vg score -q "$TMP/broken.json"
check "line over the limit, committee over the memory limit" \
    vg score -q --max-deal-memory 1M "$TMP/big.jsonl" "$TMP/wide.jsonl"
check "over-limit runs report too_large" contains "$TMP/out" '"code":"too_large"'
check "over-limit runs report out_of_memory" contains "$TMP/out" '"code":"out_of_memory"'
finish
