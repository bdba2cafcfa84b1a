#!/usr/bin/env bash
# HubSpot associations from the deal's side: a deals export with "Associated
# Contact IDs" (the contacts' record ids, ';'-separated, as HubSpot writes an
# export with associated records included) and a contacts export given with
# --contacts, which then need not carry "Associated Deal IDs". The same deals as
# from the contact's side, both sides at once without doubles, and an id no
# contact row has is an error row for its deal naming file, line and column.
. "$(dirname "$0")/lib.sh"
HS=$SRC/tests/e2e/crm/hubspot
cd "$TMP" || exit 1

# what the import made of each stakeholder (as in test_crm.sh)
cat >dump.lua <<'LUA'
local function list(t)
  if type(t) ~= "table" then return tostring(t) end
  local r = {}
  for k, v in pairs(t) do r[#r + 1] = type(k) == "number" and tostring(v) or (k .. "=" .. tostring(v)) end
  table.sort(r)
  return table.concat(r, ",")
end
return {name = "dump", version = 1, score = function(deal, s)
  local r = {}
  for i = 1, #deal.stakeholders do
    local p = deal.stakeholders[i]
    r[#r + 1] = table.concat({p.id, tostring(p.name), tostring(p["function"]), tostring(p.level),
      list(p.roles), tostring(p.can_buy), tostring(p.first_contact), tostring(p.last_contact),
      list(p:custom("inferred"))}, "|")
  end
  table.sort(r)
  return {viability = 50, verdict = "shape", reasons = r}
end}
LUA
reasons() { $PY -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["id"], *(r.get("reasons") or [r.get("error", {}).get("code")]), sep="\n  ")' "$1"; }

# from the contact's side (Associated Deal IDs), as before
"$DS" score -q --policy dump.lua --mapping hubspot --csv "$HS/deals.csv" \
    --stakeholders "$HS/contacts.csv" >forward.out 2>/dev/null
reasons forward.out >forward.txt
# from the deal's side: deals with Associated Contact IDs, contacts without deal ids
expect_exit "deal side: all scored" 0 "$DS" score --policy dump.lua --mapping hubspot \
    --csv "$HS/deals_with_contacts.csv" --contacts "$HS/contacts_only.csv"
reasons "$TMP/out" >reverse.txt
check "deal side: eight stakeholders in four deals" [ "$(grep -c '|' reverse.txt)" -eq 8 ]
check "deal side: the same stakeholders as from the contact's side" diff -u forward.txt reverse.txt
check "deal side: a contact on two deals is on both" [ "$(grep -c '^  51|Ana Lima|finance|c_level|economic_buyer|true' reverse.txt)" -eq 2 ]
check "deal side: the ids column is not called unmapped" contains "$TMP/err" \
    'file columns the mapping does not name (kept as custom fields): "Pipeline", "Create Date", "Deal owner", "Last Activity Date", "Associated Contact"$'
check "deal side: inferred marks kept" grep -q 'first_contact=Create Date (when the contact was created)' reverse.txt
# both sides at once (a contacts export with deal ids, and deals with contact ids):
# each contact once per deal
"$DS" score -q --policy dump.lua --mapping hubspot --csv "$HS/deals_with_contacts.csv" \
    --stakeholders "$HS/contacts.csv" --contacts "$HS/contacts.csv" >both.out 2>/dev/null
reasons both.out >both.txt
check "both sides: no contact twice" diff -u forward.txt both.txt
# the default policy scores them, and the JSON a deal becomes is the contact's side's
expect_exit "deal side, default policy" 0 "$DS" score -q --as-of 2026-12-01 --mapping hubspot \
    --csv "$HS/deals_with_contacts.csv" --contacts "$HS/contacts_only.csv"
check "deal side, default policy: four results" [ "$(grep -c '"verdict"' "$TMP/out")" -eq 4 ]

# ids separated by commas, with blanks, an empty item, and an id said twice
sed '1s/^\xef\xbb\xbf//' "$HS/deals_with_contacts.csv" | head -2 |
    sed 's/"51;52;53;54"/" 51, 52 ;; 53,54, 51 "/' >commas.csv
"$DS" score -q --policy dump.lua --mapping hubspot --csv commas.csv --contacts "$HS/contacts_only.csv" >commas.out 2>/dev/null
check "commas and blanks: the same four" diff -u <(reasons commas.out) <(head -5 reverse.txt)

# an id the contacts export does not have: the deal is an error naming where
{
    sed '1s/^\xef\xbb\xbf//' "$HS/deals_with_contacts.csv" | head -3
    printf '"14872305699","Ghost Deal","Contract Sent","Sales Pipeline","10","2026-12-18","","","","X","","51;990;991"\r\n'
    sed '1s/^\xef\xbb\xbf//' "$HS/deals_with_contacts.csv" | tail -2
} >missing.csv
expect_exit "missing contact: exit 1" 1 "$DS" score --mapping hubspot --csv missing.csv --contacts "$HS/contacts_only.csv"
check "missing contact: the deal is an error naming file, line, column and the ids" contains "$TMP/out" \
    '{"id":"14872305699","error":{"code":"unknown_id","message":"missing.csv:4 column 12 (Associated Contact IDs): contacts \\"990\\", \\"991\\" are not in .*contacts_only.csv: the deal.s stakeholders would be incomplete (is the contacts export filtered, or another portal.s?)","path":"$.stakeholders"}}'
