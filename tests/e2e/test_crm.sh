#!/usr/bin/env bash
# Real CRM exports (docs/csv.md, "Scoring your CRM export"): the vanilla exports of
# tests/e2e/crm/ as Salesforce and HubSpot write them (report footers, Data Loader
# headers, BOM, labels and internal values), the standard role tables value by
# value, function and level inferred from titles and marked inferred, MEDDICC
# lookups and evidence, the --contacts join, --titles, and what is said on stderr
# about columns a mapping reads that an export lacks.
. "$(dirname "$0")/lib.sh"
CRM=$SRC/tests/e2e/crm
cd "$TMP" || exit 1

# A policy that prints what the import made of each stakeholder and of the
# solution: id|name|function|level|roles|can_buy|first|last|inferred.
cat >dump.lua <<'LUA'
local function list(t)
  if type(t) ~= "table" then return tostring(t) end
  local r = {}
  for k, v in pairs(t) do r[#r + 1] = type(k) == "number" and tostring(v) or (k .. "=" .. tostring(v)) end
  table.sort(r)
  return table.concat(r, ",")
end
return {name = "dump", version = 1, score = function(deal, s)
  local sol = deal:custom("solution") or {}
  local r = {"solution|" .. list(sol.inferred) .. "|cap=" .. tostring(sol.capability) ..
             "|inhouse=" .. tostring(sol.in_house_alternative)}
  for i = 1, #deal.stakeholders do
    local p = deal.stakeholders[i]
    r[#r + 1] = table.concat({p.id, tostring(p.name), tostring(p["function"]), tostring(p.level),
      list(p.roles), tostring(p.can_buy), tostring(p.first_contact), tostring(p.last_contact),
      list(p:custom("inferred"))}, "|")
  end
  return {viability = 50, verdict = "shape", reasons = r}
end}
LUA
# dump FILE ID: the reasons of one deal, one per line
dump() { $PY -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["id"] == sys.argv[2]: print("\n".join(r["reasons"]))' "$1" "$2"; }
has() { dump "$1" "$2" | grep -F -- "$3" >/dev/null; }

# ---- Salesforce report exports (Classic "Export Details": quoted, CRLF, footer)
SF=(--mapping salesforce --csv "$CRM/salesforce_report/opportunities.csv"
    --stakeholders "$CRM/salesforce_report/contact_roles.csv")
expect_exit "salesforce report: all deals scored" 0 "$DS" score --as-of 2026-12-07 "${SF[@]}"
cp "$TMP/out" sf.out
cp "$TMP/err" sf.err
# -q: errors only; the notes (columns found, lacking, footers counted) are left out
expect_exit "salesforce report, -q: all deals scored" 0 "$DS" score -q --as-of 2026-12-07 "${SF[@]}"
check "salesforce report, -q: the same results" cmp -s "$TMP/out" sf.out
check "salesforce report, -q: nothing on standard error" [ ! -s "$TMP/err" ]
check "salesforce report: six results, no errors" [ "$(grep -c '"verdict"' sf.out)" -eq 6 ]
check "salesforce report: the footer is skipped and said" contains sf.err 'opportunities.csv:9: 5 report footer lines (one cell each) skipped'
check "salesforce report: the roles report's footer too" contains sf.err 'contact_roles.csv:16: 5 report footer lines'
check "salesforce report: absent judgement columns are named" contains sf.err 'opportunities.csv lacks 26 of the 31 columns the mapping reads ("Opportunity Currency", "Amount Currency", "As Of", "Capability Case"'
check "salesforce report: absent stakeholder columns too" contains sf.err 'contact_roles.csv lacks 13 of the 20 columns the mapping reads ("Level", "Can Sign", "Influence", "Stance"'
check "salesforce report: an alias present is not absent" bash -c "! grep -q '\"Contact Role\"' sf.err"
# no silent walk_away for all: nothing judged, coverage 0, low_coverage, no verdict
novice() { $PY -c 'import json,sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert r and all(x["coverage"] == 0 and x["warnings"][-1] == "low_coverage" and
                 x["verdict"] == "insufficient_data" for x in r), r' "$1"; }
check "salesforce report: nothing judged is pretended" novice sf.out
# explain says what was inferred from what, per stakeholder
"$DS" score -q --explain "${SF[@]}" >sf.explain 2>/dev/null
check "explain: inferred fields with their sources" $PY -c 'import json,sys
r = {x["id"]: x for x in map(json.loads, open(sys.argv[1]))}
s = {x["id"]: x for x in r["0065g00000AbCdE"]["stakeholders"]}
assert s["0035g00000XyZaB"]["inferred"] == {"function": "contact role \"Technical Buyer\"",
    "last_contact": "Last Activity (the contact'"'"'s latest activity, on any deal)",
    "level": "title \"VP, IT Infrastructure\""}, s["0035g00000XyZaB"]
