#!/usr/bin/env bash
# score --csv: CRM exports (plain, Salesforce, HubSpot mappings) and every CSV
# oddity: quoted fields with commas, quotes and line breaks, a UTF-8 BOM, CRLF,
# empty cells, unknown columns, malformed rows in the middle of a file.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

# A policy that shows what the join produced: custom fields and stakeholders.
cat >show.lua <<'LUA'
return {name = "show", version = 1, score = function(deal, s)
  local r = {tostring(deal:custom("segment")), tostring(deal.name), tostring(deal.amount)}
  for _, id in ipairs({"a", "b", "003X1", "003X2", "003X3", "501", "502"}) do
    local p = deal:stakeholder(id)
    if p then
      r[#r + 1] = id .. "=" .. tostring(p.name) .. "/" .. tostring(p.function_) ..
        "/" .. tostring(p.can_buy) .. "/" .. tostring(p:has_role("economic_buyer")) ..
        "/" .. tostring(p:has_role("champion")) .. "/" .. tostring(p:custom("mood"))
    end
  end
  return {viability = 50, verdict = "shape", reasons = r}
end}
LUA
sed -i 's/p.function_/p["function"]/' show.lua

# plain layout: BOM, CRLF, quoted comma, quote and newline, empty cells, a custom column
printf '\xef\xbb\xbfid,name,stage,amount,solution.capability,segment\r\n' >deals.csv
printf 'D1,"Deal, ""one""",proposal,1000,0.8,Enterprise\r\n' >>deals.csv
printf 'D2,"Two\r\nlines",negotiation,500,,SMB\r\n' >>deals.csv
printf '\r\nD3,Three,,,,\r\n' >>deals.csv
printf 'deal_id,id,name,roles,can_buy,influence,mood\nD1,a,"Okafor, Dan",champion;economic_buyer,yes,0.9,"so ""keen"""\nD1,b,Bob,it_strategic,,0.6,\n' >contacts.csv
printf 'deal_id,from,to,type,strength\nD1,b,a,reports_to,0.7\n' >rels.csv
"$DS" score -q --policy show.lua --csv deals.csv --stakeholders contacts.csv --relationships rels.csv >plain.out 2>plain.err
check "plain: three deals, all scored" [ "$(grep -c '"verdict":"shape"' plain.out)" -eq 3 ]
check "plain: BOM stripped from the first header" contains plain.out '"id":"D1"'
check "plain: quoted comma and doubled quotes" contains plain.out '"Deal, \\"one\\""'
check "plain: custom column for the policy" contains plain.out '"reasons":\["Enterprise"'
check "plain: quoted line break kept" contains plain.out '"Two\\r\\nlines"'
check "plain: empty cells are absent" contains plain.out '"id":"D3".*"reasons":\["nil","Three","nil"\]'
check "plain: stakeholders joined, roles split" contains plain.out 'a=Okafor, Dan/nil/true/true/true/so \\"keen\\"'
check "plain: empty boolean is absent" contains plain.out 'b=Bob/nil/false/false/false/nil'
"$DS" score -q --csv deals.csv --stakeholders contacts.csv --relationships rels.csv >default.out
check "plain: default policy scores them" [ "$(grep -c '"verdict"' default.out)" -eq 3 ]

# the same deal as JSONL scores the same as from CSV
echo '{"id":"D1","name":"Deal, \"one\"","stage":"proposal","amount":1000,"solution":{"capability":0.8},"segment":"Enterprise","stakeholders":[{"id":"a","name":"Okafor, Dan","roles":["champion","economic_buyer"],"can_buy":true,"influence":0.9,"mood":"so \"keen\""},{"id":"b","name":"Bob","roles":["it_strategic"],"influence":0.6}],"relationships":[{"from":"b","to":"a","type":"reports_to","strength":0.7}]}' >d1.jsonl
"$DS" score -q --explain d1.jsonl >d1.json.out
"$DS" score -q --explain --csv deals.csv --stakeholders contacts.csv --relationships rels.csv | head -n 1 >d1.csv.out
check "CSV and JSONL give the same result" cmp -s d1.json.out d1.csv.out

# malformed rows in the middle: named by file, line and column; the rest is scored
{
    echo 'id,name,amount,solution.prototype,close_date'
    echo 'M1,ok,10,true,2026-01-31'
    echo 'M2,bad number,12abc,true,2026-01-31'
    echo 'M3,bad bool,10,maybe,2026-01-31'
    echo 'M4,too,many,fields,2026-01-31,extra'
    echo 'M5,bad date,10,false,2026-02-30'
    echo ',no id,10,false,2026-01-31'
    echo 'M6,"unclosed'
    echo 'quote spans lines",1,nope,2026-01-31'
    echo 'M7,out of range,-5,false,2026-01-31'
    echo 'M8,last,10,false,2026-01-31'
} >mixed.csv
printf 'deal_id,id,influence\nM1,p,0.5\nM8,q,high\nM9,r,0.5\n,s,0.5\n' >mixed_contacts.csv
expect_exit "malformed rows exit 1" 1 "$DS" score --csv mixed.csv --stakeholders mixed_contacts.csv
cp "$TMP/out" mixed.out
cp "$TMP/err" mixed.err
check "one result per deal row" [ "$(wc -l <mixed.out)" -eq 9 ]
check "M1 and later deals scored" [ "$(grep -c '"verdict"' mixed.out)" -eq 1 ]
check "bad number: file, line, column" contains mixed.out '"id":"M2","error":{"code":"bad_type","message":"mixed.csv:3 column 3 (amount): '"'"'12abc'"'"' is not a number","path":"$.amount"'
check "bad boolean" contains mixed.out '"id":"M3","error":{"code":"bad_type","message":"mixed.csv:4 column 4 (solution.prototype)'
check "wrong field count" contains mixed.out '"id":"M4","error":{"code":"bad_csv","message":"mixed.csv:5 column 6: the row has 6 fields where the header has 5; '
check "bad date" contains mixed.out '"id":"M5","error":{"code":"bad_date","message":"mixed.csv:6 column 5'
check "empty deal id" contains mixed.out '"id":null,"error":{"code":"missing_field","message":"mixed.csv:7: the deal id is empty","path":"$.id"'
check "quoted field over two lines, line of its start" contains mixed.out '"id":"M6","error":{"code":"bad_type","message":"mixed.csv:9 column 4'
check "range errors come from the same validation as JSONL" contains mixed.out '"id":"M7","error":{"code":"out_of_range","message":"mixed.csv:10: $.amount must be >= 0, got -5","path":"$.amount"'
printf 'id,name\nV1,ok\nV2,ok\n' >v.csv
printf 'deal_id,id,influence\nV1,a,0.5\nV2,a,0.5\nV2,b,1.5\n' >v_contacts.csv
printf 'deal_id,from,to,type\nV1,a,ghost,peer\n' >v_rels.csv
"$DS" score -q --csv v.csv --stakeholders v_contacts.csv --relationships v_rels.csv >v.out
check "validation error in a contact names its row" contains v.out '"id":"V2","error":{"code":"out_of_range","message":"v.csv:3: $.stakeholders\[1\].influence must be between 0 and 1, got 1.5 (v_contacts.csv:4)"'
check "validation error in a relationship names its row" contains v.out '"id":"V1","error":{"code":"unknown_id","message":"v.csv:2: $.relationships\[0\].to is .*ghost.* (v_rels.csv:2)","path":"$.relationships\[0\].to"'
check "a bad stakeholder row makes its deal an error" contains mixed.out '"id":"M8","error":{"code":"bad_type","message":"mixed_contacts.csv:3 column 3 (influence): '"'"'high'"'"' is not a number","path":"$.stakeholders\[0\].influence"'
check "contact row without deal id is reported" contains mixed.err "mixed_contacts.csv:5: no deal id in this row"
check "contact rows for unknown deals are reported" contains mixed.err 'mixed_contacts.csv:4: deal "M9" is not in mixed.csv'
check "summary counts unusable rows" contains mixed.err "(1 unusable CSV rows; 1 rows of deals not in the deals file, ignored)"

# an unclosed quote at the end of the file
printf 'id,name\nU1,fine\nU2,"never closed\nU3,x\n' >unclosed.csv
expect_exit "unclosed quote exits 1" 1 "$DS" score --csv unclosed.csv
check "unclosed quote names the line" contains "$TMP/err" "unclosed.csv:2: a quoted field opened after this line is never closed"
check "rows before it are scored" contains "$TMP/out" '"id":"U1","policy"'

# setup errors
expect_exit "missing key column" 2 "$DS" score --csv rels.csv
check "missing key column named" contains "$TMP/err" 'rels.csv:1: no column "id"'
expect_exit "unknown mapping" 2 "$DS" score --mapping nope --csv deals.csv
echo '{"deals": {"key": "id", "columns": {"x": {"feld": "name"}}}}' >badmap.json
expect_exit "mapping typo" 2 "$DS" score --mapping "$TMP/badmap.json" --csv deals.csv
check "mapping typo named" contains "$TMP/err" 'deals.columns."x"."feld": unknown key (did you mean "field"?)'
expect_exit "--stakeholders without --csv" 2 "$DS" score --stakeholders contacts.csv
expect_exit "missing deals file" 2 "$DS" score --csv nope.csv

# Salesforce: report exports, role translation, #N/A, M/D/YYYY dates, thousands
cat >sf_opp.csv <<'CSV'
"Opportunity ID","Opportunity Name","Account Name","Amount","Close Date","Stage","Capability Case","segment"
"006A1","Claims copilot","Northbridge, Mutual","420,000.00","12/19/2026","Negotiation/Review","0.9","Ent"
"006A2","Ops bot","Acme","#N/A","1/5/2027","Closed Won","#N/A","#N/A"
CSV
cat >sf_roles.csv <<'CSV'
"Opportunity ID","Contact ID","First Name","Last Name","Title","Department","Role","mood"
"006A1","003X1","Daniel","Okafor","VP Claims","Operations","Economic Decision Maker","#N/A"
"006A1","003X2","Priya","Raman","CIO","IT","Technical Buyer",""
"006A1","003X3","Aisha","Bello","Team Lead","Claims","Business User","calm"
CSV
printf '"Opportunity ID","Contact ID","Related Contact ID","Relationship Type","Strength"\n"006A1","003X3","003X1","Reports To","0.8"\n' >sf_rel.csv
"$DS" score -q --policy show.lua --mapping salesforce --csv sf_opp.csv --stakeholders sf_roles.csv --relationships sf_rel.csv >sf.out
check "salesforce: both deals scored" [ "$(grep -c '"verdict":"shape"' sf.out)" -eq 2 ]
check "salesforce: amount with thousands" contains sf.out '"id":"006A1".*"reasons":\["Ent","Claims copilot","420000.0"'
check "salesforce: economic decision maker can buy" contains sf.out '003X1=Daniel Okafor/business/true/true/false/nil'
check "salesforce: technical buyer is IT" contains sf.out '003X2=Priya Raman/it/false/false/false/nil'
check "salesforce: business user is a user" contains sf.out '003X3=Aisha Bello/user/false/false/false/calm'
check "salesforce: #N/A is empty" contains sf.out '"id":"006A2".*"reasons":\["nil","Ops bot","nil"\]'
"$DS" score -q --explain --mapping salesforce --csv sf_opp.csv --stakeholders sf_roles.csv --relationships sf_rel.csv >sf.json
check "salesforce: dates read as M/D/YYYY" $PY -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; assert all("scores" in x for x in r), r' sf.json

# HubSpot: a contact on two deals, multi-valued buying roles, internal values
cat >hs_deals.csv <<'CSV'
Record ID,Deal Name,Deal Stage,Amount,Close Date,Associated Company
901,Forecasting,contractsent,"1,200",2026-12-01 00:00,Globex
902,Chatbot,Appointment Scheduled,300,2027-01-15,Initech
CSV
cat >hs_contacts.csv <<'CSV'
Record ID,First Name,Last Name,Job Title,Buying Role,Associated Deal IDs
501,Ana,Lima,CFO,Budget Holder;CHAMPION,901;902
502,Bo,Chen,Analyst,End User,901
CSV
"$DS" score -q --policy show.lua --mapping hubspot --csv hs_deals.csv --stakeholders hs_contacts.csv >hs.out
check "hubspot: both deals scored" [ "$(grep -c '"verdict":"shape"' hs.out)" -eq 2 ]
check "hubspot: multi-valued buying role, function from the title" contains hs.out '"id":"901".*501=Ana Lima/finance/true/true/true/nil'
check "hubspot: contact on two deals" contains hs.out '"id":"902".*501=Ana Lima/finance/true/true/true/nil'
check "hubspot: end user" contains hs.out '502=Bo Chen/user/false/false/false/nil'
"$DS" score -q --mapping hubspot --csv hs_deals.csv --stakeholders hs_contacts.csv --format csv >hs.csv
check "hubspot: csv output" [ "$(head -n 1 hs.csv | tr -d '\r')" = "id,capability_roi,strategic_roi,measurable_roi,it_resistance,user_threat,viability,verdict,win_probability,coverage,reasons,warnings,error_code,error_path,error_message" ]

# identical output for any number of jobs
for j in 1 4; do "$DS" score -q -j "$j" --csv mixed.csv --stakeholders mixed_contacts.csv >"jobs$j.out" 2>/dev/null; done
check "CSV input: same output for 1 and 4 jobs" cmp -s jobs1.out jobs4.out

finish
