#!/bin/sh
# The command line every command shares (bindings/cli/cli_opts.c): each command
# of the table answers --help on stdout with its usage; the policy budgets, -q and
# the shared numbers are taken by every command that scores, and bad values are
# refused with one message shape naming the command, the option and the value.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/e2e/server_lib.sh"
EX="$SRC/models/examples/pipeline.jsonl"

# ---- the command table ----
"$DS" --commands >"$TMP/commands"
check "--commands lists the eight commands" [ "$(wc -l <"$TMP/commands")" -eq 8 ]
"$DS" --help >"$TMP/help"
while IFS="$(printf '\t')" read -r name summary; do
    check "$name in the command list of --help" contains "$TMP/help" "^  $name  *$summary\$"
    expect_exit "$name --help" 0 "$DS" "$name" --help
    check "$name --help: its usage on stdout" contains "$TMP/out" "^usage: dealscore $name "
    check "$name --help: exit status documented" contains "$TMP/out" "^exit status:"
    check "$name --help: nothing on stderr" [ ! -s "$TMP/err" ]
    expect_exit "$name -h" 0 "$DS" "$name" -h
    expect_exit "$name with an unknown option" 2 "$DS" "$name" --no-such-option
    check "$name: the usage follows an unknown option" contains "$TMP/err" "^usage: dealscore $name "
done <"$TMP/commands"
expect_exit "an unknown command" 2 "$DS" frobnicate
check "an unknown command is named" contains "$TMP/err" "unknown command 'frobnicate'"

# ---- the budgets, on every command that runs a policy ----
cat >"$TMP/busy.lua" <<'LUA'
return { name = "busy", version = 1, score = function(deal)
  local n = 0
  for i = 1, 200000 do n = n + i end
  return { viability = 50, verdict = "shape", reasons = { "busy" } }
end }
LUA
head -n 1 "$EX" >"$TMP/one.jsonl"
BUSY="--policy $TMP/busy.lua"
expect_exit "score: within the model's budget" 0 "$DS" score -q $BUSY "$TMP/one.jsonl"
expect_exit "score --policy-instructions 1k" 1 "$DS" score -q $BUSY --policy-instructions 1k "$TMP/one.jsonl"
check "score: the deal ran out of its budget" contains "$TMP/out" '"code":"policy_timeout"'
expect_exit "explain --policy-instructions 1k" 1 "$DS" explain -q $BUSY --policy-instructions 1k "$TMP/one.jsonl"
check "explain: the deal ran out of its budget" contains "$TMP/err" "policy_timeout"
expect_exit "explain within the budget" 0 "$DS" explain -q $BUSY "$TMP/one.jsonl"
expect_exit "map --policy-instructions 1k" 1 "$DS" map $BUSY --policy-instructions 1k "$TMP/one.jsonl"
expect_exit "map within the budget" 0 "$DS" map $BUSY "$TMP/one.jsonl"
expect_exit "diff --policy-instructions 1k" 1 "$DS" diff $BUSY --policy-instructions 1k "$TMP/one.jsonl" "$TMP/one.jsonl"
expect_exit "diff within the budget" 0 "$DS" diff $BUSY "$TMP/one.jsonl" "$TMP/one.jsonl"
expect_exit "check --policy-instructions 1k" 1 "$DS" check --policy-instructions 1k "$TMP/busy.lua" "$TMP/one.jsonl"
check "check: the budget is named" contains "$TMP/out" "policy_timeout"
expect_exit "check within the budget" 0 "$DS" check "$TMP/busy.lua" "$TMP/one.jsonl"
# backtest: a closed deal scored past the budget is the policy's error
sed 's/"stage": "[a-z_]*"/"stage": "closed_won"/' "$TMP/one.jsonl" >"$TMP/won.jsonl"
expect_exit "backtest --policy-instructions 1k" 1 "$DS" backtest -q --bootstrap 0 -p busy="$TMP/busy.lua" --policy-instructions 1k "$TMP/won.jsonl"
expect_exit "backtest within the budget" 0 "$DS" backtest -q --bootstrap 0 -p busy="$TMP/busy.lua" "$TMP/won.jsonl"
expect_exit "backtest: FILE alone is named after the file" 0 "$DS" backtest -q --bootstrap 0 --format json -p "$TMP/busy.lua" "$TMP/won.jsonl"
check "backtest: the policy named busy" contains "$TMP/out" '"name": *"busy"'
for cmd in score explain map backtest check serve; do
    file="$TMP/busy.lua"
    [ $cmd = serve ] && file="--policy=$file"
    expect_exit "$cmd: a bad --policy-memory" 2 "$DS" $cmd --policy-memory lots "$file"
    check "$cmd: --policy-memory named" contains "$TMP/err" "^dealscore $cmd: --policy-memory takes megabytes (0 for no limit), not 'lots'\$"
    expect_exit "$cmd: a bad --policy-instructions" 2 "$DS" $cmd --policy-instructions -5 "$file"
    check "$cmd: --policy-instructions named" contains "$TMP/err" "^dealscore $cmd: --policy-instructions takes a count"
