#!/usr/bin/env bash
# bench_service.sh: what a deal costs through the service against `dealscore score
# --jobs 1` (issue 18 item 3). The same deals (gen_pipeline --seed 42, small and
# large committees), the default policy, one connection pipelining the deals to
# `dealscore serve --workers 1`:
#
#   - instructions per deal from callgrind, start-up subtracted: the server (its
#     event loop, framing, the worker, the answer) over the first NCG and 2 NCG
#     deals, and `score --jobs 1` over the same files; the difference divided by
#     NCG. Other work on the machine does not move them.
#   - deals per second of one pipelined connection (256 requests in flight,
#     benchmarks/loadgen.c) against `score --jobs 1`'s, each the best of REPEAT,
#     in wall-clock time and in CPU time of the serving process (user + sys, from
#     /proc); the load average is recorded with them.
#   - latency: the client's p50/p99 (from the write that carried a request to the
#     read that completed its answer, so with 256 in flight mostly queueing) and
#     the service's own p99 (the stats op: from a request's line to its answer).
#
# Knobs: NCG (default 100), N (deals for the rates, default 20000 small; large
# get N * 2 / 5), REPEAT (3), BENCH_QUICK=1 (NCG 25, N 2000, one repeat).
# Writes results/42-service.md.
set -euo pipefail
. "$HERE/lib.sh"
if [ -n "${BENCH_QUICK:-}" ]; then NCG=${NCG:-25} N=${N:-2000} REPEAT=${REPEAT:-1}; fi
NCG=${NCG:-100}
N=${N:-20000}
REPEAT=${REPEAT:-3}
WORK=$(mktemp -d)
SPID=""
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT
build_tools "$WORK"
cc -O2 -D_GNU_SOURCE -Wall -Wextra -o "$WORK/loadgen" "$HERE/loadgen.c" $(pkg-config --cflags --libs libuv)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# serve_start [PREFIX...]: a fresh `serve --workers 1` (under PREFIX, e.g. valgrind);
# sets SPID and PORT
serve_start() {
    "$@" "$DS" serve --workers 1 --listen 127.0.0.1:0 2>"$WORK/server.log" &
    SPID=$!
    PORT=""
    for _ in $(seq 1200); do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/server.log" 2>/dev/null)
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    cat "$WORK/server.log" >&2
    exit 1
}
serve_stop() {
    kill -TERM "$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
}
# cpu_ticks PID: user + sys clock ticks of a process so far
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# server_p99_ms: the running server's own p99 service time, from the stats op
server_p99_ms() {
    echo '{"op": "stats"}' | nc -N 127.0.0.1 "$PORT" |
        python3 -c 'import json, sys; print("%.2f" % (json.load(sys.stdin)["stats"]["latency_us"]["p99"] / 1000))'
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; } # field NAME < loadgen line
ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }

# instructions FILE...: callgrind's total of `score --jobs 1` over FILE
score_instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
        "$DS" score -q --jobs 1 -o /dev/null "$1" >/dev/null 2>&1 || true
    awk '/^(summary|totals):/ {print $2; exit}' "$WORK/cg.out"
}
# served_instructions FILE: callgrind's total of a server that answered FILE's
# deals on one pipelined connection (start-up and shutdown included)
served_instructions() {
    serve_start valgrind --tool=callgrind --callgrind-out-file="$WORK/srv.cg"
    "$WORK/loadgen" -p "$PORT" -c 1 -P 64 -n "$(wc -l <"$1")" "$1" >/dev/null
    serve_stop
    awk '/^(summary|totals):/ {print $2; exit}' "$WORK/srv.cg"
}
per_deal() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.0f", (b - a) / n}'; }

