#!/usr/bin/env bash
# deploy/dealscore.service: systemd accepts the unit as written (every
# sandboxing option parsed), and its commands work: ExecStart as written (the
# credential directory and the port put in) starts a server, ExecReload reloads
# its policies (SIGHUP), SIGTERM (KillSignal) stops it with 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
BUILD=$(dirname "$DS")
UNIT=$BUILD/dealscore.service
check "the unit is configured into the build" [ -s "$UNIT" ]
sed "s|^ExecStart=[^ ]*/dealscore |ExecStart=$DS |" "$UNIT" >"$TMP/dealscore.service"
systemd-analyze verify --man=no "$TMP/dealscore.service" >"$TMP/verify.out" 2>&1
rc=$?
check "systemd-analyze verify passes" [ "$rc" -eq 0 ]
check "systemd-analyze verify: no complaint ($(head -c 300 "$TMP/verify.out"))" [ ! -s "$TMP/verify.out" ]
for option in DynamicUser=yes ProtectSystem=strict ProtectHome=yes PrivateDevices=yes \
    NoNewPrivileges=yes 'CapabilityBoundingSet=$' SystemCallFilter=@system-service \
    MemoryDenyWriteExecute=yes RestrictAddressFamilies= 'ExecReload=/bin/kill -HUP \$MAINPID'; do
    check "the unit sets $option" grep -q "^$option" "$UNIT"
done

# ExecStart as written, with what systemd would give it
mkdir -p "$TMP/credentials"
echo 'unit-t0ken' >"$TMP/credentials/token"
chmod 600 "$TMP/credentials/token"
cmd=$(sed -n '/^ExecStart=/,/[^\\]$/p' "$UNIT" | sed 's/\\$//' | tr '\n' ' ' | sed 's/^ExecStart=//')
cmd=${cmd//'${CREDENTIALS_DIRECTORY}'/$TMP/credentials}
cmd=$(echo "$cmd" | sed "s|^[^ ]*/dealscore |$DS |; s|--listen 127.0.0.1:7411|--listen 127.0.0.1:0|")
check "ExecStart runs dealscore serve" grep -q "^$DS serve " <<<"$cmd"
eval "$cmd --workers 2 2>\"$TMP/unit.log\" &"
SPID=$!
SERVERS="$SERVERS $SPID"
PORT=""
for _ in $(seq 200); do
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/unit.log" | head -n 1)
    [ -n "$PORT" ] && break
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.05
done
check "ExecStart starts a server ($(head -c 300 "$TMP/unit.log"))" [ -n "$PORT" ]
check "its logs are JSON lines" $PY -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/unit.log"
reload=$(sed -n 's/^ExecReload=//p' "$UNIT")
MAINPID=$SPID
eval "${reload//'$MAINPID'/$MAINPID}"
for _ in $(seq 200); do grep -q 'reloaded: generation 2' "$TMP/unit.log" && break; sleep 0.05; done
check "ExecReload reloads the policies" grep -q 'reloaded: generation 2' "$TMP/unit.log"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer unit-t0ken' "http://127.0.0.1:$PORT/v1/stats")
check "the credential is the token" [ "$code" = 200 ]
stop_server
check "KillSignal SIGTERM stops it with 0" [ "$STATUS" = 0 ]
finish
