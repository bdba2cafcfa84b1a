#!/usr/bin/env bash
# bench_http.sh: HTTP/1.1 keep-alive against the request lines, on the same
# server and machine, driven by benchmarks/loadgen.c (--http sends each deal as
# POST /v1/score with a Content-Length body; answers are whole responses):
#   1. one connection pipelining (256 in flight): throughput;
#   2. 64 keep-alive connections, one request in flight each: throughput, p99;
#   3. ping (GET /v1/ping), 64 connections: the protocol's own cost.
# Each figure: the best rate of 3 runs, latencies of the run with the median p99.
set -euo pipefail
N=${N:-20000}
PING_N=${PING_N:-200000}
WORK=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
python3 "$HERE/../tests/reference/gen_deals.py" --seed 42 --count "$N" >"$WORK/deals.jsonl"
cc -O2 -D_GNU_SOURCE -Wall -Wextra -o "$WORK/loadgen" "$HERE/loadgen.c" $(pkg-config --cflags --libs libuv)
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
"$DS" serve --listen 127.0.0.1:0 2>"$WORK/server.log" &
SPID=$!
PIDS="$PIDS $SPID"
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/server.log" 2>/dev/null)
    [ -n "$PORT" ] && break
    sleep 0.05
done
[ -n "$PORT" ] || { cat "$WORK/server.log"; exit 1; }
WORKERS=$(sed -n 's/.*(\([0-9]*\) workers.*/\1/p' "$WORK/server.log")
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
best_rps() { sort -t= -k4 -n | tail -n 1; }
median_p99() { sort -t= -k6 -n | sed -n 2p; }
loadgen() { "$WORK/loadgen" -p "$PORT" "$@"; }
ms() { field "$1" <<<"$2" | awk '{printf "%.2f", $1/1000}'; }

run3() { for _ in 1 2 3; do loadgen "$@"; done >"$WORK/runs"; }
row() { # row NAME: from the 3 runs just made
    local best med
    best=$(best_rps <"$WORK/runs")
    med=$(median_p99 <"$WORK/runs")
    local errors
    errors=$(awk -F'errors=' '{s += $2} END {print s}' "$WORK/runs")
    [ "$errors" = 0 ] || { echo "bench_http: $errors error answers in $1" >&2; exit 1; }
    echo "| $1 | $(field rps <<<"$best") | $(ms p50_us "$med") | $(ms p99_us "$med") | $(ms p999_us "$med") |"
}
{
    echo "## HTTP against the request lines (\`dealscore serve\`)"
    echo
    echo "$N generated deals (seed 42); one \`dealscore serve\` with $WORKERS workers on"
    echo "127.0.0.1, driven by \`benchmarks/loadgen.c\` on the same machine: request lines,"
    echo "then the same deals as \`POST /v1/score\` (one deal per request, keep-alive,"
    echo "\`--http\`). Latency is the client's, from the write that carried a request to"
    echo "the read that completed its answer."
    echo
    echo "| run | requests/s | p50 ms | p99 ms | p99.9 ms |"
    echo "|---|---|---|---|---|"
    run3 -c 1 -P 256 -n "$N" "$WORK/deals.jsonl"
    row "request lines, 1 connection, 256 in flight"
    run3 --http -c 1 -P 256 -n "$N" "$WORK/deals.jsonl"
    row "HTTP keep-alive, 1 connection, 256 pipelined"
    run3 -c 64 -P 1 -n "$N" "$WORK/deals.jsonl"
    row "request lines, 64 connections, 1 in flight each"
    run3 --http -c 64 -P 1 -n "$N" "$WORK/deals.jsonl"
    row "HTTP keep-alive, 64 connections, 1 in flight each"
    run3 --ping -c 64 -P 1 -n "$PING_N"
    row "ping line, 64 connections"
    run3 --ping --http -c 64 -P 1 -n "$PING_N"
    row "GET /v1/ping, 64 connections"
    echo
    echo "Rates are the best of 3 runs; latencies are those of the run with the median"
    echo "p99. An HTTP request carries about 90 bytes of request line and headers and"
    echo "its answer about 150 of status line and headers (Server, Date, Content-Type,"
    echo "Content-Length) on top of the same JSON: on 2 cores shared by the server and"
    echo "the load generator that parsing and writing is what the HTTP rows pay."
    echo
    echo "Load average of the machine before the runs: $LOAD_BEFORE."
} >"$HERE/results/41-http.md"
kill -TERM "$SPID" && wait "$SPID" || true
cat "$HERE/results/41-http.md"
