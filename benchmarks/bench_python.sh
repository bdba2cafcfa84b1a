#!/usr/bin/env bash
# bench_python.sh: the Python binding (bindings/python) against `dealscore score`
# on the same generated export: one thread, threads on one Engine, a pandas
# DataFrame, and the Dask example on a local cluster of worker processes; plus
# the cost of --actions --questions. Wall time and CPU time, since CPU seconds
# per deal is what the arithmetic of docs/scale.md needs and what other load on
# the machine disturbs least. Writes results/70-python.md.
set -euo pipefail
. "$HERE/lib.sh"
N=${N:-20000}
JOBS=$(nproc)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
build_tools "$WORK"
"$WORK/gen_pipeline" --seed 42 --deals "$N" --jsonl "$WORK/deals.jsonl"
PY=/usr/bin/python3
export PYTHONPATH
PYTHONPATH="$(dirname "$DS")/python"

# best_of CMD...: of REPEAT runs of a command printing "N SECONDS [MORE...]", the
# line with the fewest seconds, without N
best_of() {
    local best="" line
    for _ in $(seq "${REPEAT:-3}"); do
        line=$("$@" | cut -d' ' -f2-)
        if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN {exit !(a < b)}'; then
            best=$line
        fi
    done
    echo "$best"
}
# cli ARGS...: "N WALL CPU" for one dealscore score run
cli() {
    /usr/bin/time -f "$N %e %U %S" "$DS" score -q "$@" "$WORK/deals.jsonl" 2>&1 >/dev/null |
        tail -n1 | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'
}
py() { "$PY" "$HERE/py_score.py" "$1" "$WORK/deals.jsonl" ${2:+"$2"}; }

LOAD=$(cut -d' ' -f1 /proc/loadavg)
read -r t_1 c_1 < <(best_of cli --jobs 1)
read -r t_n c_n < <(best_of cli --jobs "$JOBS")
read -r t_aq c_aq < <(best_of cli --jobs 1 --actions --questions)
read -r t_py c_py < <(best_of py lines)
read -r t_pyaq c_pyaq < <(best_of py lines-aq)
read -r t_threads c_threads < <(best_of py threads "$JOBS")
read -r t_frame t_read c_frame < <(best_of py frame)
read -r t_dask t_dask_all _ < <(best_of py dask "$JOBS")

row() {
    echo "| $1 | $2 | $(rate "$N" "$2") | ${3:-} | ${3:+$(rate "$N" "$3")} |"
}
{
    echo "## The Python binding and Dask"
    echo
    echo "$N generated deals (\`gen_pipeline --seed 42\`), default model and policy; the"
    echo "Python runs through \`benchmarks/py_score.py\` (Debian's python3). Best of 3 runs;"
    echo "$JOBS cores, load average $LOAD before the runs. CPU seconds are user + system"
    echo "time of the process (for Dask, the workers' is not counted)."
    echo
    echo "| run | wall s | deals/s | CPU s | deals per CPU s |"
    echo "|---|---|---|---|---|"
    row "\`dealscore score --jobs 1\`" "$t_1" "$c_1"
    row "\`dealscore score --jobs $JOBS\`" "$t_n" "$c_n"
    row "\`dealscore score --jobs 1 --actions --questions\`" "$t_aq" "$c_aq"
    row "Python, one thread (\`engine.stream(open(path))\`)" "$t_py" "$c_py"
    row "Python, one thread, actions and questions" "$t_pyaq" "$c_pyaq"
    row "Python, $JOBS threads on one Engine" "$t_threads" "$c_threads"
    row "Python, \`engine.score(frame)\` (a DataFrame already read)" "$t_frame"
    row "Dask example, $JOBS worker processes, $((2 * JOBS)) partitions" "$t_dask"
    echo
    echo "The Dask row times the computation on a running local cluster; the whole run,"
    echo "starting and stopping the cluster's processes, took $t_dask_all s. pandas took"
    echo "$t_read s to read the export into the DataFrame"
    echo "(\`read_json(lines=True, precise_float=True)\`): $(rate "$N" "$t_read") deals/s, slower than scoring it."
} >"$HERE/results/70-python.md"
cat "$HERE/results/70-python.md"
