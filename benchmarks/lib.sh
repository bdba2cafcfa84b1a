# lib.sh: helpers the benchmarks share. Sourced by benchmarks/bench_*.sh, which
# run.sh starts with $DS (the program) and $HERE (this folder) exported.

# best CMD...: the best wall-clock seconds of 3 runs of a command, to 3 decimals.
best() {
    local best="" t0 t1 t
    for _ in 1 2 3; do
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        t=$(echo "$t1 - $t0" | bc -l)
        best=$(awk -v t="$t" -v b="$best" 'BEGIN {printf "%.3f", (b == "" || t < b) ? t : b}')
    done
    echo "$best"
}

# rate N SECONDS: items per second, rounded.
rate() { awk -v n="$1" -v t="$2" 'BEGIN {printf "%.0f", n / t}'; }

# ratio A B: A / B to 2 decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# peak_rss_mib CMD...: runs a command once under GNU time; prints its peak
# resident memory in MiB and its wall-clock seconds.
peak_rss_mib() {
    local log
    log=$(mktemp)
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || true
    awk -F': ' '/Maximum resident set size/ {rss = $2}
        /Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = p[n]; if (n > 1) s += 60 * p[n-1]; if (n > 2) s += 3600 * p[n-2]}
        END {printf "%.1f %.2f\n", rss / 1024, s}' "$log"
    rm -f "$log"
}

# build_tools DIR: compiles the parse-only pass and the pipeline generator.
build_tools() {
    cc -O2 -o "$1/parse_only" "$HERE/parse_only.c" $(pkg-config --cflags --libs libcjson)
    cc -O2 -o "$1/gen_pipeline" "$HERE/gen_pipeline.c"
}
