#!/usr/bin/env bash
# The nightly job's output is never damaged or misleading (QA pass 2: F23, F20,
# F8, F19). A --server that goes away mid-run stops the run (exit 3) and leaves
# -o FILE as it was; a run where no deal scored (every row an error) leaves it
# too and names the errors; SIGINT/SIGTERM/SIGHUP remove the temporary file and
# end the run by that signal; the replaced file keeps its group.
# Each step waits on a condition (a FIFO the run reads from, a process ending),
# never on a sleep standing in for one.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/e2e/server_lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
cd "$TMP" || exit 2
set -m # background runs get SIGINT as a user's Ctrl-C would (not ignored)
printf 'last night\0\001binary\n' >night.bin # bytes no run would write
keep() { cp night.bin "$1"; }
same_as_night() { cmp -s night.bin "$1"; }
no_temp_left() { [ "$(ls -A | grep -c '\.tmp-')" -eq 0 ]; }
# wait_for COND...: polls a condition (at most 20 s); 1 when it never held
wait_for() {
    for _ in $(seq 400); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}
has_temp() { [ "$(ls -A | grep -c '\.tmp-')" -ge 1 ]; }

# ---- F23: the --server goes away mid-run ----
# The run reads deals from a FIFO: the first ones are written, the server is
# stopped (and has ended), then more are written: at least those can never be
# answered, whatever the timing.
server_run() { # NAME HOW(KILL|TERM) JOBS OUTPUT(file|-)
    local name=$1 how=$2 jobs=$3 output=$4
    start_server "$TMP/$name.log" || {
        fail "$name: server did not start: $(cat "$TMP/$name.log")"
        return
    }
    rm -f in.fifo
    mkfifo in.fifo
    keep res
    local oflag=(-o res)
    [ "$output" = - ] && oflag=()
    "$DS" score --server "127.0.0.1:$PORT" -j "$jobs" in.fifo "${oflag[@]}" >"$TMP/$name.out" \
        2>"$TMP/$name.err" &
    local cpid=$!
    exec 3>in.fifo # returns once the run has connected and opened its input
    cat "$EX" >&3
    kill -"$how" "$SPID"
    wait_exit "$SPID"
    cat "$EX" "$EX" >&3
    exec 3>&-
    wait "$cpid"
    local rc=$?
    check "$name: exit 3 (stopped), not 1 ($rc)" [ "$rc" -eq 3 ]
    check "$name: says where and how far it got" grep -q \
        "in.fifo:[0-9]*: the connection to --server 127.0.0.1:$PORT ended; the run stopped after [0-9]* deals" \
        "$TMP/$name.err"
    check "$name: no server_gone row" [ "$(grep -c server_gone "$TMP/$name.out")" -eq 0 ]
    if [ "$output" = - ]; then
        check "$name: stdout holds only answered deals" \
            [ "$(grep -c '"verdict"' "$TMP/$name.out")" -eq "$(wc -l <"$TMP/$name.out")" ]
    else
        check "$name: -o left as it was" same_as_night res
        check "$name: says -o is left" contains "$TMP/$name.err" "; res is left as it was$"
        check "$name: no temporary file" no_temp_left
    fi
}
server_run "server killed" KILL 2 file
server_run "server killed, one job" KILL 1 file
server_run "graceful stop of the server" TERM 2 file
server_run "server killed, standard output" KILL 2 -

# ---- F20: every row an error (a forgotten --date-format, --encoding ...) ----
printf '"Opportunity Name","Opportunity ID","Stage","Amount","Close Date"\n' >bad.csv
for i in 1 2 3 4 5 6 7; do printf '"A%s","006A%s","Prospecting","12abc","12/19/2026"\n' $i $i >>bad.csv; done
keep res
expect_exit "every row an error: exit 1" 1 "$DS" score -q --mapping salesforce bad.csv -o res
check "every row an error: -o left as it was" same_as_night res
check "every row an error: says so, even with -q" contains "$TMP/err" \
    "no deal scored: all 7 deals had errors; res is left as it was. The first 5:"
