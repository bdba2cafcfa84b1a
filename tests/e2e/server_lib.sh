# server_lib.sh: starting and stopping `dealscore serve` in end-to-end tests.
# Sourced after lib.sh. Servers listen on 127.0.0.1 port 0 (a free port, read
# back from the "listening on" log line); every server started is killed on exit.
SERVERS=""
CLIENT="$PY $SRC/tests/e2e/server_client.py"
trap 'for p in $SERVERS; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# start_server LOG ARGS...: sets SPID and PORT; returns 1 when it did not start
start_server() {
    local log=$1
    shift
    "$DS" serve --listen 127.0.0.1:0 --workers 2 "$@" 2>"$log" &
    SPID=$!
    SERVERS="$SERVERS $SPID"
    PORT=""
    for _ in $(seq 200); do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" 2>/dev/null | head -n 1)
        [ -n "$PORT" ] && return 0
        kill -0 "$SPID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# wait_exit PID: waits (at most 20 s) for a server to end; sets STATUS to its
# exit status ("running" when it had to be killed). Not in a subshell: wait needs
# the server to be our child.
wait_exit() {
    for _ in $(seq 400); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$1" 2>/dev/null; then
        kill -KILL "$1"
        wait "$1" 2>/dev/null
        STATUS=running
        return
    fi
    wait "$1"
    STATUS=$?
}

# stop_server: SIGTERM, then sets STATUS
stop_server() {
    kill -TERM "$SPID"
    wait_exit "$SPID"
}

# client SCENARIO ARGS...: runs one scenario of server_client.py against $PORT
client() {
    local scenario=$1
    shift
    $CLIENT "$scenario" "$PORT" "$@"
}
