#!/usr/bin/env bash
# bench_ratio.sh: the cost of scoring a deal against the cost of parsing it with
# cJSON (issue 18's headline). Side by side in one run, on small committees
# (`gen_pipeline --committee small`, ~8 stakeholders, ~3.7 KB a deal) and large
# ones (`--committee large`, ~22 stakeholders and ~44 ties, ~10 KB): the cJSON
# parse-only pass (benchmarks/parse_only.c, Debian's libcjson, default
# allocator) and `dealscore score --jobs 1` with the default policy, a trivial
# policy, --explain, --actions and --questions.
#
# Two measures. Instructions per deal from callgrind, start-up subtracted: each
# command runs over the first NCG and the first 2 NCG deals of the same file and
# the difference is divided by NCG; other work on the machine does not change
# them. --actions and --questions, which re-score each deal tens of times, run
# over NCG/4 and NCG/2 deals. Deals per CPU second: user + sys time (GNU time) over a larger file, best
# of REPEAT; unlike wall-clock time it does not count waiting for a core, but the
# load of the machine still moves it (caches are shared), so the load average is
# recorded.
#
# Knobs: NCG (deals for callgrind, default 200), N_SMALL / N_LARGE (deals for the
# wall clock, default 20000 / 8000), REPEAT (3), BENCH_QUICK=1 (a minute's
# smoke run: NCG 50, 2000 / 800 deals, one repeat), BENCH_MODES (a subset of
# "parse default trivial explain actions questions", e.g. "parse default" to
# measure one change in a few minutes). Writes results/05-ratio.md, and adds
# the headline to results/06-ratio-history.md: one row per run, so each change
# to the cost of a deal is on record with its before and after.
set -euo pipefail
. "$HERE/lib.sh"
if [ -n "${BENCH_QUICK:-}" ]; then
    NCG=${NCG:-50} N_SMALL=${N_SMALL:-2000} N_LARGE=${N_LARGE:-800} REPEAT=${REPEAT:-1}
fi
NCG=${NCG:-200}
N_SMALL=${N_SMALL:-20000}
N_LARGE=${N_LARGE:-8000}
export REPEAT=${REPEAT:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
build_tools "$WORK"
P=$HERE/policies

MODES=${BENCH_MODES:-parse default trivial explain actions questions}
label() {
    case $1 in
    parse) echo "cJSON parse only (default allocator)" ;;
    default) echo "\`score --jobs 1\`, default policy" ;;
    trivial) echo "\`score --jobs 1\`, trivial policy" ;;
    explain) echo "\`score --jobs 1 --explain\`" ;;
    actions) echo "\`score --jobs 1 --actions\`" ;;
    questions) echo "\`score --jobs 1 --questions\`" ;;
    esac
}
# command MODE FILE: sets CMD to the command line of a mode
command_of() {
    case $1 in
    parse) CMD=("$WORK/parse_only" "$2") ;;
    default) CMD=("$DS" score -q --jobs 1 "$2") ;;
    trivial) CMD=("$DS" score -q --jobs 1 --policy "$P/trivial.lua" "$2") ;;
    explain) CMD=("$DS" score -q --jobs 1 --explain "$2") ;;
    actions) CMD=("$DS" score -q --jobs 1 --actions "$2") ;;
    questions) CMD=("$DS" score -q --jobs 1 --questions "$2") ;;
    esac
}
# cpu CMD...: best of REPEAT user + sys seconds of a command
cpu() {
    local best=999999 t
    for _ in $(seq "$REPEAT"); do
        /usr/bin/time -o "$WORK/time" -f '%U %S' "$@" >/dev/null 2>&1 || true
        t=$(tail -n1 "$WORK/time" | awk '{print $1 + $2}')
        best=$(awk -v a="$t" -v b="$best" 'BEGIN {print ((a + 0 < b + 0) ? a : b)}')
    done
    echo "$best"
}
# instructions MODE FILE: callgrind's total instruction count of a run
instructions() {
    command_of "$1" "$2"
    valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "${CMD[@]}" >/dev/null 2>&1 || true
    awk '/^(summary|totals):/ {print $2; exit}' "$WORK/cg.out"
}
# per_deal MODE SIZE: instructions per deal, start-up subtracted
per_deal() {
    local one two n=$NCG
    case $1 in actions | questions) n=$(( NCG / 4 > 5 ? NCG / 4 : 5 )) ;; esac
    head -n "$n" "$WORK/$2.jsonl" >"$WORK/cg1.jsonl"
    head -n $((2 * n)) "$WORK/$2.jsonl" >"$WORK/cg2.jsonl"
    one=$(instructions "$1" "$WORK/cg1.jsonl")
    two=$(instructions "$1" "$WORK/cg2.jsonl")
    awk -v a="$one" -v b="$two" -v n="$n" 'BEGIN {printf "%.0f", (b - a) / n}'
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A ipd rate_of bytes
for mode in parse default trivial explain actions questions; do
    for size in small large; do ipd[$mode-$size]=-; rate_of[$mode-$size]=-; done