assert s["0035g00000XyZaD"]["inferred"] == {"function": "title \"Head of Data & Analytics\"",
    "level": "title \"Head of Data & Analytics\""}, s["0035g00000XyZaD"]' sf.explain
"$DS" explain --as-of 2026-12-07 --id 0065g00000AbCdE "${SF[@]}" >sf.report 2>/dev/null
check "explain report: inferred, not given, with sources" contains sf.report 'Priya Raman (VP, IT Infrastructure): function it (inferred from contact role "Technical Buyer"), last_contact 2026-11-12 (inferred from Last Activity'
check "explain report: too little known leads" contains sf.report '^Too little is known to judge this deal'
"$DS" score -q --policy dump.lua "${SF[@]}" >sf.dump 2>/dev/null
E=0065g00000AbCdE
check "economic buyer can buy, function and level from the title" has sf.dump $E '0035g00000XyZaA|Daniel Okafor|business|vp|economic_buyer|true|nil|2026-11-30|function=title "SVP, Claims Operations",last_contact=Last Activity (the contact'"'"'s latest activity, on any deal),level=title "SVP, Claims Operations"'
check "technical buyer: IT strategic, function from the role" has sf.dump $E '0035g00000XyZaB|Priya Raman|it|vp|it_strategic|false|nil|2026-11-12|function=contact role "Technical Buyer"'
check "business user: an end user" has sf.dump $E '0035g00000XyZaC|Aisha Bello|user|manager|end_user|false'
check "no last activity: no last_contact, nothing marked" has sf.dump $E '0035g00000XyZaD|Mark O'"'"'Neil|it|head|influencer|false|nil|nil|function=title "Head of Data & Analytics",level=title "Head of Data & Analytics"'
check "German title" has sf.dump 0065g00000AbCdF '0035g00000XyZaF|Sabine Krüger|exec|c_level|economic_buyer|true'
check "function from the department when the title has none" has sf.dump 0065g00000AbCdF '0035g00000XyZaG|Felix Wagner|business|head|sponsor|false|nil|2026-11-27|function=department "Operations"'
check "French DSI" has sf.dump 0065g00000AbCdG '0035g00000XyZaH|Camille Durand|it|c_level|it_strategic'
check "role Other adds nothing" has sf.dump 0065g00000AbCdH '0035g00000XyZaJ|Kelly Nguyen|business|director||false'
check "Spanish, Dutch" bash -c "grep -q 'Lucía Fernández|it|director|economic_buyer|true' sf.dump && grep -q 'Pieter van Dijk|it|head|it_strategic' sf.dump"

# the same report with the MEDDICC fields such orgs add
SFM=(--mapping salesforce --csv "$CRM/salesforce_report/opportunities_meddicc.csv"
     --stakeholders "$CRM/salesforce_report/contact_roles.csv")