check "every row an error: names the first errors" contains "$TMP/err" \
    "^  bad_type: bad.csv:2 column 4 (Amount): '12abc' is not a number"
check "every row an error: five of them" [ "$(grep -c '^  bad_type' "$TMP/err")" -eq 5 ]
check "every row an error: no temporary file" no_temp_left
printf '{"id":"x","amount":"zz"}\n' >one.jsonl
keep res
expect_exit "the one deal an error: exit 1" 1 "$DS" score -q -o res one.jsonl
check "the one deal an error: -o left as it was" same_as_night res
check "the one deal an error: named" contains "$TMP/err" \
    "the one deal had an error; res is left as it was. The error:"
expect_exit "every row an error, standard output: exit 1" 1 "$DS" score -q one.jsonl
check "standard output: the error row written" contains "$TMP/out" '"code":"bad_type"'
check "standard output: said" contains "$TMP/err" "no deal scored: the one deal had an error (see the results)"
cat one.jsonl "$EX" >mixed.jsonl
keep res
expect_exit "one deal scored among errors: replaced" 1 "$DS" score -q -o res mixed.jsonl
check "one deal scored among errors: the error row is in -o" contains res '"code":"bad_type"'

# ---- F8: a signal during -o ----
signal_run() { # SIGNAL JOBS EXPECTED_STATUS
    local sig=$1 jobs=$2 status=$3
    rm -f in.fifo
    mkfifo in.fifo
    keep res
    "$DS" score -j "$jobs" in.fifo -o res >/dev/null 2>"$TMP/sig.err" &
    local cpid=$!
    exec 3>in.fifo
    cat "$EX" "$EX" >&3
    check "SIG$sig: the temporary file exists while scoring" wait_for has_temp
    kill -"$sig" "$cpid"
    wait "$cpid"
    local rc=$?
    exec 3>&-
    check "SIG$sig -j $jobs: exit $status ($rc)" [ "$rc" -eq "$status" ]
    check "SIG$sig -j $jobs: -o left as it was" same_as_night res
    check "SIG$sig -j $jobs: the temporary file removed" no_temp_left
    check "SIG$sig -j $jobs: says so" contains "$TMP/sig.err" "dealscore score: interrupted; res is left as it was"
}
signal_run INT 2 130
signal_run TERM 2 143
signal_run TERM 1 143
signal_run HUP 2 129

# ---- F19: the replaced file keeps its group (and mode) ----
if [ "$(id -u)" -ne 0 ] || ! getent group daemon >/dev/null; then
    echo "note: not root or no group daemon: the group checks are skipped"
else
    keep res
    chgrp daemon res
    chmod 640 res
    expect_exit "group kept: a run" 0 "$DS" score -q -o res "$EX"
    check "group kept: daemon" [ "$(stat -c %G res)" = daemon ]
    check "group kept: mode 640" [ "$(stat -c %a res)" = 640 ]
    # a user not in that group cannot give it: the run says so (and still writes)
    mkdir -m 777 shared
    chmod 755 "$TMP"
    cp "$EX" shared/in.jsonl
    keep shared/res
    chown nobody:daemon shared/res
    chmod 664 shared/res
    as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
    if ! as_nobody "$DS" score -q shared/in.jsonl >/dev/null 2>&1; then
        # a checkout under /root (make fresh) is not readable by nobody
        echo "note: user nobody cannot run $DS on this checkout: the not-allowed group check is skipped"
    else
        expect_exit "group not allowed: the run completes" 0 \
            as_nobody "$DS" score -q -o shared/res shared/in.jsonl
        check "group not allowed: warned" contains "$TMP/err" \
            "warning: shared/res: its group daemon (1) cannot be kept (Operation not permitted)"
        check "group not allowed: the results written" [ "$(grep -c '"verdict"' shared/res)" -eq "$(grep -c . "$EX")" ]
    fi
fi
finish
