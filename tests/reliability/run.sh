#!/usr/bin/env bash
# run.sh BUILD FUZZ_BUILD DOC: the long reliability runs (make reliability), and
# their figures written into DOC between the markers
#   <!-- figures:begin --> and <!-- figures:end -->
# Runs: every JSONTestSuite file and the naughty strings (badinput.py), the
# whole end-to-end suite with every program run under valgrind memcheck
# (memcheck.sh), allocation failure injected at every allocation (test_faults),
# huge inputs against the per-deal memory limit (limits.py), and the fuzzing
# figures that `make fuzz` left in FUZZ_BUILD/fuzz-results.tsv.
# Fails when any of them fails; the figures are written either way.
set -u
BUILD=$1
FUZZ_BUILD=$2
DOC=$3
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DS=$BUILD/dealscore
PY=/usr/bin/python3
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
status=0
step() { echo "== $*" >&2; }

step "bad input: JSONTestSuite and naughty strings"
$PY "$SRC/tests/reliability/badinput.py" "$DS" "$SRC" --report "$OUT/badinput.json" >"$OUT/badinput.txt" 2>&1 || status=1
tail -n 1 "$OUT/badinput.txt" >&2
$PY "$SRC/tests/reliability/badinput.py" "$DS" "$SRC" --via tcp --report "$OUT/badinput-tcp.json" \
    >"$OUT/badinput-tcp.txt" 2>&1 || status=1
tail -n 1 "$OUT/badinput-tcp.txt" >&2

step "hostile policies through score and serve"
$PY "$SRC/tests/reliability/hostile.py" "$DS" "$SRC" --report "$OUT/hostile.json" >"$OUT/hostile.txt" 2>&1 || status=1
tail -n 1 "$OUT/hostile.txt" >&2

step "valgrind memcheck over the end-to-end suite"
scripts=$(ls "$SRC"/tests/e2e/test_*.sh | grep -v test_memcheck.sh)
MEMCHECK_REPORT=$OUT/memcheck.txt "$SRC/tests/reliability/memcheck.sh" "$DS" "$SRC" $scripts >&2 || status=1
read -r vg_runs vg_errors vg_lost <"$OUT/memcheck.txt" || true

step "allocation failures"
"$BUILD/tests/test_faults" >"$OUT/faults.txt" 2>&1 || status=1
faults=$(sed -n 's/^faults: //p' "$OUT/faults.txt")
fault_result=$(grep -q PASSED "$OUT/faults.txt" && echo "every one ended in an out_of_memory error line, and the deal scored identically afterwards" || echo "FAILED")

step "huge inputs against the per-deal memory limit"
$PY "$SRC/tests/reliability/limits.py" "$DS" >"$OUT/limits.md" || status=1

fuzz_rows=""
fuzz_total=0
if [ -s "$FUZZ_BUILD/fuzz-results.tsv" ]; then
    while IFS=$'\t' read -r h secs execs corpus crashes; do
        fuzz_rows+="| $h | $secs s | $execs | $corpus | $crashes |"$'\n'
        fuzz_total=$((fuzz_total + execs))
        [ "$crashes" = 0 ] || status=1
    done <"$FUZZ_BUILD/fuzz-results.tsv"
fi

$PY - "$OUT/badinput.json" "$OUT/badinput-tcp.json" >"$OUT/badinput.md" <<'PY'
import json, sys
for path, how in zip(sys.argv[1:], ("`dealscore score`", "`dealscore serve` (`--via tcp`)")):
    try:
        r = json.load(open(path))
    except (OSError, ValueError):
        print("- through %s: no report (the run failed to start)." % how)
        continue
    f = r["figures"]
    print("Through %s:" % how)
    print()
    print("- %d JSONTestSuite files (%d y_, %d n_, %d i_), each followed by a valid deal in the same stream:"
          % (f["files"], f.get("files y", 0), f.get("files n", 0), f.get("files i", 0)))
    print("  every run ended normally, every following deal was scored once; error lines by code: %s;"
          % ", ".join("%s %d" % (k[6:], v) for k, v in sorted(f.items()) if k.startswith("error ")))
    print("  %d streams hold zero deals (see below)." % f.get("zero-deal streams", 0))
    print("- %d naughty strings as deal ids, names, accounts, stakeholder ids, names and titles, with"
          " --explain: every id came back byte for byte." % f.get("naughty strings", 0))
    print("- %d checks passed, %d failed (%.1f s)." % (r["passed"], r["failed"], f["seconds"]))
    print()
PY
$PY - "$OUT/hostile.json" >"$OUT/hostile.md" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("no report (the run failed to start)")
    sys.exit()
print("| policy | expected | `dealscore score` | time | `dealscore serve` | time |")
print("|---|---|---|---:|---|---:|")
for name, code, got_score, s_time, got_serve, v_time in r["rows"]:
    print("| %s | %s | %s | %.2f s | %s | %.2f s |" % (name, code, got_score, s_time, got_serve, v_time))
print()
print("%d checks passed, %d failed: each hostile deal ended with its error, every deal after it"
      " (and the service's next request) was scored as without the hostile policy." % (r["passed"], r["failed"]))
PY

{
    echo "<!-- figures:begin -->"
    echo "Measured $(date -u +%Y-%m-%d) at commit $(git -C "$SRC" rev-parse --short HEAD) on $(nproc) cores"
    echo "($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)) by \`make reliability\`."
    echo
    echo "**Bad input** (\`tests/reliability/badinput.py build/dealscore . [--via tcp]\`):"
    echo
    cat "$OUT/badinput.md"
    echo "**Hostile policies** (\`tests/reliability/hostile.py build/dealscore .\`, the default budgets:"
    echo "10 million instructions, 64 MB; times are for two hostile deals and two normal ones):"
    echo
    cat "$OUT/hostile.md"
    echo
    echo "**Memory errors and leaks** (\`tests/reliability/memcheck.sh build/dealscore . tests/e2e/test_*.sh\`):"
    echo "${vg_runs:-?} runs of the program under valgrind memcheck over the end-to-end suite:"
    echo "${vg_errors:-?} errors, ${vg_lost:-?} bytes definitely or indirectly lost."
    echo
    echo "**Allocation failures** (\`build/tests/test_faults\`): ${faults:-?}, each refused in turn:"
    echo "$fault_result."
    echo
    echo "**Huge inputs** (\`tests/reliability/limits.py build/dealscore\`, default limit of 256 MiB per deal,"
    echo "each input followed by a valid deal):"
    echo
    cat "$OUT/limits.md"
    echo
    echo "**Fuzzing** (\`make fuzz FUZZ_SECONDS=N\`, libFuzzer with ASan and UBSan; corpora kept between runs):"
    echo
    echo "| harness | time | executions | corpus files | crashes |"
    echo "|---|---:|---:|---:|---:|"
    printf '%s' "$fuzz_rows"
    echo
    echo "Total: $fuzz_total executions in this run."
    echo "<!-- figures:end -->"
} >"$OUT/figures.md"

$PY - "$DOC" "$OUT/figures.md" <<'PY'
import sys
doc, figures = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read()
start, end = text.index("<!-- figures:begin -->"), text.index("<!-- figures:end -->")
open(doc, "w").write(text[:start] + figures.rstrip("\n") + text[end + len("<!-- figures:end -->"):])
PY
echo "figures written to $DOC" >&2
exit $status
