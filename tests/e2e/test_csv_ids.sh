#!/usr/bin/env bash
# CRM exports whose ids went wrong on the way (QA findings 2, 3, 11): ids Excel
# rounded to scientific notation (a warning naming file, line and column) and
# the duplicates they make (an error naming the line of the first, in convert as
# in score); Salesforce 15- and 18-character ids of one record joining (the
# case-safe suffix checked, and the case it encodes restored), and an error
# (exit 1) when no stakeholder row joins any deal; the first five rows of deals
# not in the deals file named in file order; a NUL byte in a cell; a header
# naming a column twice or leaving one unnamed; Excel's sep= line; and the last
# line of a run that could not start.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 2
HS=(--mapping hubspot --decimal , --date-format DD.MM.YYYY)

# ---- 2. ids Excel rounded ----
printf 'Record ID;Deal Name;Deal Stage;Close Date;Amount\n1,48723E+10;Forecast;Contract Sent;18.12.2026;1.200.000,00\n1,48723E+10;Chat;Appointment Scheduled;26.02.2027;38.000,00\n' >xl_deals.csv
printf 'Record ID;First Name;Last Name;Job Title;Buying Role;Associated Deal IDs\n51;Ana;Lima;CFO;Budget Holder;1,48723E+10\n52;Bo;Chen;Head of Data;Champion;1,48723E+10\n' >xl_contacts.csv
expect_exit "convert: Excel ids" 1 "$DS" convert -q "${HS[@]}" --stakeholders xl_contacts.csv xl_deals.csv
check "convert: one deal written, not two of one id" [ "$(grep -c '"id":"1,48723E+10"' "$TMP/out")" -eq 1 ]
check "convert: the hint names file, line and column" contains "$TMP/err" \
    'xl_deals.csv:2 column 1 (Record ID): the id "1,48723E+10" looks rounded by Excel to scientific notation'
check "convert: and the contacts' column" contains "$TMP/err" \
    'xl_contacts.csv:3 column 6 (Associated Deal IDs): the id "1,48723E+10" looks rounded by Excel'
check "convert: says how to fix it" contains "$TMP/err" "Export the ids as text"
check "convert: the duplicate names the first line" contains "$TMP/err" \
    'xl_deals.csv:3: deal id "1,48723E+10" is also the id of line 2.*(duplicate_id at \$.id)'
expect_exit "score: Excel ids" 1 "$DS" score -q "${HS[@]}" --stakeholders xl_contacts.csv xl_deals.csv
check "score: the second row a duplicate_id naming line 2" contains "$TMP/out" \
    '"id":"1,48723E+10","error":{"code":"duplicate_id","message":"xl_deals.csv:3: deal id \\"1,48723E+10\\" is also the id of line 2'
check "score: the first scored" [ "$(grep -c '"verdict"' "$TMP/out")" -eq 1 ]
check "score: the hint too" contains "$TMP/err" "looks rounded by Excel"
# a plain duplicate: the same error, no Excel hint; numbers that are ids are not hinted
printf 'Opportunity ID,Opportunity Name\n006A,a\n006B,b\n006A,c\n1.5E+3X,d\n' >dup.csv
expect_exit "convert: a repeated id" 1 "$DS" convert -q --mapping salesforce dup.csv
check "convert: a repeated id names its first line" contains "$TMP/err" 'dup.csv:4: deal id "006A" is also the id of line 2'
check "convert: no Excel hint for it" bash -c "! grep -q Excel '$TMP/err'"
check "convert: the other deals written" [ "$(wc -l <"$TMP/out")" -eq 3 ]
{ echo 'Opportunity ID,Opportunity Name'; for i in 1 2 3 4 5 6 7; do echo "$i.2345E+1$i,x$i"; done; } >many.csv
expect_exit "seven rounded ids, all different" 0 "$DS" convert -q --mapping salesforce many.csv
check "the first five named" [ "$(grep -c 'looks rounded by Excel' "$TMP/err")" -eq 5 ]
check "then the count" contains "$TMP/err" "7 ids in all look rounded by Excel"

