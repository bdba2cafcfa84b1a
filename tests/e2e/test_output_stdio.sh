#!/usr/bin/env bash
# `-o -` is standard output (as an input `-` is standard input), for every
# command that takes -o; an output that is the pipe or file being read (-o
# /dev/stdin under a pipe, standard output appended to an input) is refused
# with a clear error instead of hanging or eating its input (QA finding 7).
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
cd "$TMP" || exit 2
n=$(grep -c . "$EX")
printf 'Opportunity Name,Opportunity ID,Stage,Amount,Close Date\nDeal A,006A,Negotiation,1000,12/19/2026\nDeal B,006B,Closed Won,2000,12/20/2026\n' >opps.csv

# -o - writes to standard output and creates no file named -
expect_exit "score -o -" 0 "$DS" score -q -o - "$EX"
check "score -o -: results on stdout" [ "$(grep -c '"verdict"' "$TMP/out")" -eq "$n" ]
check "score -o -: no file named -" [ ! -e ./- ]
"$DS" score -q "$EX" >plain.jsonl
check "score -o -: the bytes of a run without -o" cmp -s plain.jsonl "$TMP/out"
expect_exit "score csv -o -" 0 "$DS" score -q --mapping salesforce opps.csv -o - --format csv
check "score csv -o -: header and two rows on stdout" [ "$(wc -l <"$TMP/out")" -eq 3 ]
expect_exit "convert -o -" 0 "$DS" convert -q --mapping salesforce opps.csv -o -
check "convert -o -: two deals on stdout" [ "$(grep -c '"id":"006' "$TMP/out")" -eq 2 ]
expect_exit "backtest -o -" 0 "$DS" backtest -q --won negotiation --lost proposal -f json "$EX" -o -
check "backtest -o -: the report on stdout" contains "$TMP/out" '"policies"'
check "no file named - after any command" [ ! -e ./- ]
expect_exit "-o - twice is still given twice" 2 "$DS" score -q -o - -o x.jsonl "$EX"
check "-o - twice: says so" contains "$TMP/err" "given twice"

# an output that is the pipe being read: refused at once, not a hang (timeout
# only bounds a regression; a correct run ends on its own)
expect_exit "score -o /dev/stdin under a pipe" 2 \
    timeout 20 sh -c "cat '$EX' | '$DS' score -q -o /dev/stdin"
check "-o /dev/stdin: names the pipe" contains "$TMP/err" "/dev/stdin is the pipe being read (standard input)"
expect_exit "score --csv - -o /dev/stdin" 2 \
    timeout 20 sh -c "cat opps.csv | '$DS' score -q --mapping salesforce --csv - -o /dev/stdin"
expect_exit "convert --csv - -o /dev/stdin" 2 \
    timeout 20 sh -c "cat opps.csv | '$DS' convert -q --mapping salesforce --csv - -o /dev/stdin"
expect_exit "backtest - -o /dev/stdin" 2 timeout 20 sh -c "cat '$EX' | '$DS' backtest -q - -o /dev/stdin"
mkfifo fifo
expect_exit "a named pipe as input and output" 2 timeout 20 "$DS" score -q fifo -o fifo
check "the named pipe: says so" contains "$TMP/err" "fifo is the pipe being read (fifo)"

# standard output that is an input (appending to it would read the results back)
cp "$EX" deals.jsonl
before=$(md5sum <deals.jsonl)
expect_exit "score FILE >> FILE" 2 sh -c "'$DS' score -q deals.jsonl >>deals.jsonl"
check "score FILE >> FILE: says standard output" contains "$TMP/err" "standard output is also an input (deals.jsonl)"
check "score FILE >> FILE: the input is intact" [ "$(md5sum <deals.jsonl)" = "$before" ]
expect_exit "convert >> its input" 2 sh -c "'$DS' convert -q --mapping salesforce opps.csv >>opps.csv"
expect_exit "backtest -o its input" 2 "$DS" backtest -q deals.jsonl -o deals.jsonl
expect_exit "backtest --calibrate its input" 2 "$DS" backtest -q deals.jsonl --calibrate deals.jsonl
check "backtest: the input is intact" [ "$(md5sum <deals.jsonl)" = "$before" ]
expect_exit "convert -o its stakeholders file" 2 \
    "$DS" convert -q --mapping salesforce opps.csv --stakeholders opps.csv -o opps.csv

# what may be read and written at once still is: a terminal-like device, /dev/null
expect_exit "stdin and stdout both /dev/null" 1 sh -c "'$DS' score -q </dev/null >/dev/null"
expect_exit "-o /dev/null" 0 "$DS" score -q -o /dev/null "$EX"
expect_exit "stdin a file, stdout another" 0 sh -c "'$DS' score -q - <deals.jsonl >other.jsonl"
check "stdin a file, stdout another: scored" [ "$(grep -c '"verdict"' other.jsonl)" -eq "$n" ]
finish
