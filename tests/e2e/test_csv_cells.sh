#!/usr/bin/env bash
# Every bad cell of a CSV row is named, each with its column and line, in the one
# error row of its deal (a nightly export with three broken cells in a row needs
# one fix, not three runs); the rest of the batch is scored.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
q="'"

# a deal row with three bad cells, the last on the second line of a quoted cell
{
    echo 'id,name,amount,solution.prototype,close_date,solution.capability'
    echo 'C1,fine,10,true,2026-01-31,0.5'
    echo 'C2,three bad,12abc,maybe,2026-01-31,"high'
    echo 'er"'
    echo 'C3,one bad,10,true,2026-02-30,0.5'
    echo 'C4,fine too,20,false,2026-03-31,0.4'
} >cells.csv
printf 'deal_id,id,influence,can_buy,last_contact\nC1,a,lots,perhaps,2026-01-01\nC4,b,0.5,yes,2026-01-01\n' >cells_contacts.csv
expect_exit "bad cells: exit 1" 1 "$DS" score --csv cells.csv --stakeholders cells_contacts.csv
cp "$TMP/out" cells.out
check "bad cells: one row per deal" [ "$(wc -l <cells.out)" -eq 4 ]
check "bad cells: the good deal is scored" contains cells.out '"id":"C4","policy"'
check "bad cells: every bad cell of the row, each with line and column" contains cells.out \
    "\"id\":\"C2\",\"error\":{\"code\":\"bad_type\",\"message\":\"cells.csv:3 column 3 (amount): ${q}12abc${q} is not a number; line 3 column 4 (solution.prototype): ${q}maybe${q} is not true or false (yes/no, 1/0); line 3 column 6 (solution.capability): ${q}high\\\\ner${q} is not a number\",\"path\":\"\$.amount\"}"
check "bad cells: one bad cell, as before" contains cells.out \
    "\"id\":\"C3\",\"error\":{\"code\":\"bad_date\",\"message\":\"cells.csv:5 column 5 (close_date): ${q}2026-02-30${q} is not a date (YYYY-MM-DD)\",\"path\":\"\$.close_date\"}"
check "bad cells: a stakeholder row's bad cells, all of them" contains cells.out \
    "\"id\":\"C1\",\"error\":{\"code\":\"bad_type\",\"message\":\"cells_contacts.csv:2 column 3 (influence): ${q}lots${q} is not a number; line 2 column 4 (can_buy): ${q}perhaps${q} is not true or false (yes/no, 1/0)\",\"path\":\"\$.stakeholders\[0\].influence\"}"

# several bad stakeholder rows of one deal: each named, after the first (whose path the error has)
printf 'id,name\nX1,one\nX2,two\n' >rows.csv
printf 'deal_id,id,influence,can_buy\nX1,a,lots,perhaps\nX1,b,0.5,yes\nX1,c,much,1\nX2,d,0.5,no\n' >rows_contacts.csv
expect_exit "bad rows: exit 1" 1 "$DS" score -q --csv rows.csv --stakeholders rows_contacts.csv
check "bad rows: every bad row of the deal, each cell" contains "$TMP/out" \
    "\"id\":\"X1\",\"error\":{\"code\":\"bad_type\",\"message\":\"rows_contacts.csv:2 column 3 (influence): ${q}lots${q} is not a number; line 2 column 4 (can_buy): ${q}perhaps${q} is not true or false (yes/no, 1/0); rows_contacts.csv:4 column 3 (influence): ${q}much${q} is not a number\",\"path\":\"\$.stakeholders\[0\].influence\"}"
check "bad rows: the other deal scored" contains "$TMP/out" '"id":"X2","policy"'
{
    echo 'deal_id,id,influence'
    for i in $(seq 1 40); do echo "X1,p$i,not-a-number-at-all-$i"; done
} >many_rows.csv
expect_exit "many bad rows: exit 1" 1 "$DS" score -q --csv rows.csv --stakeholders many_rows.csv
n_named=$(grep '"id":"X1"' "$TMP/out" | grep -o 'is not a number' | wc -l)
n_more=$(grep '"id":"X1"' "$TMP/out" | sed -n 's/.*; and \([0-9]*\) more bad rows of the deal".*/\1/p')
check "many bad rows: named and counted make all forty" [ "$((n_named + ${n_more:-0}))" -eq 40 ]
check "many bad rows: several named" [ "$n_named" -ge 4 ]

# a row whose cells are all bad: as many as the message holds are named, the rest counted
# fifteen number columns of the plain mapping, every cell bad
cols="amount solution.capability solution.strategic solution.measurable.annual_benefit solution.measurable.cost solution.measurable.payback_months solution.measurable.confidence solution.it_workload solution.it_career solution.in_house_alternative solution.data_readiness solution.security_risk solution.user_change solution.user_transparency solution.user_benefit"
{
    printf 'id'
    for c in $cols; do printf ',%s' "$c"; done
    printf '\nW1'
    for c in $cols; do printf ',not-a-number-in-%s-at-all' "$c"; done
    printf '\nW2'
    for c in $cols; do printf ',0.5'; done
    printf '\n'
} >wide.csv
expect_exit "wide bad row: exit 1" 1 "$DS" score -q --csv wide.csv
check "wide bad row: the next deal scored" contains "$TMP/out" '"id":"W2","policy"'
n_named=$(grep '"id":"W1"' "$TMP/out" | grep -o 'is not a number' | wc -l)
n_more=$(grep '"id":"W1"' "$TMP/out" | sed -n 's/.*; and \([0-9]*\) more bad cells in the row".*/\1/p')
check "wide bad row: several cells named" [ "$n_named" -ge 4 ]
check "wide bad row: named and counted make all fifteen" [ "$((n_named + ${n_more:-0}))" -eq 15 ]
check "wide bad row: the message is valid JSON" "$PY" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/out"

# convert names them too (the same library path)
expect_exit "convert: exit 1" 1 "$DS" convert --csv cells.csv
check "convert: every bad cell said" contains "$TMP/err" "line 3 column 6 (solution.capability)"

finish