"$DS" score -q --policy dump.lua "${SFM[@]}" >sfm.dump 2>sfm.err
check "MEDDICC: Champion lookup by name gives the role" has sfm.dump $E '0035g00000XyZaC|Aisha Bello|user|manager|champion,end_user|false'
check "MEDDICC: Economic Buyer lookup adds no second role" has sfm.dump $E '0035g00000XyZaA|Daniel Okafor|business|vp|economic_buyer|true'
check "MEDDICC: Identified Pain and Competition feed the solution, inferred" has sfm.dump $E 'solution|capability=Identified Pain "Backlog of 14,000 open claims, SLA penalties",in_house_alternative=Competition "In-house build"|cap=0.5|inhouse=0.8'
check "MEDDICC: status quo is an unknown alternative" has sfm.dump 0065g00000AbCdF 'solution|capability=Identified Pain "Dispatch plans made by hand, 2 planners overloaded",in_house_alternative=Competition "Status quo"|cap=0.5|inhouse=0.5'
check "MEDDICC: a named competitor says nothing of in-house" has sfm.dump 0065g00000AbCdG 'solution|nil|cap=nil|inhouse=nil'
check "MEDDICC: champion on the second deal" has sfm.dump 0065g00000AbCdF 'Felix Wagner|business|head|champion,sponsor'
"$DS" score -q --as-of 2026-12-07 "${SFM[@]}" >sfm.out 2>/dev/null
check "MEDDICC: the capability case scores, inferred so coverage stays 0" $PY -c 'import json,sys
r = {x["id"]: x for x in map(json.loads, open(sys.argv[1]))}
d = r["0065g00000AbCdE"]
assert d["scores"]["capability_roi"] > 0 and d["coverage"] == 0, d
assert "no_champion" not in d["reasons"], d["reasons"]
assert "no_champion" in r["0065g00000AbCdG"]["reasons"]' sfm.out
# an org that added the judgement fields and filled them on one deal, partly on
# another: the first is judged, the others say they cannot be
"$DS" score --as-of 2026-12-07 --mapping salesforce \
    --csv "$CRM/salesforce_report/opportunities_custom.csv" \
    --stakeholders "$CRM/salesforce_report/contact_roles_custom.csv" >custom.out 2>custom.err
check "custom fields: only the absent ones are named" contains custom.err 'contact_roles_custom.csv lacks 5 of the 20 columns the mapping reads ("Level", "Can Sign", "Workload Burden", "Credibility Threat", "Expectation Gap")'
check "custom fields: a filled deal is judged, the others are not" $PY -c 'import json,sys
r = {x["id"]: x for x in map(json.loads, open(sys.argv[1]))}
e = r.pop("0065g00000AbCdE")
assert e["coverage"] >= 0.3 and "low_coverage" not in e["warnings"], e
assert e["verdict"] == "shape" and e["scores"]["measurable_roi"] > 0, e
f = r["0065g00000AbCdF"]
assert 0 < f["coverage"] < 0.3 and f["verdict"] == "insufficient_data" and f["scores"]["viability"] > 0, f
assert all(x["verdict"] == "insufficient_data" for x in r.values()), r' custom.out

# a lookup naming someone who has no contact role: a stakeholder of its own
printf '"Opportunity ID","Opportunity Name","Champion","Identified Pain","Capability Case"\n"006X","X","Rosa Diaz","Pain","0.9"\n' >lk.csv
"$DS" score -q --policy dump.lua --mapping salesforce --csv lk.csv >lk.dump 2>/dev/null
check "lookup: the champion named only on the deal is added" has lk.dump 006X 'Rosa Diaz|Rosa Diaz|nil|nil|champion|false|nil|nil|nil'
check "evidence never overrides a given value" has lk.dump 006X 'solution|nil|cap=0.9'

# the standard OpportunityContactRole.Role picklist, value by value (docs/csv.md)
{
    echo '"Opportunity ID","Contact ID","First Name","Last Name","Title","Role"'
    for r in "Business User" "Decision Maker" "Economic Buyer" "Economic Decision Maker" \
        "Evaluator" "Executive Sponsor" "Influencer" "Technical Buyer" "Other"; do
        echo "\"006R\",\"$r\",\"\",\"\",\"\",\"$r\""
    done
} >roles.csv
printf '"Opportunity ID"\n"006R"\n' >r_opp.csv
"$DS" score -q --policy dump.lua --mapping salesforce --csv r_opp.csv --stakeholders roles.csv >roles.dump 2>/dev/null
check "role table: Salesforce" diff -u - <(dump roles.dump 006R | cut -d'|' -f1,3,5,6 | tail -n +2) <<'EOF'
Business User|user|end_user|false
Decision Maker|nil|economic_buyer|true
Economic Buyer|nil|economic_buyer|true
Economic Decision Maker|nil|economic_buyer|true
Evaluator|nil|influencer|false
Executive Sponsor|nil|sponsor|false
Influencer|nil|influencer|false
Technical Buyer|it|it_strategic|false
Other|nil||false
EOF

