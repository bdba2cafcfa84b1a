# lib.sh: helpers shared by the benchmark scripts (sourced; run.sh exports DS and
# HERE). Each bench_*.sh makes its own WORK folder and removes it on exit.

# gen_deals N FILE: N generated deals (the reference generator, fixed seed)
gen_deals() {
    python3 "$HERE/../tests/reference/gen_deals.py" --seed 42 --count "$1" >"$2"
}

# build_parse_only DIR: compiles the cJSON parse-only pass into DIR/parse_only
build_parse_only() {
    cc -O2 -o "$1/parse_only" "$HERE/parse_only.c" $(pkg-config --cflags --libs libcjson)
}

# best CMD...: best of REPEAT (default 3) wall-clock seconds of a command
best() {
    local best=999999
    for _ in $(seq "${REPEAT:-3}"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s.%N)
        best=$(echo "$t1 - $t0" | bc -l | awk -v b="$best" '{printf "%.3f", ($1 < b) ? $1 : b}')
    done
    echo "$best"
}

# rate N SECONDS: items per second
rate() { awk -v n="$1" -v t="$2" 'BEGIN {printf "%.0f", n / t}'; }

# percent A B: 100 * A / B, no decimals
percent() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", 100 * a / b}'; }

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
    build_parse_only "$1"
    cc -O2 -o "$1/gen_pipeline" "$HERE/gen_pipeline.c"
}