check "missing contact: the other deals scored" [ "$(grep -c '"verdict"' "$TMP/out")" -eq 4 ]
check "missing contact: counted in the summary" contains "$TMP/err" '5 deals, 4 scored, 1 errors'
# a contact whose row cannot be read: the deal says which row
sed 's/"2026-11-21 10:00"/"2026-11-99 10:00"/' "$HS/contacts_only.csv" >contacts_bad.csv
expect_exit "unreadable contact: exit 1" 1 "$DS" score --mapping hubspot --csv "$HS/deals_with_contacts.csv" --contacts contacts_bad.csv
check "unreadable contact: its row's error said" contains "$TMP/err" 'contacts_bad.csv:3 column 8 (Last Activity Date)'
check "unreadable contact: the deal names the contact and its line" contains "$TMP/out" \
    '"id":"14872305671","error":{"code":"unknown_id","message":".*deals_with_contacts.csv:2 column 12 (Associated Contact IDs): the row of contact \\"52\\" (line 3) in contacts_bad.csv could not be read (see above): the deal.s stakeholders would be incomplete"'
check "unreadable contact: deals without that contact scored" [ "$(grep -c '"verdict"' "$TMP/out")" -eq 3 ]

# a value the validation refuses in a contact's row: the error names that row
$PY - "$HS/contacts_only.csv" <<'PY'
import sys
rows = open(sys.argv[1], encoding="utf-8-sig").read().splitlines()
out = [rows[0] + ',"Influence"'] + [r + (',"1.5"' if r.startswith('"52"') else ',""') for r in rows[1:]]
open("contacts_infl.csv", "w").write("\n".join(out) + "\n")
PY
expect_exit "out of range in a contact: exit 1" 1 "$DS" score --mapping hubspot --csv "$HS/deals_with_contacts.csv" --contacts contacts_infl.csv
check "out of range in a contact: the error names the contacts file's line" contains "$TMP/out" \
    '"id":"14872305671","error":{"code":"out_of_range","message":".*deals_with_contacts.csv:2: $.stakeholders\[1\].influence must be between 0 and 1, got 1.5 (contacts_infl.csv:3)"'

# no --contacts: said, and the deals are scored on what --stakeholders gives
expect_exit "no --contacts: scored" 0 "$DS" score --mapping hubspot --csv "$HS/deals_with_contacts.csv" \
    --stakeholders "$HS/contacts.csv"
check "no --contacts: the column is noticed" contains "$TMP/err" \
    'deals_with_contacts.csv column 12 (Associated Contact IDs) lists each deal.s contacts, but no --contacts file was given'

# the contacts export given as --stakeholders (it has no deal ids): the error says
# which option takes it
expect_exit "contacts as --stakeholders: a setup error" 2 "$DS" score --mapping hubspot \
    --csv "$HS/deals_with_contacts.csv" --stakeholders "$HS/contacts_only.csv"
check "contacts as --stakeholders: the way out named" contains "$TMP/err" \
    'contacts_only.csv:1: no column "Associated Deal IDs" (the deal id, as the mapping.s stakeholders.key says); the header has 9 columns, the first "Record ID". Is it a contacts export without deal ids? When the deals file lists each deal.s contacts ("Associated Contact IDs"), give the contacts with --contacts instead'
# ... and not said where it does not apply (a Salesforce file without its key)
expect_exit "no key, other mapping: a setup error" 2 "$DS" score --mapping salesforce_api \
    --csv "$SRC/tests/e2e/crm/salesforce_dataloader/Opportunity.csv" --stakeholders "$HS/contacts_only.csv"
check "no key, other mapping: no --contacts hint" sh -c "! grep -q 'give the contacts with --contacts' '$TMP/err'"

# labeled associations and the deal's own list together: a contact the
# associations file lacks (55) still joins its deal, the labels still count
"$DS" score -q --policy dump.lua --mapping hubspot_associations --csv "$HS/deals_with_contacts.csv" \
    --stakeholders "$HS/deal_contact_associations.csv" --contacts "$HS/contacts_only.csv" >labels.out 2>/dev/null
reasons labels.out >labels.txt
check "labels: the label and the buying role add up" grep -q '^  53|Carla Weber|it|head|blocker,it_strategic' labels.txt
check "labels: a contact only the deal names joins it" grep -q '^  55|Emma Jones|business|manager|influencer,sponsor' labels.txt
check "labels: nobody twice" [ "$(grep -c '^  51|' labels.txt)" -eq 2 ]

# the mapping's keys are checked
sed 's/"contact_ids": "Associated Contact IDs"/"contact_ids": 7/' "$SRC/models/mappings/hubspot.json" >bad1.json
expect_exit "mapping: contact_ids not a string" 2 "$DS" score --mapping "$TMP/bad1.json" --csv "$HS/deals.csv"
check "mapping: contact_ids named" contains "$TMP/err" 'deals.contact_ids: must be a non-empty string (a column of contact ids)'
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["stakeholders"]["contact_ids"]="X"; json.dump(m, open("bad2.json","w"))' \
    "$SRC/models/mappings/hubspot.json"
expect_exit "mapping: contact_ids outside deals" 2 "$DS" score --mapping "$TMP/bad2.json" --csv "$HS/deals.csv"
check "mapping: contact_ids outside deals named" contains "$TMP/err" 'stakeholders.contact_ids: only deals name their contacts'

# convert writes the joined deals the same way
expect_exit "convert: deal side" 0 "$DS" convert -q --mapping hubspot --csv "$HS/deals_with_contacts.csv" --contacts "$HS/contacts_only.csv"
check "convert: stakeholders joined" [ "$(grep -o '"id":"5[0-9]"' "$TMP/out" | wc -l)" -eq 8 ]

finish