done

# serve: the budget reaches every worker (and survives a reload)
ask() { # ask PORT LINE: one request line, the answer on stdout
    $PY -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
sys.stdout.write(buf.decode())' "$1" "$2"
}
DEAL=$(cat "$TMP/one.jsonl")
if start_server "$TMP/log1" --policy "$TMP/busy.lua" --policy-instructions 1k; then
    ok
    ask "$PORT" "{\"id\": 1, \"op\": \"score\", \"deal\": $DEAL}" >"$TMP/a1"
    check "serve --policy-instructions: the deal ran out of its budget" contains "$TMP/a1" '"code":"policy_timeout"'
    stop_server
else
    fail "serve --policy-instructions 1k did not start: $(cat "$TMP/log1")"
fi
if start_server "$TMP/log2" --policy "$TMP/busy.lua"; then
    ok
    ask "$PORT" "{\"id\": 1, \"op\": \"score\", \"deal\": $DEAL}" >"$TMP/a2"
    check "serve within the model's budget scores" contains "$TMP/a2" '"viability"'
    stop_server
else
    fail "serve did not start: $(cat "$TMP/log2")"
fi

# ---- -q on every command ----
printf '%s\n' "$DEAL" | sed 's/"as_of": "[0-9-]*", //' >"$TMP/undated.jsonl"
for cmd in explain map; do
    expect_exit "$cmd without -q" 0 "$DS" $cmd "$TMP/undated.jsonl"
    check "$cmd: the as_of notice" contains "$TMP/err" "no as_of"
    expect_exit "$cmd -q" 0 "$DS" $cmd -q "$TMP/undated.jsonl"
    check "$cmd -q: nothing on stderr" [ ! -s "$TMP/err" ]
done
expect_exit "diff -q" 0 "$DS" diff -q "$TMP/undated.jsonl" "$TMP/undated.jsonl"
check "diff -q: nothing on stderr" [ ! -s "$TMP/err" ]
printf 'id,name,stage\nD1,One,proposal\n' >"$TMP/d.csv"
expect_exit "convert" 0 "$DS" convert "$TMP/d.csv"
check "convert: a summary" contains "$TMP/err" "1 deals written"
expect_exit "convert -q" 0 "$DS" convert -q "$TMP/d.csv"
check "convert -q: no summary" sh -c "! grep -q 'deals written' '$TMP/err'"