done
for size in small large; do
    n=$([ "$size" = small ] && echo "$N_SMALL" || echo "$N_LARGE")
    "$WORK/gen_pipeline" --seed 42 --committee "$size" --deals "$n" --jsonl "$WORK/$size.jsonl"
    bytes[$size]=$(($(stat -c %s "$WORK/$size.jsonl") / n))
    for mode in $MODES; do
        ipd[$mode-$size]=$(per_deal "$mode" "$size")
        command_of "$mode" "$WORK/$size.jsonl"
        t=$(cpu "${CMD[@]}")
        rate_of[$mode-$size]=$(rate "$n" "$t")
        echo "$size $mode: ${ipd[$mode-$size]} instructions/deal, ${rate_of[$mode-$size]} deals/s" >&2
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# x A B: A / B to 2 decimals, "-" for a mode not run
x() { if [ "$1" = - ] || [ "$2" = - ]; then echo -; else ratio "$1" "$2"; fi; }
{
    echo "## Scoring against parsing: the ratio (one thread)"
    echo
    echo "Deals from \`gen_pipeline --seed 42 --committee small|large\`: small committees"
    echo "(3 to 12 stakeholders, ${bytes[small]} bytes a deal) and large ones (16 to 28"
    echo "stakeholders, ~44 ties, ${bytes[large]} bytes a deal). Instructions per deal: callgrind"
    echo "over the first $NCG and $((2 * NCG)) deals, the difference divided by $NCG (start-up"
    echo "subtracted; --actions and --questions over $((NCG / 4 > 5 ? NCG / 4 : 5)) and twice that). Deals/s: deals per CPU second (user + sys), best of $REPEAT, over"
    echo "$N_SMALL small and $N_LARGE large deals. \"x parse\" is the run's instructions per deal over the parse-only"
    echo "pass's, and the parse-only rate over the run's: 1.00 or less is the goal of"
    echo "issue 18 for the default policy."
    echo
    echo "| run | small: instr/deal | x parse | deals/s | x parse | large: instr/deal | x parse | deals/s | x parse |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for mode in parse default trivial explain actions questions; do
        printf '| %s |' "$(label "$mode")"
        for size in small large; do
            printf ' %s | %s | %s | %s |' "${ipd[$mode-$size]}" \
                "$(x "${ipd[$mode-$size]}" "${ipd[parse-$size]}")" "${rate_of[$mode-$size]}" \
                "$(x "${rate_of[parse-$size]}" "${rate_of[$mode-$size]}")"
        done
        echo
    done
    echo
    echo "Headline: scoring with the default policy costs" \
        "**$(x "${ipd[default-small]}" "${ipd[parse-small]}")x** (small) and" \
        "**$(x "${ipd[default-large]}" "${ipd[parse-large]}")x** (large) the instructions" \
        "of a cJSON parse-only pass over the same deals, and runs at" \
        "$(x "${rate_of[default-small]}" "${rate_of[parse-small]}")x and" \
        "$(x "${rate_of[default-large]}" "${rate_of[parse-large]}")x its rate (deals per CPU second)."
    echo
    echo "Recorded $(date -u '+%Y-%m-%d %H:%M UTC') on: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)," \
        "$(nproc) cores, $(uname -sr). Load average (1, 5, 15 min) $LOAD_BEFORE before" \
        "the runs and $LOAD_AFTER after: CPU time does not count waiting for a core, but" \
        "other work still slows a run through shared caches; the instruction counts do" \
        "not move."
} >"$HERE/results/05-ratio.md"
cat "$HERE/results/05-ratio.md"
HIST=$HERE/results/06-ratio-history.md
if [ ! -e "$HIST" ]; then
    {
        echo "### The ratio, run after run"
        echo
        echo "One row per \`bench_ratio.sh\` run (default policy against the cJSON parse-only"
        echo "pass; instructions per deal, start-up subtracted): what each change did."
        echo
        echo "| date (UTC) | commit | small: default | parse | x parse | large: default | parse | x parse | load average |"
        echo "|---|---|---|---|---|---|---|---|---|"
    } >"$HIST"
fi
commit=$(git -C "$HERE" log -1 --format='%h %s' 2>/dev/null | cut -c1-70 | tr '|' '/')
[ -n "$(git -C "$HERE" status --porcelain -- ../core ../bindings ../scripts 2>/dev/null)" ] && commit="$commit (+ changes)"
echo "| $(date -u '+%Y-%m-%d %H:%M') | $commit | ${ipd[default-small]} | ${ipd[parse-small]} |" \
    "$(x "${ipd[default-small]}" "${ipd[parse-small]}") | ${ipd[default-large]} | ${ipd[parse-large]} |" \
    "$(x "${ipd[default-large]}" "${ipd[parse-large]}") | $LOAD_BEFORE |" >>"$HIST"