# ---- Salesforce Data Loader exports: upper-case API names, ISO datetimes, the join
DL=(--mapping salesforce_api --csv "$CRM/salesforce_dataloader/Opportunity.csv"
    --stakeholders "$CRM/salesforce_dataloader/OpportunityContactRole.csv"
    --contacts "$CRM/salesforce_dataloader/Contact.csv")
expect_exit "data loader: all deals scored" 0 "$DS" score "${DL[@]}"
check "data loader: four results, no errors" [ "$(grep -c '"verdict"' "$TMP/out")" -eq 4 ]
check "data loader: low coverage said, no verdict" novice "$TMP/out"
check "data loader: a role naming an unknown contact is said" contains "$TMP/err" '1 stakeholder row names a contact that is not in .*Contact.csv (first: "0035g00000XyZaZAAV")'
"$DS" score -q --policy dump.lua "${DL[@]}" >dl.dump 2>/dev/null
E=0065g00000AbCdEAAV
check "data loader: the contact's name, title and last activity joined on ContactId" has dl.dump $E '0035g00000XyZaAAAV|Daniel Okafor|business|vp|economic_buyer|true|2026-08-04|2026-11-30|first_contact=CreatedDate (when the contact role was added to the opportunity),function=title "SVP, Claims Operations",last_contact=LastActivityDate (the contact'"'"'s latest activity, on any deal),level=title "SVP, Claims Operations"'
check "data loader: Champion__c holds a contact id" has dl.dump $E '0035g00000XyZaCAAV|Aisha Bello|user|manager|champion,end_user'
check "data loader: Identified_Pain__c" has dl.dump $E 'solution|capability=Identified_Pain__c "Backlog of 14,000 open claims"|cap=0.5'
check "data loader: a contact missing from Contact.csv keeps its role" has dl.dump 0065g00000AbCdGAAV '0035g00000XyZaZAAV|nil|nil|nil|influencer|false|2026-11-02|nil'
check "data loader: DSI" has dl.dump 0065g00000AbCdGAAV 'Camille Durand|it|c_level|it_strategic'
check "data loader: an empty role adds nothing" has dl.dump 0065g00000AbCdHAAV 'Kelly Nguyen|business|director||false'
# the Bulk API writes the same names in the query's case
sed '1s/.*/"Id","IsDeleted","AccountId","Account.Name","Name","StageName","Amount","Probability","CloseDate","Type","LeadSource","IsClosed","IsWon","ForecastCategory","CurrencyIsoCode","CreatedDate","LastActivityDate","Champion__c","Identified_Pain__c"/' \
    "$CRM/salesforce_dataloader/Opportunity.csv" >bulk_opp.csv
"$DS" score -q --policy dump.lua --mapping salesforce_api --csv bulk_opp.csv \
    --stakeholders "$CRM/salesforce_dataloader/OpportunityContactRole.csv" \
    --contacts "$CRM/salesforce_dataloader/Contact.csv" >bulk.dump 2>/dev/null
check "bulk API case reads the same" cmp -s dl.dump bulk.dump

