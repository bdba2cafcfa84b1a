#!/bin/sh
# A wrong --encoding on a UTF-8 file without a byte order mark.
#
# A nightly job that passes --encoding windows-1252 (last month's Excel export)
# and gets a UTF-8 export (HubSpot's, this month) used to read every accented
# letter as mojibake ("Geschäftsführer" as "GeschÃ¤ftsfÃ¼hrer"), silently: names,
# titles the title rules no longer match, picklist values no longer translated.
# A file that is valid UTF-8 throughout, with text past ASCII, is UTF-8 (real
# windows-1252 or latin1 text with accented letters almost never is): it is read
# as UTF-8, like a file whose byte order mark says so, and a warning names the
# file, line, column and header of its first such cell, with both readings.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

# UTF-8, no mark: the first text past ASCII is on line 3, column 2
printf 'id,name,amount\nD1,Plain,100\nD2,Gesch\303\244ftsf\303\274hrer,200\nD3,Caf\303\251,300\n' >utf8.csv
# the same text in windows-1252
printf 'id,name,amount\nD1,Plain,100\nD2,Gesch\344ftsf\374hrer,200\nD3,Caf\351,300\n' >cp1252.csv

for enc in windows-1252 cp1252 latin1 ISO-8859-15; do
    moji='GeschÃ¤ftsfÃ¼hrer'
    [ "$enc" = ISO-8859-15 ] && moji='GeschÃ€ftsfÃŒhrer' # 0xA4 is the euro sign there
    expect_exit "utf-8 read as $enc: converted" 0 "$DS" convert --encoding "$enc" utf8.csv
    check "utf-8 read as $enc: the text is UTF-8, not mojibake" contains "$TMP/out" '"name":"Geschäftsführer"'
    check "utf-8 read as $enc: no mojibake anywhere" sh -c "! grep -q 'Ã' '$TMP/out'"
    check "utf-8 read as $enc: the warning names file, line, column, header, both readings" \
        contains "$TMP/err" "utf8.csv:3 column 2 (name): 'Geschäftsführer' is read as UTF-8, not as --encoding $enc (which would make it '$moji'): the whole file is valid UTF-8"
    check "utf-8 read as $enc: and what to do" contains "$TMP/err" "The file is UTF-8: leave out --encoding for it"
    check "utf-8 read as $enc: said once" [ "$(grep -c 'is read as UTF-8' "$TMP/err")" -eq 1 ]
done

# real windows-1252 is read as named, without a word
expect_exit "cp1252 read as cp1252" 0 "$DS" convert --encoding windows-1252 cp1252.csv
check "cp1252 read as cp1252: decoded" contains "$TMP/out" '"name":"Geschäftsführer"'
check "cp1252 read as cp1252: no warning" sh -c "! grep -q 'read as UTF-8' '$TMP/err'"
# ASCII only: nothing to tell, nothing said
printf 'id,name\nA1,Plain\n' >ascii.csv
expect_exit "ascii with --encoding" 0 "$DS" convert --encoding windows-1252 ascii.csv
check "ascii: no warning" sh -c "! grep -q 'read as UTF-8' '$TMP/err'"
# UTF-8 with no --encoding: as always, nothing to say
expect_exit "utf-8 without --encoding" 0 "$DS" convert utf8.csv
check "utf-8 without --encoding: no warning" sh -c "! grep -q 'read as UTF-8' '$TMP/err'"

# UTF-8 for 100 KiB, then one windows-1252 byte: the whole file is not UTF-8, so
# it is read as named (the check covers the whole file, not its first chunk)
{
    printf 'id,name\nM1,Caf\303\251\n'
    i=0
    while [ $i -lt 3000 ]; do printf 'P%d,plain row padding the file past 64 KiB\n' $i; i=$((i + 1)); done
    printf 'M2,Caf\351\n'
} >mixed.csv
expect_exit "mixed: read as named" 0 "$DS" convert --encoding windows-1252 mixed.csv
check "mixed: no warning" sh -c "! grep -q 'read as UTF-8' '$TMP/err'"
check "mixed: the cp1252 row decoded as cp1252" contains "$TMP/out" '"id":"M2","name":"Café"'

# a pipe cannot be read twice: its first 64 KiB decide, and the warning says so
cat utf8.csv | "$DS" convert --encoding windows-1252 --csv - >pipe.out 2>pipe.err
check "pipe: read as UTF-8" contains pipe.out '"name":"Geschäftsführer"'
check "pipe: the warning says what was checked" contains pipe.err \
    "<stdin>:3 column 2 (name): 'Geschäftsführer' is read as UTF-8, not as --encoding windows-1252 (which would make it 'GeschÃ¤ftsfÃ¼hrer'): the first 64 KiB of the input are valid UTF-8"
# ... and a later byte that is not UTF-8 says that the input mixes encodings
cat mixed.csv | "$DS" convert --encoding windows-1252 --csv - >pmix.out 2>pmix.err
check "pipe, mixed: the bad row names the mix" contains pmix.err \
    "<stdin>:3003 column 2 (name): byte 4 of the cell is not UTF-8; the input was read as UTF-8, not as --encoding windows-1252, because its first 64 KiB are UTF-8 (see the warning above): it mixes encodings"

# every file of a join: stakeholders and contacts are checked on their own
printf 'id,name\nD1,Deal\n' >deals.csv
printf 'deal_id,id,name\nD1,s1,Jos\303\251\n' >stakeholders.csv
expect_exit "stakeholders: scored" 0 "$DS" score -q --as-of 2026-06-30 --encoding cp1252 --csv deals.csv --stakeholders stakeholders.csv
check "stakeholders: warning names the stakeholders file" contains "$TMP/err" \
    "stakeholders.csv:2 column 3 (name): 'José' is read as UTF-8, not as --encoding cp1252"
check "stakeholders: the deals file (ASCII) is not named" sh -c "! grep -q 'deals.csv.*read as UTF-8' '$TMP/err'"
HS="$SRC/tests/e2e/crm/hubspot"
sed '1s/^\xef\xbb\xbf//' "$HS/contacts.csv" | sed 's/Carla/Cärla/' >contacts.csv
sed '1s/^\xef\xbb\xbf//' "$HS/deal_contact_associations.csv" >assoc.csv
expect_exit "contacts: scored" 0 "$DS" score -q --as-of 2026-06-30 --mapping hubspot_associations \
    --encoding windows-1252 --csv "$HS/deals.csv" --stakeholders assoc.csv --contacts contacts.csv
check "contacts: warning names the contacts file and header" contains "$TMP/err" \
    "contacts.csv:4 column 2 (First Name): 'Cärla' is read as UTF-8, not as --encoding windows-1252"

# utf-16 named without a mark is not a single-byte encoding: left as it was
expect_exit "utf-16 named: not second-guessed (its header is not text)" 2 "$DS" convert --encoding utf-16 utf8.csv
check "utf-16 named: no warning" sh -c "! grep -q 'read as UTF-8' '$TMP/err'"

finish
