#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS: runs each libFuzzer harness of BUILD_DIR for SECONDS.
#
# Seed corpora come from the examples and from generated deals (valid and
# invalid), plus tests/fuzz/regressions/ (inputs that once failed); the corpora
# grow in BUILD_DIR/corpus/ from run to run. A crash, leak, timeout or failed
# check stops that harness, leaves the input in BUILD_DIR/artifacts/ and makes
# this script fail: turn it into a regression (tests/fuzz/regressions/<harness>/,
# replayed by tests/e2e/test_fuzz_regressions.sh on every make test). Figures,
# one line per harness, go to BUILD_DIR/fuzz-results.tsv:
#   harness  seconds  executions  corpus_files  crashes
# fuzz_proto is the service's line framing and requests; fuzz_csv the CSV
# import (dialects, encodings, row limit, mapping to deal objects).
set -u
BUILD=$1
SECONDS_EACH=$2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
HARNESSES="fuzz_score fuzz_input fuzz_proto fuzz_csv"
mkdir -p "$BUILD/artifacts"

# one deal per seed file: the examples and generated deals
seed_score() {
    local dir=$1 i=0
    while IFS= read -r line; do
        [ -n "$line" ] && printf '%s' "$line" >"$dir/example-$((i += 1)).json"
    done <"$SRC/models/examples/pipeline.jsonl"
    $PY "$SRC/tests/reference/gen_deals.py" --seed 99 --count 60 --invalid-share 0.3 |
        while IFS= read -r line; do printf '%s' "$line" >"$dir/gen-$((i += 1)).json"; done
}

# whole streams: JSONL, arrays, broken arrays
seed_input() {
    local dir=$1
    cp "$SRC/models/examples/pipeline.jsonl" "$dir/pipeline.jsonl"
    $PY - "$SRC/models/examples/pipeline.jsonl" "$dir" <<'PY'
import json, sys
deals = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][:4]
small = [{"id": d["id"], "stage": d.get("stage", "prospect")} for d in deals]
out = sys.argv[2]
open(out + "/array.json", "w").write(json.dumps(small, indent=2))
open(out + "/compact.json", "w").write("[" + ",\n".join(json.dumps(d) for d in small) + "]\n")
open(out + "/broken.json", "w").write('[{"id": "a"}\n{"id": "b"},\n"c\n' + json.dumps(small[0]) + "\n")
open(out + "/mixed.jsonl", "w").write(json.dumps(small) + "\n" + json.dumps(small[1]) + "\n\n  x\n")
PY
}

# what clients send: bare deals, envelopes of every op, pipelined lines; each
# file starts with two bytes that the harness reads as the line limit and the
# read sizes
seed_proto() {
    local dir=$1
    $PY - "$SRC/models/examples/pipeline.jsonl" "$dir" <<'PY'
import json, sys
deals = [l.rstrip("\n") for l in open(sys.argv[1]) if l.strip()][:3]
small = [json.dumps({"id": json.loads(d)["id"], "stakeholders": []}) for d in deals]
seeds = {
    "bare.txt": "\n".join(small) + "\n",
    "ops.txt": "".join(json.dumps(r) + "\n" for r in [
        {"op": "ping", "id": 1}, {"op": "policies", "id": "p"}, {"op": "stats", "token": "t"},
        {"op": "reload", "id": [1, 2]}, {"op": "actions", "deal": {}}, {"op": "nope"}]),
    "envelopes.txt": "".join('{"id":%d,"op":"score","policy":"default","deal":%s}\n' % (i, d)
                             for i, d in enumerate(small)),
    "mixed.txt": small[0] + "\r\n\n  \n" + '{"deal": 1}\n{"op": 7}\n' + small[1],
}
for name, text in seeds.items():
    open(sys.argv[2] + "/" + name, "wb").write(b"\x3f\x05" + text.encode())
PY
    for d in "$SRC"/models/examples/pipeline.jsonl; do
        { printf '\377\001'; head -c 4000 "$d"; } >"$dir/pipeline.txt"
    done
}

# CSV files as tools write them (the first byte picks the dialect: fuzz_csv.c)
seed_csv() {
    local dir=$1 i=0
    for f in "$SRC"/tests/e2e/csv/*.csv "$SRC"/tests/e2e/crm/*/*.csv; do
        [ -f "$f" ] || continue
        { printf '\000'; head -c 6000 "$f"; } >"$dir/plain-$((i += 1)).csv"
        { printf '\002'; head -c 6000 "$f"; } >"$dir/cp1252-$i.csv"
    done
    printf '\000id,name,amount\nA,"x\n""y""",1\nB,z\n' >"$dir/quotes.csv"
    printf '\001id;name\r\nC;d\r\n' >"$dir/semi.csv"
}

status=0
: >"$BUILD/fuzz-results.tsv"
for h in $HARNESSES; do
    corpus=$BUILD/corpus/$h
    mkdir -p "$corpus"
    if [ -z "$(ls -A "$corpus")" ]; then
        case $h in
        fuzz_score) seed_score "$corpus" ;;
        fuzz_input) seed_input "$corpus" ;;
        fuzz_proto) seed_proto "$corpus" ;;
        fuzz_csv) seed_csv "$corpus" ;;
        esac
    fi
    [ -d "$SRC/tests/fuzz/regressions/$h" ] && cp "$SRC/tests/fuzz/regressions/$h"/* "$corpus"/ 2>/dev/null
    log=$BUILD/$h.log
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$BUILD/tests/fuzz/$h" "$corpus" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$h-" \
        -dict="$SRC/tests/fuzz/deal.dict" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    crashes=0
    if [ $rc -ne 0 ]; then
        crashes=1
        status=1
        echo "$h: FAILED (exit $rc), see $log and $BUILD/artifacts/" >&2
        grep -m 5 -E "ERROR|SUMMARY|fuzz_" "$log" >&2
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$h" "$SECONDS_EACH" "${execs:-0}" "$(ls "$corpus" | wc -l)" \
        "$crashes" >>"$BUILD/fuzz-results.tsv"
    echo "$h: ${execs:-0} executions in ${SECONDS_EACH} s, corpus $(ls "$corpus" | wc -l) files, exit $rc"
done
exit $status