# ---- 3. Salesforce 15- and 18-character ids ----
SFM=(--mapping salesforce)
printf '"Opportunity Name","Opportunity ID","Stage","Amount","Close Date"\n"Deal A","0065g00000AbCdEAAV","Negotiation/Review","100,000.00","12/19/2026"\n' >opps18.csv
printf '"Opportunity Name","Opportunity ID","Stage","Amount","Close Date"\n"Deal A","0065g00000AbCdE","Negotiation/Review","100,000.00","12/19/2026"\n' >opps15.csv
printf '"Opportunity ID","Contact ID","First Name","Last Name","Title","Role"\n"0065g00000AbCdE","0035g00000XyZaA","Daniel","Okafor","CFO","Economic Buyer"\n' >roles15.csv
printf '"Opportunity ID","Contact ID","First Name","Last Name","Title","Role"\n"0065g00000AbCdEAAV","0035g00000XyZaA","Daniel","Okafor","CFO","Economic Buyer"\n' >roles18.csv
# the same 18 characters upper-cased (a tool that ignores case): the suffix restores it
tr 'a-z' 'A-Z' <roles18.csv | sed 's/OPPORTUNITY ID/Opportunity ID/; s/CONTACT ID/Contact ID/; s/FIRST NAME/First Name/; s/LAST NAME/Last Name/; s/TITLE/Title/; s/ROLE/Role/' >roles18_upper.csv
for pair in "opps18.csv roles15.csv" "opps15.csv roles18.csv" "opps18.csv roles18_upper.csv"; do
    set -- $pair
    expect_exit "$1 with $2: joined" 0 "$DS" convert -q "${SFM[@]}" --stakeholders "$2" "$1"
    check "$1 with $2: the stakeholder is in the deal" contains "$TMP/out" '"stakeholders":\[{"id":"0035'
    check "$1 with $2: the deal keeps its own id" contains "$TMP/out" "\"id\":\"$(sed -n 2p "$1" | cut -d, -f2 | tr -d '"')\""
done
# a suffix that does not check (the case of AbCdE is V, not A): not the same record
sed 's/0065g00000AbCdEAAV/0065g00000AbCdEAAA/' opps18.csv >opps18_bad.csv
expect_exit "a suffix that does not check: no row joins" 1 "$DS" convert -q "${SFM[@]}" --stakeholders roles15.csv opps18_bad.csv
check "no row joins: says so, naming both ids" contains "$TMP/err" \
    'no row of roles15.csv joined a deal of opps18_bad.csv: none of its 1 deal ids is there (roles15.csv:2 has "0065g00000AbCdE", opps18_bad.csv:2 "0065g00000AbCdEAAA")'
check "no row joins: the deal is still written" [ "$(wc -l <"$TMP/out")" -eq 1 ]
expect_exit "no row joins: score exits 1 too" 1 "$DS" score -q "${SFM[@]}" --stakeholders roles15.csv opps18_bad.csv
"$DS" score "${SFM[@]}" --stakeholders roles15.csv opps18_bad.csv >/dev/null 2>"$TMP/err"
check "no row joins: the summary counts the row as unusable" contains "$TMP/err" "(1 unusable CSV rows)"
# one row joins: the others are only warned about (a contacts export covers every deal)
{ cat roles15.csv; for i in 7 3 9 1 8 2 5; do echo "\"0065g00000Other$i\",\"0035g0000000$i\",\"A\",\"B\",\"CEO\",\"Other\""; done; } >roles_more.csv
expect_exit "some rows join: exit 0" 0 "$DS" convert -q "${SFM[@]}" --stakeholders roles_more.csv opps18.csv
check "the first five not in the deals file, in file order" \
    [ "$(grep -o 'Other[0-9]' "$TMP/err" | tr -d '\n')" = "Other7Other3Other9Other1Other8" ]
check "with their lines" contains "$TMP/err" 'roles_more.csv:3: deal "0065g00000Other7" is not in opps18.csv'
check "then the count" contains "$TMP/err" "7 deals in all, 7 rows, are not in opps18.csv"

# ---- 11. cells and headers ----
printf 'Opportunity ID,Opportunity Name\n006A,"Nul\0Byte"\n006B,fine\n' >nul.csv
expect_exit "a NUL byte in a cell" 1 "$DS" convert -q "${SFM[@]}" nul.csv
check "NUL: an error naming line and column" contains "$TMP/err" \
    'deal "006A": nul.csv:2 column 2 (Opportunity Name): byte 4 of the cell is a NUL byte'
check "NUL: the other row read" contains "$TMP/out" '"id":"006B"'
printf 'Opportunity ID,Opportunity Name\n"0\x001",a\n"0\x002",b\n' >nul_id.csv
expect_exit "NUL in ids: two rows, not one deal" 1 "$DS" convert -q "${SFM[@]}" nul_id.csv
check "NUL in ids: each row an error" [ "$(grep -c 'NUL byte' "$TMP/err")" -eq 2 ]
check "NUL in ids: not a duplicate" bash -c "! grep -q duplicate_id '$TMP/err'"