declare -A row
for size in small large; do
    n=$([ "$size" = small ] && echo "$N" || echo $((N * 2 / 5)))
    "$WORK/gen_pipeline" --seed 42 --committee "$size" --deals "$n" --jsonl "$WORK/$size.jsonl"
    head -n "$NCG" "$WORK/$size.jsonl" >"$WORK/cg1.jsonl"
    head -n $((2 * NCG)) "$WORK/$size.jsonl" >"$WORK/cg2.jsonl"
    score_ipd=$(per_deal "$(score_instructions "$WORK/cg1.jsonl")" \
        "$(score_instructions "$WORK/cg2.jsonl")" "$NCG")
    serve_ipd=$(per_deal "$(served_instructions "$WORK/cg1.jsonl")" \
        "$(served_instructions "$WORK/cg2.jsonl")" "$NCG")

    # rates: score --jobs 1 (wall and CPU), then the service, best of REPEAT each
    best_wall=999999 best_cpu=999999
    for _ in $(seq "$REPEAT"); do
        t0=$(date +%s.%N)
        /usr/bin/time -o "$WORK/time" -f '%U %S' "$DS" score -q --jobs 1 -o /dev/null "$WORK/$size.jsonl" >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        best_wall=$(awk -v a="$t0" -v b="$t1" -v m="$best_wall" 'BEGIN {t = b - a; print (t < m ? t : m)}')
        best_cpu=$(awk -v m="$best_cpu" '{t = $1 + $2; print (t < m ? t : m)}' "$WORK/time")
    done
    score_rate=$(rate "$n" "$best_wall") score_cpu_rate=$(rate "$n" "$best_cpu")
    best_rps=0 best_srv_cpu=999999 pipe="" srv_p99=""
    for _ in $(seq "$REPEAT"); do
        serve_start
        c0=$(cpu_ticks "$SPID")
        line=$("$WORK/loadgen" -p "$PORT" -c 1 -P 256 -n "$n" "$WORK/$size.jsonl")
        c1=$(cpu_ticks "$SPID")
        p99=$(server_p99_ms)
        serve_stop
        cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN {print (b - a) / hz}')
        best_srv_cpu=$(awk -v t="$cpu" -v m="$best_srv_cpu" 'BEGIN {print (t < m ? t : m)}')
        if awk -v r="$(field rps <<<"$line")" -v b="$best_rps" 'BEGIN {exit !(r > b)}'; then
            best_rps=$(field rps <<<"$line") pipe=$line srv_p99=$p99
        fi
    done
    srv_cpu_rate=$(rate "$n" "$best_srv_cpu")
    row[$size]="| $size | $score_ipd | $serve_ipd | $(ratio "$serve_ipd" "$score_ipd") | $score_rate | $best_rps | $(ratio "$best_rps" "$score_rate") | $score_cpu_rate | $srv_cpu_rate | $(ratio "$srv_cpu_rate" "$score_cpu_rate") | $(ms "$(field p50_us <<<"$pipe")") | $(ms "$(field p99_us <<<"$pipe")") | $srv_p99 |"
    echo "$size: ${row[$size]}" >&2
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

{
    echo "## A deal through the service against \`score --jobs 1\` (one thread)"
    echo
    echo "Deals from \`gen_pipeline --seed 42 --committee small|large\`, default policy."
    echo "\`dealscore serve --workers 1\` on 127.0.0.1 answers one connection that keeps 256"
    echo "deals in flight (\`benchmarks/loadgen.c\`); \`dealscore score -q --jobs 1\` scores"
    echo "the same file. Instructions per deal: callgrind over the first $NCG and"
    echo "$((2 * NCG)) deals, the difference divided by $NCG (the server's start-up, connection"
    echo "and shutdown subtracted with it; 64 in flight). Deals/s: $N small and $((N * 2 / 5))"
    echo "large deals, best of $REPEAT, by the wall clock and per CPU second of the serving"
    echo "process (user + sys; the server's event loop and its worker). Latency: the"
    echo "client's (with 256 in flight, mostly waiting its turn) and the service's own p99"
    echo "(the \`stats\` op: from a request's line to its answer), in ms. Target (issue 18):"
    echo "the connection at 0.95x of \`score --jobs 1\` or better."
    echo
    echo "| deals | score: instr/deal | served: instr/deal | x score | score: deals/s | served: deals/s | x score | score: deals/CPU s | served: deals/CPU s | x score | client p50 | client p99 | service p99 |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    echo "${row[small]}"
    echo "${row[large]}"
    echo
    echo "Recorded $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores; load average (1, 5, 15 min)"
    echo "$LOAD_BEFORE before and $LOAD_AFTER after: the wall-clock rates count waiting for a"
    echo "core (the client and the server share the machine), CPU time does not; the"
    echo "instruction counts do not move with the load."
} >"$HERE/results/42-service.md"
cat "$HERE/results/42-service.md"
