#!/bin/sh
# A byte order mark against --encoding, and `convert -q`.
#
# A file's byte order mark says how it is encoded and wins over --encoding (a
# nightly job passes one --encoding for every export; a tool that writes a BOM
# writes what it says): the file is read as the mark says and a note names the
# mark. When the bytes after a UTF-8 mark are not UTF-8 after all, the error
# names the mark instead of asking for the --encoding that was given.
# `convert -q` leaves out the notes (columns a file lacks, footers, the mark)
# and keeps every row it could not use.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

printf '\357\273\277id,name,amount\nD1,Caf\303\251,100\n' >bom_utf8.csv    # mark, UTF-8
printf '\357\273\277id,name,amount\nD1,Caf\351,100\n' >bom_cp1252.csv      # mark, then cp1252
printf '\377\376i\000d\000,\000n\000\n\000D\0001\000,\000\351\000\n\000' >bom_utf16.csv
printf 'id,name,amount\nD1,Caf\351,100\n' >cp1252.csv                     # no mark

# UTF-8 mark, valid UTF-8, --encoding cp1252: read as UTF-8, and said
expect_exit "utf-8 mark over cp1252: read" 0 "$DS" convert --encoding cp1252 bom_utf8.csv
check "utf-8 mark over cp1252: the text is UTF-8, not mojibake" contains "$TMP/out" '"name":"Café"'
check "utf-8 mark over cp1252: a note names the mark" contains "$TMP/err" \
    'note: bom_utf8.csv begins with a UTF-8 byte order mark: read as UTF-8, not as --encoding cp1252'
# the same without --encoding: nothing to say
expect_exit "utf-8 mark alone: read" 0 "$DS" convert bom_utf8.csv
check "utf-8 mark alone: no note about the mark" sh -c "! grep -q 'byte order mark' '$TMP/err'"
# UTF-8 mark, cp1252 bytes: the error names the mark, not --encoding as the fix
expect_exit "utf-8 mark on cp1252 bytes: a row error" 1 "$DS" convert --encoding cp1252 bom_cp1252.csv
check "utf-8 mark on cp1252 bytes: the error names the mark" contains "$TMP/err" \
    'bom_cp1252.csv:2 column 2 (name): byte 4 of the cell is not UTF-8; the file begins with a UTF-8 byte order mark, which wins over --encoding cp1252: remove the mark or save as UTF-8 (bad_encoding'
check "utf-8 mark on cp1252 bytes: no advice to give --encoding" sh -c "! grep -q 'give the file' '$TMP/err'"
# without the mark the advice stays what it was
expect_exit "cp1252 without a mark, no --encoding" 1 "$DS" convert cp1252.csv
check "no mark: the error asks for the encoding" contains "$TMP/err" "give the file's encoding, e.g. --encoding windows-1252"
expect_exit "cp1252 without a mark, --encoding cp1252" 0 "$DS" convert --encoding cp1252 cp1252.csv
check "no mark, --encoding cp1252: read" contains "$TMP/out" '"name":"Café"'
check "no mark: no note about a mark" sh -c "! grep -q 'byte order mark' '$TMP/err'"
# a UTF-16 mark wins over latin1 too, and --encoding utf-16 agrees with it
expect_exit "utf-16 mark over latin1: read" 0 "$DS" convert --encoding latin1 bom_utf16.csv
check "utf-16 mark over latin1: decoded as UTF-16" contains "$TMP/out" '"id":"D1","n":"é"'
check "utf-16 mark over latin1: a note names the mark" contains "$TMP/err" \
    'begins with a UTF-16LE byte order mark: read as UTF-16, not as --encoding latin1'
expect_exit "utf-16 mark, --encoding utf-16" 0 "$DS" convert --encoding utf-16 bom_utf16.csv
check "utf-16 mark agreeing with --encoding: no note" sh -c "! grep -q 'byte order mark' '$TMP/err'"
# the scoring path reads the same: the note, and the deal scored
expect_exit "score: utf-8 mark over cp1252" 0 "$DS" score --as-of 2026-06-30 --encoding cp1252 --csv bom_utf8.csv
check "score: the note names the mark" contains "$TMP/err" 'begins with a UTF-8 byte order mark'
check "score: the deal scored" contains "$TMP/out" '"id":"D1","policy"'

# ---- convert -q: no notes; row errors still named ----
SF="$SRC/tests/e2e/crm/salesforce_report"
expect_exit "convert: notes" 0 "$DS" convert --mapping salesforce --csv "$SF/opportunities.csv" --stakeholders "$SF/contact_roles.csv"
cp "$TMP/out" loud.jsonl
check "convert: says what the export lacks" contains "$TMP/err" 'opportunities.csv lacks 26 of the 31 columns'
check "convert: says the footers it skipped" contains "$TMP/err" 'report footer lines (one cell each) skipped'
check "convert: the summary line" contains "$TMP/err" 'dealscore convert: 6 deals written'
expect_exit "convert -q" 0 "$DS" convert -q --mapping salesforce --csv "$SF/opportunities.csv" --stakeholders "$SF/contact_roles.csv"
check "convert -q: nothing on standard error" [ ! -s "$TMP/err" ]
check "convert -q: the same deals" cmp -s "$TMP/out" loud.jsonl
expect_exit "convert -q --encoding cp1252 on a marked file" 0 "$DS" convert -q --encoding cp1252 bom_utf8.csv
check "convert -q: the mark's note left out too" [ ! -s "$TMP/err" ]
expect_exit "convert -q, a row that cannot be a deal" 1 "$DS" convert -q --encoding cp1252 bom_cp1252.csv
check "convert -q: the row error is still named" contains "$TMP/err" 'deal "D1": bom_cp1252.csv:2 column 2'
check "convert -q: and nothing else" [ "$(wc -l <"$TMP/err")" -eq 1 ]
printf 'id,name,amount\nD1,a,1\n,b,2\nGrand Totals (2 records)\n' >noid.csv
expect_exit "convert -q, a row without a deal id" 1 "$DS" convert -q noid.csv
check "convert -q: the missing id is named" contains "$TMP/err" 'noid.csv:3: the deal id is empty'
check "convert -q: a skipped footer row is still named" contains "$TMP/err" 'noid.csv:4: report footer skipped: "Grand Totals (2 records)"'
check "convert -q: and no note" sh -c "! grep -q 'note:' '$TMP/err'"

finish