# ---- HubSpot: BOM, labels and internal values, a contact on two deals
HS=(--mapping hubspot --csv "$CRM/hubspot/deals.csv" --stakeholders "$CRM/hubspot/contacts.csv")
expect_exit "hubspot: all deals scored" 0 "$DS" score "${HS[@]}"
check "hubspot: four results" [ "$(grep -c '"verdict"' "$TMP/out")" -eq 4 ]
check "hubspot: low coverage said, no verdict" novice "$TMP/out"
check "hubspot: absent columns said" contains "$TMP/err" 'hubspot/deals.csv lacks 24 of the 29 columns'
"$DS" score -q --policy dump.lua "${HS[@]}" >hs.dump 2>/dev/null
check "hubspot: budget holder and decision maker" has hs.dump 14872305671 '51|Ana Lima|finance|c_level|economic_buyer|true|2024-02-11|2026-11-29'
check "hubspot: a contact on two deals" has hs.dump 14872305673 '51|Ana Lima|finance|c_level|economic_buyer|true'
check "hubspot: champion, Head of Data & Analytics" has hs.dump 14872305671 '52|Bo Chen|it|head|champion|false'
check "hubspot: blocker in German" has hs.dump 14872305671 '53|Carla Weber|it|head|blocker'
check "hubspot: end user" has hs.dump 14872305671 '54|Dev Patel|user|individual|end_user|false|2026-06-03|2026-11-05|first_contact=Create Date'
check "hubspot: two buying roles" has hs.dump 14872305672 '55|Emma Jones|business|manager|influencer,sponsor'
check "hubspot: internal value LEGAL_AND_COMPLIANCE" has hs.dump 14872305673 '56|Farid Haddad|legal|head||false'
# the buying role picklist, labels and internal values (docs/csv.md)
{
    echo 'Record ID,Buying Role,Associated Deal IDs'
    for r in Blocker "Budget Holder" Champion "Decision Maker" "End User" "Executive Sponsor" \
        Influencer "Legal and Compliance" Other BLOCKER BUDGET_HOLDER CHAMPION DECISION_MAKER \
        END_USER EXECUTIVE_SPONSOR INFLUENCER LEGAL_AND_COMPLIANCE OTHER; do
        echo "$r,$r,1"
    done
} >hsroles.csv
printf 'Record ID\n1\n' >hsdeal.csv
"$DS" score -q --policy dump.lua --mapping hubspot --csv hsdeal.csv --stakeholders hsroles.csv >hsroles.dump 2>/dev/null
check "role table: HubSpot buying roles" diff -u - <(dump hsroles.dump 1 | cut -d'|' -f1,3,5,6 | tail -n +2) <<'EOF'
Blocker|nil|blocker|false
Budget Holder|nil|economic_buyer|true
Champion|nil|champion|false
Decision Maker|nil|economic_buyer|true
End User|user|end_user|false
Executive Sponsor|nil|sponsor|false
Influencer|nil|influencer|false
Legal and Compliance|legal||false
Other|nil||false
BLOCKER|nil|blocker|false
BUDGET_HOLDER|nil|economic_buyer|true
CHAMPION|nil|champion|false
DECISION_MAKER|nil|economic_buyer|true
END_USER|user|end_user|false
EXECUTIVE_SPONSOR|nil|sponsor|false
INFLUENCER|nil|influencer|false
LEGAL_AND_COMPLIANCE|legal||false
OTHER|nil||false
EOF

# deal-contact associations with their labels, the contacts export joined
"$DS" score -q --policy dump.lua --mapping hubspot_associations --csv "$CRM/hubspot/deals.csv" \
    --stakeholders "$CRM/hubspot/deal_contact_associations.csv" \
    --contacts "$CRM/hubspot/contacts.csv" >hsa.dump 2>hsa.err
check "associations: labels give roles" has hsa.dump 14872305671 '51|Ana Lima|finance|c_level|economic_buyer|true'
check "associations: the label and the contact's buying role add up" has hsa.dump 14872305671 '53|Carla Weber|it|head|blocker,it_strategic'
check "associations: no label, the buying role" has hsa.dump 14872305671 '54|Dev Patel|user|individual|end_user'
check "associations: Economic Buyer label" has hsa.dump 14872305673 '51|Ana Lima|finance|c_level|economic_buyer|true'

# ---- a team's title rules (--titles) over the bundled ones
echo '{"rules": [{"match": ["disposition"], "function": "business", "level": "director"}, {"match": ["svp"], "level": "c_level"}]}' >ours.json
"$DS" score -q --policy dump.lua --titles ours.json "${SF[@]}" >own.dump 2>/dev/null
check "--titles: a team's rule wins on the same words" has own.dump 0065g00000AbCdE '0035g00000XyZaA|Daniel Okafor|business|c_level'
check "--titles: and adds words" has own.dump 0065g00000AbCdF 'Felix Wagner|business|head|sponsor'
check "--titles: the rest as bundled" has own.dump 0065g00000AbCdE 'Priya Raman|it|vp'
echo '{"rules": [{"match": ["x"], "levle": "vp"}]}' >bad_titles.json
expect_exit "--titles: a bad table is a setup error" 2 "$DS" score "${SF[@]}" --titles bad_titles.json
check "--titles: the key is named" contains "$TMP/err" 'bad_titles.json: rules\[0\].levle: unknown key'
expect_exit "--titles twice" 2 "$DS" score "${SF[@]}" --titles ours.json --titles ours.json
check "--titles twice: said" contains "$TMP/err" "--titles given twice"
expect_exit "--titles needs --csv" 2 "$DS" score --titles ours.json "$SRC/models/examples/pipeline.jsonl"

