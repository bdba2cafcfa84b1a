#!/usr/bin/env bash
# run.sh DEALSCORE: runs every benchmarks/bench_*.sh with the program, each of
# which writes its figures to benchmarks/results/<name>.md, then rebuilds
# benchmarks/README.md from head.md, the machine description and those results.
# Only figures from this harness are quoted in the docs.
set -euo pipefail
DS=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
export DS HERE
mkdir -p "$HERE/results"
for bench in "$HERE"/bench_*.sh; do
    [ -n "${BENCH:-}" ] && [[ "$bench" != *"$BENCH"* ]] && continue
    echo "== $(basename "$bench")"
    bash "$bench"
done
{
    cat "$HERE/head.md"
    echo
    echo "## Machine"
    echo
    echo "Recorded $(date -u +%Y-%m-%d) on: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
    echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB memory, $(uname -sr), $(cc --version | head -n1)."
    for r in "$HERE"/results/*.md; do
        echo
        cat "$r"
    done
} >"$HERE/README.md"
echo "benchmarks/README.md updated"
