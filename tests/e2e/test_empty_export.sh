#!/usr/bin/env bash
# The nightly job (QA finding 8): an export that yields no deal at all (an empty
# file, a header only, every row a footer) does not replace last night's output:
# score, convert and backtest leave -o FILE byte for byte as it was, say why on
# standard error (even with -q) and exit 1; explain and diff exit 1 too; backtest
# exits 1 when a policy judged no won or lost deal.
. "$(dirname "$0")/lib.sh"
EX=$SRC/models/examples/pipeline.jsonl
cd "$TMP" || exit 2
printf '"Opportunity Name","Opportunity ID","Stage","Amount","Close Date"\n' >header.csv
printf '"Opportunity Name","Opportunity ID","Stage","Amount","Close Date"\n\n\n"Total",,,,\n' >footer.csv
: >empty.jsonl
printf 'last night\0\001binary\n' >night.bin # bytes no run would write
keep() { cp night.bin "$1"; }
same_as_night() { cmp -s night.bin "$1"; }

for input in header.csv footer.csv; do
    for fmt in jsonl csv table; do
        keep res
        expect_exit "score $input -f $fmt: exit 1" 1 \
            "$DS" score -q --mapping salesforce "$input" -f "$fmt" -o res
        check "score $input -f $fmt: output untouched" same_as_night res
        check "score $input -f $fmt: says why" contains "$TMP/err" \
            "no deal to score (an empty input, a header only, or no usable row); res is left as it was"
    done
    keep res
    expect_exit "convert $input: exit 1" 1 "$DS" convert -q --mapping salesforce "$input" -o res
    check "convert $input: output untouched" same_as_night res
    check "convert $input: says why" contains "$TMP/err" "dealscore convert: no deal to write.*res is left as it was"
done
keep res
expect_exit "score of an empty JSONL file" 1 "$DS" score -o res empty.jsonl
check "score of an empty JSONL file: output untouched" same_as_night res
check "the summary still says 0 deals" contains "$TMP/err" "0 deals, 0 scored"
expect_exit "score of empty standard input" 1 sh -c "'$DS' score -q -o res </dev/null"
check "empty standard input: output untouched" same_as_night res
expect_exit "score with no -o" 1 "$DS" score -q empty.jsonl
check "no -o: says why, no file named" contains "$TMP/err" "no usable row)$"
expect_exit "no output file is created" 1 "$DS" score -q -o new.jsonl empty.jsonl
check "no output file is created: none" [ ! -e new.jsonl ]
check "no temporary file left behind" [ "$(ls -A | grep -c tmp-)" -eq 0 ]

# a deal in the export: the file is replaced as before (and only then)
expect_exit "one deal replaces the file" 0 "$DS" score -q -o res "$EX"
check "one deal: replaced" [ "$(grep -c '"verdict"' res)" -eq "$(grep -c . "$EX")" ]
# every row an error: no deal scored, the file is kept, the errors named on stderr
# (QA pass 2, F20; tests/e2e/test_nightly.sh)
printf '"Opportunity Name","Opportunity ID","Stage","Amount","Close Date"\n"A","006A","Closed Won","12abc","12/19/2026"\n' >bad.csv
keep res
expect_exit "every row an error" 1 "$DS" score -q --mapping salesforce bad.csv -o res
check "every row an error: output untouched" same_as_night res
check "every row an error: its error named" contains "$TMP/err" '^  bad_type: bad.csv:2 column 4'
keep res
expect_exit "convert, every row an error" 1 "$DS" convert -q --mapping salesforce bad.csv -o res
check "convert, every row an error: output untouched" same_as_night res
check "convert, every row an error: the row named" contains "$TMP/err" 'deal "006A".*bad_type'
check "convert, every row an error: the file left" contains "$TMP/err" "res is left as it was"
expect_exit "convert to stdout, every row an error" 1 "$DS" convert -q --mapping salesforce bad.csv
check "convert to stdout, every row an error: the row only" [ "$(wc -l <"$TMP/err")" -eq 1 ]

# explain and diff
expect_exit "explain of an empty file" 1 "$DS" explain empty.jsonl
check "explain: holds no deal" contains "$TMP/err" "empty.jsonl holds no deal"
expect_exit "explain of empty standard input" 1 sh -c "'$DS' explain - </dev/null"
expect_exit "diff, NEW empty" 1 "$DS" diff "$EX" empty.jsonl
check "diff, NEW empty: nothing compared" [ ! -s "$TMP/out" ]
check "diff, NEW empty: says NEW" contains "$TMP/err" "NEW empty.jsonl holds no deal.*nothing compared"
expect_exit "diff, OLD empty" 1 "$DS" diff -f text empty.jsonl "$EX"
check "diff, OLD empty: nothing compared" [ ! -s "$TMP/out" ]
check "diff, OLD empty: says OLD" contains "$TMP/err" "OLD empty.jsonl holds no deal"
expect_exit "diff, both with deals" 0 "$DS" diff "$EX" "$EX"

# backtest: nothing read, or nothing judged
keep rep
expect_exit "backtest of a header only" 1 "$DS" backtest -q --mapping salesforce header.csv -o rep
check "backtest of a header only: report untouched" same_as_night rep
check "backtest of a header only: says why" contains "$TMP/err" "no deal to measure.*rep is left as it was"
printf '%s\n' '{"id":"w","stage":"closed_won"}' '{"id":"l","stage":"closed_lost"}' >thin.jsonl
keep rep
expect_exit "backtest, all insufficient_data" 1 "$DS" backtest -q thin.jsonl -o rep
check "all insufficient_data: report untouched" same_as_night rep
check "all insufficient_data: says why" contains "$TMP/err" \
    "policy default judged no won or lost deal: of 2 closed, 2 were insufficient_data"
expect_exit "all insufficient_data, to stdout" 1 "$DS" backtest -q thin.jsonl
check "to stdout: the report still shows the counts" contains "$TMP/out" "insufficient_data (apart)  1 / 1"
expect_exit "--measure-insufficient measures them" 0 "$DS" backtest -q --measure-insufficient thin.jsonl -o rep
check "--measure-insufficient: report written" contains rep "won / lost deals  *1 / 1"
printf '%s\n' '{"id":"w","stage":"closed_won","fail":true}' '{"id":"l","stage":"closed_lost","fail":true}' >fail.jsonl
expect_exit "backtest, every deal an error" 1 "$DS" backtest -q -p "$SRC/tests/e2e/backtest/given.lua" fail.jsonl
check "every deal an error: says so" contains "$TMP/err" \
    "policy given judged no won or lost deal: of 2 closed, 0 were insufficient_data.* and 2 were errors"
printf '%s\n' '{"id":"o","stage":"discovery"}' >open.jsonl
expect_exit "deals but none closed: still a setup error" 2 "$DS" backtest -q open.jsonl

# the usage texts document it
for cmd in score convert backtest diff explain; do
    "$DS" "$cmd" --help | tr '\n' ' ' >help.txt
    check "$cmd --help: exit 1 when there is no deal" grep -q "exit status:.*1 .*no deal" help.txt
done
finish