# ---- setup errors of the CRM keys
expect_exit "--contacts with a mapping without contacts" 2 "$DS" score --mapping salesforce \
    --csv "$CRM/salesforce_report/opportunities.csv" --contacts "$CRM/salesforce_dataloader/Contact.csv"
check "--contacts: said why" contains "$TMP/err" 'the mapping has no "contacts" section'
expect_exit "--contacts: a missing file" 2 "$DS" score "${DL[@]:0:6}" --contacts nope.csv
echo '{"deals": {"key": "id", "columns": {}, "lookups": {"Champion": "champion"}}}' >badmap.json
expect_exit "lookups must be objects" 2 "$DS" score --mapping "$TMP/badmap.json" --csv r_opp.csv
check "lookups: the key is named" contains "$TMP/err" 'deals.lookups."Champion": must be an object'
echo '{"deals": {"key": "id", "columns": {}, "evidence": {"Pain": {"field": "stage", "value": 1}}}}' >badmap.json
expect_exit "evidence only for solution fields" 2 "$DS" score --mapping "$TMP/badmap.json" --csv r_opp.csv
check "evidence: the key is named" contains "$TMP/err" 'deals.evidence."Pain".field: must name a solution field'
echo '{"titles": "yes", "deals": {"key": "id", "columns": {}}}' >badmap.json
expect_exit "titles is a boolean" 2 "$DS" score --mapping "$TMP/badmap.json" --csv r_opp.csv
echo '{"deals": {"key": "id", "columns": {}}, "stakeholders": {"key": "d", "columns": {}, "inferred": {"last_contact": 3}}}' >badmap.json
expect_exit "inferred sources are strings" 2 "$DS" score --mapping "$TMP/badmap.json" --csv r_opp.csv
check "inferred: the key is named" contains "$TMP/err" 'stakeholders.inferred.last_contact: must be a string'

# a bad contact row: said, the rest joined, exit 1
printf '"ID","FIRSTNAME","LASTNAME","TITLE","LASTACTIVITYDATE"\n"0035g00000XyZaAAAV","Daniel","Okafor","SVP","2026-13-45"\n"0035g00000XyZaBAAV","Priya","Raman","CIO","2026-11-12"\n' >badcontacts.csv
expect_exit "a bad contact row: exit 1" 1 "$DS" score -q --policy dump.lua "${DL[@]:0:6}" --contacts badcontacts.csv
check "a bad contact row: file, line, column" contains "$TMP/err" "badcontacts.csv:2 column 5 (LASTACTIVITYDATE): '2026-13-45' is not a date"
check "a bad contact row: the others are joined" contains "$TMP/out" 'Priya Raman|it|c_level|it_strategic'

# docs/csv.md, "What to add to the CRM": the measured order of the fields to add
$PY "$SRC/benchmarks/field_swing.py" "$DS" vanilla >swing.txt
check "what to add: the solution case first, nothing else moves a vanilla deal" $PY -c 'import sys
rows = [l.split() for l in open(sys.argv[1])]
assert [r[0] for r in rows[:3]] == ["solution.measurable", "solution.capability", "solution.strategic"], rows[:3]
assert all(float(r[1]) > 5 for r in rows[:3]) and all(float(r[1]) == 0 for r in rows[3:]), rows' swing.txt
$PY "$SRC/benchmarks/field_swing.py" "$DS" case >swing_case.txt
check "what to add: then stance and conviction" $PY -c 'import sys
rows = [l.split()[0] for l in open(sys.argv[1])]
assert rows[:3] == ["stakeholders[].stance", "stakeholders[].convinced.capability", "stakeholders[].convinced.strategic"], rows[:3]' swing_case.txt

finish
