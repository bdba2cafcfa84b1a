#!/usr/bin/env bash
# print() in policies is capped per call (100 lines or 64 KB, then one line
# saying how many more were suppressed), in `score`, `check` and `serve`; with
# `serve --log-format json` each print is a JSON log record with the time, the
# level and the policy's name, like the service's other lines.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
head -n 2 "$SRC/models/examples/pipeline.jsonl" >"$TMP/two.jsonl"

# N short lines a call, and long lines without end
cat >"$TMP/lines.lua" <<'LUA'
return { name = "lines", version = 1, score = function(deal)
  for i = 1, 250 do print("line", i, deal.id) end
  return { viability = 50, verdict = "shape" }
end }
LUA
cat >"$TMP/flood.lua" <<'LUA'
local s = ("A"):rep(5000)
return { name = "flood", version = 1, score = function()
  for i = 1, 1e9 do print(s) end
end }
LUA
cat >"$TMP/few.lua" <<'LUA'
return { name = "few", version = 1, score = function(deal)
  print("looking at", deal.id, "\"quoted\"\n\27[31m")
  return { viability = 50, verdict = "shape" }
end }
LUA

expect_exit "100 lines a call (score)" 0 "$DS" score -q --policy "$TMP/lines.lua" "$TMP/two.jsonl"
check "100 lines a deal, each deal's own" [ "$(grep -c '^policy: line	[0-9]*	' "$TMP/err")" -eq 200 ]
check "lines 1..100 of each deal" [ "$(grep -c '^policy: line	100	' "$TMP/err")" -eq 2 ]
check "no line past 100" [ "$(grep -c '^policy: line	101	' "$TMP/err")" -eq 0 ]
check "one suppressed line a deal" [ "$(grep -c '^policy: 150 more lines suppressed' "$TMP/err")" -eq 2 ]

expect_exit "a flood ends on its budget" 1 "$DS" score -q --policy "$TMP/flood.lua" "$TMP/two.jsonl"
check "a flood writes at most 64 KB and a line a deal ($(wc -c <"$TMP/err") bytes)" \
    [ "$(wc -c <"$TMP/err")" -lt $((2 * (64 * 1024 + 4200 + 200))) ]
check "the flood's suppressed lines counted" [ "$(grep -c 'more lines suppressed' "$TMP/err")" -eq 2 ]
check "results are clean JSON" [ "$(grep -vc '^{' "$TMP/out")" -eq 0 ]

expect_exit "check caps print too" 0 "$DS" check -q "$TMP/lines.lua" "$TMP/two.jsonl"
check "check: 100 lines a deal" [ "$(grep -c '^policy: line' "$TMP/err")" -eq 200 ]

# the service, JSON logs: every line of its log is one JSON object
start_server "$TMP/serve.log" --log-format json --policy "default=$SRC/scripts/default.lua" \
    --policy "lines=$TMP/lines.lua" --policy "few=$TMP/few.lua" || fail "serve did not start"
$PY - "$PORT" "$TMP/two.jsonl" <<'PY' >"$TMP/answers" 2>&1
import json, socket, sys
port, deals = int(sys.argv[1]), [json.loads(l) for l in open(sys.argv[2])]
s = socket.create_connection(("127.0.0.1", port), timeout=20)
f = s.makefile("rwb")
for i, policy in enumerate(["lines", "few", "lines"]):
    f.write((json.dumps({"id": str(i), "policy": policy, "deal": deals[i % 2]}) + "\n").encode())
f.flush()
for _ in range(3):
    print(f.readline().decode().strip())
PY
check "three answers" [ "$(grep -c '"verdict"' "$TMP/answers")" -eq 3 ]
stop_server
check "serve exits 0" [ "$STATUS" = 0 ]
$PY - "$TMP/serve.log" <<'PY' >"$TMP/logcheck" 2>&1
import json, sys
recs = []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    try:
        recs.append(json.loads(line))
    except ValueError:
        sys.exit("line %d is not JSON: %r" % (n, line[:200]))
prints = [r for r in recs if "policy" in r]
assert all(set(r) == {"time", "level", "policy", "msg"} and r["level"] == "info" and r["time"].endswith("Z")
           for r in prints), prints[:3]
lines = [r for r in prints if r["policy"] == "lines"]
assert len(lines) == 2 * 101, len(lines)
assert sum("150 more lines suppressed" in r["msg"] for r in lines) == 2, lines[-1]
few = [r["msg"] for r in prints if r["policy"] == "few"]
assert few == ['looking at\tCSB-2026-031\t"quoted"\\n\\x1b[31m'], few
print("ok", len(recs))
PY
check "JSON log: $(cat "$TMP/logcheck")" [ "$(head -c 2 "$TMP/logcheck")" = ok ]

# text logs: a print is a line with the time, the level and the policy
start_server "$TMP/serve2.log" --policy "default=$SRC/scripts/default.lua" --policy "few=$TMP/few.lua" ||
    fail "serve did not start"
$PY - "$PORT" "$TMP/two.jsonl" <<'PY' >/dev/null 2>&1
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
f = s.makefile("rwb")
f.write((json.dumps({"id": "1", "policy": "few", "deal": json.loads(open(sys.argv[2]).readline())}) + "\n").encode())
f.flush()
f.readline()
PY
stop_server
check "text log: a print line with time, level and policy" \
    grep -q '^20[0-9-]*T[0-9:.]*Z info policy few: looking at\\x09NBM-2026-014\\x09"quoted"\\n\\x1b\[31m$' "$TMP/serve2.log"
finish
