#!/usr/bin/env bash
# Outputs that never lose data (issue 13, item 5): -o through a temporary file
# and a rename, an output that is also an input refused, setup errors that leave
# the old output alone, `check` failing when it checked nothing, errors naming
# their input line, numeric ids, the CSV result columns, options a format cannot
# show, and the progress line kept off the terminal the results go to.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
cd "$TMP" || exit 2

# -o replaces the file only when the run completed
printf 'last night\n' >results.jsonl
printf 'error("broken policy")\n' >broken.lua
expect_exit "broken policy: setup error" 2 "$DS" score -q -p broken.lua -o results.jsonl "$EX"
check "broken policy: last night's results kept" [ "$(cat results.jsonl)" = "last night" ]
expect_exit "missing input: setup error" 2 "$DS" score -q -o results.jsonl "$EX" nope.jsonl
check "missing input: results kept" [ "$(cat results.jsonl)" = "last night" ]
expect_exit "bad model: setup error" 2 "$DS" score -q -m nope.json -o results.jsonl "$EX"
check "bad model: results kept" [ "$(cat results.jsonl)" = "last night" ]
check "no temporary file left behind" [ "$(ls -A | grep -c tmp-)" -eq 0 ]
chmod 640 results.jsonl
expect_exit "a complete run" 0 "$DS" score -q -o results.jsonl "$EX"
check "the results replace the old file" [ "$(wc -l <results.jsonl)" -eq "$(grep -c . "$EX")" ]
check "the file keeps its mode" [ "$(stat -c %a results.jsonl)" = 640 ]
check "no temporary file after success" [ "$(ls -A | grep -c tmp-)" -eq 0 ]
ln -s results.jsonl link.jsonl
expect_exit "through a symlink" 0 "$DS" score -q -o link.jsonl "$EX"
check "the symlink stays a symlink" [ -L link.jsonl ]

# an output that is also an input: refused before anything is read or written
cp "$EX" deals.jsonl
before=$(md5sum <deals.jsonl)
expect_exit "output = input" 2 "$DS" score -q deals.jsonl -o deals.jsonl
check "output = input: says so" contains "$TMP/err" "deals.jsonl is also an input"
expect_exit "output = ./input" 2 "$DS" score -q ./deals.jsonl -o "$TMP/deals.jsonl"
ln deals.jsonl hard.jsonl
expect_exit "output = a hard link of the input" 2 "$DS" score -q deals.jsonl -o hard.jsonl
ln -s deals.jsonl soft.jsonl
expect_exit "output = a symlink to the input" 2 "$DS" score -q soft.jsonl -o deals.jsonl
expect_exit "output = standard input" 2 sh -c "'$DS' score -q -o deals.jsonl <deals.jsonl"
printf 'id,name\nC1,x\n' >deals.csv
expect_exit "output = the CSV input" 2 "$DS" score -q --csv deals.csv -o deals.csv
check "the inputs are intact" [ "$(md5sum <deals.jsonl)" = "$before" ]
check "the CSV input is intact" [ "$(head -n 1 deals.csv)" = "id,name" ]

# a file option given twice is an error, not a silently dropped file
expect_exit "--csv twice" 2 "$DS" score --csv deals.csv --csv deals.csv
check "--csv twice: says so" contains "$TMP/err" "given twice"
expect_exit "--stakeholders twice" 2 "$DS" score --csv deals.csv --stakeholders a --stakeholders b
expect_exit "-o twice" 2 "$DS" score -o a -o b "$EX"

# options a format cannot show: a usage error, not work thrown away
expect_exit "--explain with csv" 2 "$DS" score --explain --format csv "$EX"
expect_exit "--actions with table" 2 "$DS" score --actions --format table "$EX"
expect_exit "--max-actions with csv" 2 "$DS" score --max-actions 3 --format csv "$EX"

# --format csv carries win probability, coverage and warnings
expect_exit "csv output" 0 "$DS" score -q --format csv "$EX"
check "csv header" [ "$(head -n 1 "$TMP/out" | tr -d '\r')" = "id,capability_roi,strategic_roi,measurable_roi,it_resistance,user_threat,viability,verdict,win_probability,coverage,reasons,warnings,error_code,error_path,error_message" ]
cov=$("$DS" score -q "$EX" | head -n 1 | grep -o '"coverage":[0-9.]*' | cut -d: -f2)
check "csv coverage is the result's" [ "$(sed -n 2p "$TMP/out" | cut -d, -f10)" = "$cov" ]

# every error names its input file and line; numeric ids are their decimal text
{ head -n 1 "$EX"; echo '{"id": 42, "stakeholders": [{"id": 1}, {"id": 2}], "relationships": [{"from": 1, "to": 2, "type": "peer"}]}';
  echo '{"id": 43, "stakeholders": [{"id": "a", "influence": 2}]}';
  echo '{"id": "S1", "stage": "Discovery"}'; echo '{"id": "S2", "stage": "Contract Sent"}'; } >ids.jsonl
expect_exit "numeric ids" 1 "$DS" score -q ids.jsonl
check "numeric id scored as text" contains "$TMP/out" '^{"id":"42".*"verdict"'
check "validation error keeps the numeric id" contains "$TMP/out" '"id":"43","error":{"code":"out_of_range","message":"ids.jsonl:3: \$.stakeholders\[0\].influence'
check "stage matched ignoring case" grep -q '"id":"S1".*"verdict"' "$TMP/out"
check "S1 has no stage warning" bash -c "! grep '\"id\":\"S1\"' '$TMP/out' | grep -q unknown_stage"
check "unknown stage: scored with a warning" grep -q '"id":"S2".*"verdict".*"warnings":\[[^]]*"unknown_stage"' "$TMP/out"

# check fails when it checked no deal
: >empty.jsonl
expect_exit "check on an empty file" 1 "$DS" check "$SRC/scripts/default.lua" empty.jsonl
check "check: says nothing was checked" contains "$TMP/err" "tried on no deal"
echo '{"id": "x", "amount": -1}' >bad.jsonl
expect_exit "check on invalid deals only" 1 "$DS" check "$SRC/scripts/default.lua" bad.jsonl
expect_exit "check on the examples" 0 "$DS" check "$SRC/scripts/default.lua" "$EX"

# the progress line is drawn on a terminal, but never into results on that same
# terminal (a pseudo-terminal stands in for the user's)
pty_run() { # OUT_TO_FILE: runs score with stderr (and stdout unless 1) on a pty
    $PY - "$DS" "$EX" "$1" <<'PY'
import os, pty, sys
ds, ex, to_file = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
pid, fd = pty.fork()
if pid == 0:
    if to_file:
        out = os.open("pty_results.jsonl", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out, 1)
    os.execv(ds, [ds, "score", ex])
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
os.waitpid(pid, 0)
sys.stdout.write("CLEAR" if b"\x1b[K" in data else "NONE")
PY
}
check "progress drawn on a terminal when results go to a file" [ "$(pty_run 1)" = CLEAR ]
check "no progress when results go to the same terminal" [ "$(pty_run 0)" = NONE ]
finish