printf '"Opportunity Name","Opportunity ID","Stage","Close Date","Note","Close Date","Note"\n"A","006A","Prospecting","","n1","12/19/2026",""\n"B","006B","Prospecting","1/2/2027","","1/2/2027","n2"\n"C","006C","Prospecting","1/2/2027","","1/3/2027",""\n' >dup_head.csv
expect_exit "a column named twice" 1 "$DS" convert "${SFM[@]}" dup_head.csv
check "named twice: the value not empty is read" contains "$TMP/out" '"id":"006A".*"close_date":"2026-12-19"'
check "named twice: equal values read once" contains "$TMP/out" '"id":"006B".*"close_date":"2027-01-02"'
check "named twice: the note names both columns" contains "$TMP/err" \
    'dup_head.csv: columns 4 and 6 are both "Close Date" (close_date)'
check "named twice: not called a custom field" bash -c "! grep 'kept as custom fields' '$TMP/err' | grep -q 'Close Date'"
check "named twice: values that differ are an error naming both" contains "$TMP/err" \
    'deal "006C": dup_head.csv:4 columns 4 and 6 are both "Close Date" and differ'
check "a custom column named twice: one field, the value not empty" contains "$TMP/out" '"id":"006B".*"Note":"n2"'
check "a custom column named twice: said" contains "$TMP/err" 'columns 5 and 7 are both "Note": one custom field'

printf 'Opportunity ID,,Opportunity Name,,\n006A,kept,a,,\n' >no_head.csv
expect_exit "an empty header cell" 0 "$DS" convert "${SFM[@]}" no_head.csv
check "empty header: its cells kept as \"column 2\"" contains "$TMP/out" '"column 2":"kept"'
check "empty header: no field named \"\"" bash -c "! grep -q '\"\":' '$TMP/out'"
check "empty header: said" contains "$TMP/err" 'no_head.csv: column 2 has no header'
check "trailing empty header cells: not said" bash -c "! grep -q 'column [45]' '$TMP/err'"

printf 'sep=;\r\nOpportunity ID;Opportunity Name;Amount\r\n006A;a;100\r\n006B;b;12x\r\n' >sep.csv
expect_exit "Excel's sep= line" 1 "$DS" convert -q "${SFM[@]}" sep.csv
check "sep=: the header is the second line" contains "$TMP/out" '"id":"006A","name":"a","amount":100'
check "sep=: lines counted as in the file" contains "$TMP/err" 'sep.csv:4 column 3 (Amount)'
printf '"sep=|"\nOpportunity ID|Opportunity Name\n006A|a\n' >sep_quoted.csv
expect_exit "a quoted sep= line" 0 "$DS" convert -q "${SFM[@]}" sep_quoted.csv
check "quoted sep=: read" contains "$TMP/out" '"id":"006A","name":"a"'
printf 'sep=\xc3\nOpportunity ID,Opportunity Name\n006A,a\n' >sep_bad.csv
expect_exit "sep= naming no ASCII character: not a sep= line" 2 "$DS" convert -q "${SFM[@]}" sep_bad.csv
check "sep= not ASCII: the line is read as the header" contains "$TMP/err" 'sep_bad.csv:1 column 1: the header is not UTF-8'
expect_exit "--delimiter wins over sep=" 1 "$DS" convert -q "${SFM[@]}" --delimiter ';' sep.csv
check "--delimiter: the sep= line still skipped" contains "$TMP/out" '"id":"006A","name":"a"'
expect_exit "--delimiter , over sep=;" 2 "$DS" convert -q "${SFM[@]}" --delimiter , sep.csv

# booleans as a German or French Excel writes them; a percentage where a share goes
printf 'Opportunity ID;Built for IT;Prototype Built;Users Consulted;Benefit Confidence\n006A;WAHR;FALSCH;Ja;0,8\n006B;vrai;Nein;faux;80%%\n' >de_bool.csv
expect_exit "locale booleans" 1 "$DS" convert -q "${SFM[@]}" --decimal , de_bool.csv
check "WAHR, FALSCH, Ja" contains "$TMP/out" '"id":"006A".*"for_it":true.*"prototype":false.*"users_consulted":true'
check "80%: a hint to write 0.8" contains "$TMP/err" "column 5 (Benefit Confidence): '80%' is not a number, without a % sign (a share from 0 to 1: 80% is 0.8)"

# ---- a setup error's last line ----
printf 'Name,Stage\nx,Prospecting\n' >no_id.csv
expect_exit "a deals file without its id column" 2 "$DS" score "${SFM[@]}" no_id.csv
check "no id column: nothing was written, and says so" contains "$TMP/err" \
    "the run did not complete (see above); no results were written"
check "no id column: not 'incomplete'" bash -c "! grep -q incomplete '$TMP/err'"
finish