# ---- one number parser, one message shape ----
bad() { # bad NAME MESSAGE COMMAND...: exit 2 and the message on stderr
    local name=$1 msg=$2
    shift 2
    expect_exit "$name" 2 "$@"
    check "$name: said" contains "$TMP/err" "$msg"
}
bad "--jobs 0" "dealscore score: --jobs takes a number from 1 to 256, not '0'" "$DS" score --jobs 0 "$EX"
bad "--jobs 2.5" "--jobs takes a number from 1 to 256, not '2.5'" "$DS" score --jobs 2.5 "$EX"
bad "--jobs ' 2'" "--jobs takes" "$DS" score --jobs " 2" "$EX"
bad "--max-actions 1e2" "--max-actions takes a count 0..1000, not '1e2'" "$DS" score --max-actions 1e2 "$EX"
bad "--max-deal-memory 512k" "--max-deal-memory takes a size of 1M or more" "$DS" score --max-deal-memory 512k "$EX"
bad "--max-deal-memory 2T" "--max-deal-memory takes" "$DS" convert --max-deal-memory 2T "$TMP/d.csv"
bad "--min-move nan" "dealscore diff: --min-move takes a number 0..2, not 'nan'" "$DS" diff --min-move nan "$EX" "$EX"
bad "--holdout 1" "dealscore backtest: --holdout takes a share between 0 and 1" "$DS" backtest --holdout 1 "$EX"
bad "--seed -1" "dealscore backtest: --seed takes a non-negative integer, not '-1'" "$DS" backtest --seed -1 "$EX"
bad "--bins 101" "--bins takes a count from 2 to 100, not '101'" "$DS" backtest --bins 101 "$EX"
bad "--workers 0" "dealscore serve: --workers takes a number from 1 to 256, not '0'" "$DS" serve --workers 0
bad "--jobs 300 (serve)" "dealscore serve: --jobs takes a number from 1 to 256, not '300'" "$DS" serve --jobs 300
bad "--max-line 2G" "--max-line takes a number from 64 to 1073741824, not '2G'" "$DS" serve --max-line 2G
bad "--idle-timeout inf" "--idle-timeout takes seconds (0 for never), not 'inf'" "$DS" serve --idle-timeout inf
bad "--listen port" "--listen takes HOST:PORT with a numeric port" "$DS" serve --listen 127.0.0.1:70000
bad "--format (explain)" "dealscore explain: --format takes text or markdown, not 'html'" "$DS" explain --format html "$EX"
bad "--format (map)" "dealscore map: --format takes dot or svg, not 'png'" "$DS" map --format png "$EX"
bad "--format (diff)" "dealscore diff: --format takes jsonl or text, not 'csv'" "$DS" diff --format csv "$EX" "$EX"
bad "--format (backtest)" "dealscore backtest: --format takes text or json, not 'csv'" "$DS" backtest --format csv "$EX"
bad "--model twice" "dealscore explain: --model given twice" "$DS" explain -m a.json -m b.json "$EX"
bad "--output twice" "dealscore backtest: --output given twice" "$DS" backtest -o a -o b "$EX"
expect_exit "--max-deal-memory 1M is enough for the example" 0 "$DS" score -q --max-deal-memory 1M "$EX"
expect_exit "--seed 2^64-1" 0 "$DS" backtest -q --bootstrap 0 --seed 18446744073709551615 -p busy="$TMP/busy.lua" "$TMP/won.jsonl"
expect_exit "--idle-timeout 1.5 and --max-line 64K accepted" 2 "$DS" serve --idle-timeout 1.5 --max-line 64K --token-file "$TMP/none"
check "only the token file refused" contains "$TMP/err" "token-file"

# ---- one --policy parser ----
bad "--policy NAME with a space (score)" "dealscore score: --policy 'a b=x.lua': expected FILE or NAME=FILE" "$DS" score -p "a b=x.lua" "$EX"
bad "--policy NAME with a space (serve)" "dealscore serve: --policy 'a b=x.lua': expected FILE or NAME=FILE" "$DS" serve -p "a b=x.lua"
bad "--policy =FILE (backtest)" "dealscore backtest: --policy '=x.lua': expected FILE or NAME=FILE" "$DS" backtest -p =x.lua "$EX"
bad "serve: a NAME twice" "dealscore serve: --policy: the name 'a' is given twice" "$DS" serve -p a=x.lua -p a=y.lua
bad "backtest: a NAME twice" "dealscore backtest: --policy: the name 'busy' is given twice" "$DS" backtest -p "$TMP/busy.lua" -p busy=y.lua "$EX"

echo "cli_options: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
