#!/usr/bin/env bash
# run.sh BUILD FUZZ_BUILD DOC: the long reliability runs (make reliability), and
# their figures written into DOC between the markers
#   <!-- figures:begin --> and <!-- figures:end -->
# Runs: every JSONTestSuite file and the naughty strings through the program and
# the service (badinput.py), hostile policies (hostile.py), bad clients of the
# service (server_faults.py), the
# whole end-to-end suite with every program run under valgrind memcheck
# (memcheck.sh), allocation failure injected at every allocation (test_faults),
# huge inputs against the per-deal memory limit (limits.py), hostile clients
# (hostile_clients.py), and the fuzzing
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

step "faults in the service"
$PY "$SRC/tests/reliability/server_faults.py" "$DS" "$SRC" --report "$OUT/faults-server.json" \
    >"$OUT/faults-server.txt" 2>&1 || status=1
tail -n 1 "$OUT/faults-server.txt" >&2

step "hostile clients: NUL bytes, overflow, committees, token, file limit, log lines"
$PY "$SRC/tests/reliability/hostile_clients.py" "$DS" "$SRC" --report "$OUT/hostile-clients.json" \
    >"$OUT/hostile-clients.txt" 2>&1 || status=1
tail -n 1 "$OUT/hostile-clients.txt" >&2

step "hostile service clients: UTF-8, ids, slow loris, floods, half-close, oversize, reloads, churn"
$PY "$SRC/tests/reliability/hostile_service.py" "$DS" "$SRC" >"$OUT/hostile-service.txt" 2>&1 || status=1
tail -n 1 "$OUT/hostile-service.txt" >&2

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
$PY - "$OUT/faults-server.json" >"$OUT/faults-server.md" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("no report (the run failed to start)")
    sys.exit()
f = r["figures"]
def codes(d):
    return ", ".join("%s %d" % kv for kv in sorted(d.items())) or "none"
rows = [
    ("connections at once", "%d, every one scored (%d answered)" % (f.get("connections at once", 0), f.get("connections answered", 0))),
    ("1,100 at once, past --max-connections 1024", "%s answered, %s refused with too_many_connections"
     % (f.get("over the limit: answered", "?"), f.get("over the limit: refused", "?"))),
    ("slow loris, a byte a second", "%s bytes sent; %s pings served meanwhile (slowest %s ms); closed %s s after going quiet (--idle-timeout 3)"
     % (f.get("slow-loris: bytes sent, one a second"), f.get("slow-loris: pings served meanwhile"),
        f.get("slow-loris: slowest ping (ms)"), f.get("slow-loris: closed after quiet (s)"))),
    ("a client that never reads", "%s MB of explain requests sent before the server stopped reading it; server RSS +%s MiB"
     % (f.get("no-reader: MB sent before the server stopped reading"), f.get("no-reader: server RSS growth (MiB)"))),
    ("lines over --max-line (1 MiB)", "%s lines of %s; each line_too_long, the next request scored; server RSS +%s MiB"
     % (next((v for k, v in f.items() if k.startswith("long-lines: lines")), "?"),
        next((k[len("long-lines: lines of "):] for k in f if k.startswith("long-lines: lines")), "?"),
        f.get("long-lines: server RSS growth (MiB)"))),
    ("random bytes", "%s MB, %s lines, one error each (%s); the request after them scored"
     % (f.get("garbage: MB of random bytes"), f.get("garbage: lines answered"), codes(f.get("garbage: answers by code", {})))),
    ("abrupt disconnects", "%s clients sent 60 explain requests and vanished (reset or close, half of them mid-answer); all closed, the server served on"
     % f.get("disconnects: clients that vanished")),
    ("reload under load", "%s reloads while %s pipelined requests were answered, every one with a result"
     % (f.get("reload: reloads"), f.get("reload: requests answered during reloads"))),
    ("SIGTERM with requests in flight", "%s of %s pipelined requests answered before the close; stopped in %s s, exit %s"
     % (f.get("sigterm: answered before the close"), f.get("sigterm: requests in flight"),
        f.get("sigterm: seconds to stop"), f.get("sigterm: exit status"))),
]
print("| fault | outcome |")
print("|---|---|")
for name, outcome in rows:
    print("| %s | %s |" % (name, outcome))
print()
print("Over the run: %s requests answered; errors by code: %s; %s connections accepted, %s refused, %s closed idle, %s backpressure pauses."
      % (f.get("requests answered"), codes(f.get("errors by code", {})), f.get("connections accepted"),
         f.get("connections refused"), f.get("connections closed idle"), f.get("backpressure pauses")))
print("Server RSS: %s MiB before, %s MiB at its peak, %s MiB after; %s crashes. %d checks passed, %d failed (%s s)."
      % (f.get("server RSS before (MiB)"), f.get("server RSS peak (MiB)"), f.get("server RSS after (MiB)"),
         f.get("crashes"), r["passed"], r["failed"], f.get("seconds")))
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
    echo "**Faults in the service** (\`tests/reliability/server_faults.py build/dealscore .\`, 2 workers,"
    echo "loopback, default limits but \`--idle-timeout 3\`):"
    echo
    cat "$OUT/faults-server.md"
    echo
    echo "**Hostile clients** (\`tests/reliability/hostile_clients.py build/dealscore .\`: NUL bytes in ids"
    echo "and lines, a return that overflows, committees of 300 to 3,000 with --actions, a NUL in the token"
    echo "file, 80 clients over a limit of 64 open files, log lines forged through a policy's error):"
    echo
    $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); f=r["figures"]; print("%d checks passed, %d failed; committees with --actions, seconds (wall clock): %s." % (r["passed"], r["failed"], ", ".join("%s members %s s" % (k.split("_")[1], v) for k, v in sorted(f.items(), key=lambda kv: int(kv[0].split("_")[1])))))' \
        "$OUT/hostile-clients.json" 2>/dev/null || echo "no report (the run failed to start)"
    echo
    echo "**Hostile service clients** (\`tests/reliability/hostile_service.py build/dealscore .\`, by class):"
    echo "$(grep -E '^[a-z0-9]+ +(ok|FAILED)$' "$OUT/hostile-service.txt" | tr -s ' ' | paste -sd ',' | sed 's/,/, /g');"
    echo "$(tail -n 1 "$OUT/hostile-service.txt")."
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
