#!/usr/bin/env bash
# The nightly CRM path as a new user takes it (docs/csv.md, followed literally),
# on exports written from what Salesforce, the Data Loader, HubSpot and a German
# Excel write (tests/e2e/crm/newuser/README.md): every deal gets an honest result,
# a German Excel save is read with the options the docs name (--date-format
# included), a bad cell's error says file, line, column and what to give, in the
# table too, a role named twice is one role, and explain says which of its
# sentences are the model's assumptions rather than the export's facts.
. "$(dirname "$0")/lib.sh"
NU=$SRC/tests/e2e/crm/newuser
cd "$TMP" || exit 1
AS=(--as-of 2026-12-07)

# ---- every vanilla export: scored, none judged, nothing silently walk_away ----
"$DS" score "${AS[@]}" --mapping salesforce --csv "$NU/sf_opportunities.csv" \
    --stakeholders "$NU/sf_contact_roles.csv" >sf.jsonl 2>sf.err
check "salesforce report: exit 0" test $? -eq 0
"$DS" score -q "${AS[@]}" --mapping salesforce_api --csv "$NU/dl_Opportunity.csv" \
    --stakeholders "$NU/dl_OpportunityContactRole.csv" --contacts "$NU/dl_Contact.csv" \
    >dl.jsonl 2>dl.err
check "data loader: exit 0" test $? -eq 0
"$DS" score -q "${AS[@]}" --mapping hubspot --csv "$NU/hs_deals.csv" \
    --stakeholders "$NU/hs_contacts.csv" >hs.jsonl 2>hs.err
check "hubspot: exit 0" test $? -eq 0
"$DS" score -q "${AS[@]}" --mapping hubspot_associations --csv "$NU/hs_deals.csv" \
    --stakeholders "$NU/hs_associations.csv" --contacts "$NU/hs_contacts.csv" \
    >hsa.jsonl 2>hsa.err
check "hubspot associations: exit 0" test $? -eq 0
for f in sf dl hs hsa; do
    check "$f: every deal insufficient_data with low_coverage" $PY - "$f.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) >= 7, len(rows)
for r in rows:
    assert r["verdict"] == "insufficient_data", r
    assert r["warnings"][-1] == "low_coverage", r
PY
done
check "custom stages are unknown_stage, still scored" $PY - sf.jsonl dl.jsonl hs.jsonl <<'PY'
import json, sys
for f, deal in zip(sys.argv[1:], ["0065g00000HsLc3AAD", "0062E00001Kx7aEQAR", "18233410024"]):
    r = [json.loads(l) for l in open(f) if deal in l][0]
    assert "unknown_stage" in r["warnings"] and "scores" in r, r
PY

# ---- a role named twice (label and Buying Role, two Buying Roles) is one role ----
"$DS" convert --mapping hubspot_associations --csv "$NU/hs_deals.csv" \
    --stakeholders "$NU/hs_associations.csv" --contacts "$NU/hs_contacts.csv" >hsa.deals 2>/dev/null
"$DS" convert --mapping hubspot --csv "$NU/hs_deals.csv" --stakeholders "$NU/hs_contacts.csv" \
    >hs.deals 2>/dev/null
check "Budget Holder;Decision Maker (and the label Economic Buyer) is one economic_buyer" \
    $PY - hs.deals hsa.deals <<'PY'
import json, sys
for f in sys.argv[1:]:
    for l in open(f):
        for s in json.loads(l).get("stakeholders", []):
            assert len(s.get("roles", [])) == len(set(s.get("roles", []))), (f, s)
            if s["id"] == "551002":
                assert s["roles"] == ["economic_buyer"] and s["can_buy"] is True, (f, s)
PY

# ---- a German Excel save: each problem named with what to give, table included ----
"$DS" score -q "${AS[@]}" --format table --mapping hubspot --csv "$NU/de_deals.csv" \
    --stakeholders "$NU/de_contacts.csv" >de1.txt 2>/dev/null
check "table: a bad cell's message, not only its code" \
    contains de1.txt "bad_encoding: .*de_deals.csv:2 column 2 (Deal Name): .*--encoding windows-1252"
"$DS" score -q "${AS[@]}" --format table --mapping hubspot --csv "$NU/de_deals.csv" \
    --stakeholders "$NU/de_contacts.csv" --encoding windows-1252 >de2.txt 2>/dev/null
check "table: a day-first date says which --date-format to give" \
    contains de2.txt "bad_date: .*de_deals.csv:2 column 4 (Close Date): '19.12.2026 00:00' is not a date (YYYY-MM-DD; day first? give --date-format DD.MM.YYYY)"
"$DS" score -q "${AS[@]}" --mapping hubspot --csv "$NU/de_deals.csv" \
    --stakeholders "$NU/de_contacts.csv" --encoding windows-1252 >de2.jsonl 2>/dev/null
check "an ISO mapping's date error names the format once" \
    test "$(grep -c "is not a date (YYYY-MM-DD;" de2.jsonl)" -eq 7 -a \
    "$(grep -c 'YYYY-MM-DD, or YYYY-MM-DD' de2.jsonl)" -eq 0
"$DS" score -q "${AS[@]}" --mapping hubspot --csv "$NU/de_deals.csv" \
    --stakeholders "$NU/de_contacts.csv" --encoding windows-1252 --decimal , \
    --date-format DD.MM.YYYY >de3.jsonl 2>de3.err
check "German Excel with --encoding --decimal --date-format: exit 0" test $? -eq 0
check "German Excel: every deal scored" test "$(grep -c '"verdict":"insufficient_data"' de3.jsonl)" -eq 7
"$DS" convert --mapping hubspot --csv "$NU/de_deals.csv" --stakeholders "$NU/de_contacts.csv" \
    --encoding windows-1252 --decimal , --date-format DD.MM.YYYY >de.deals 2>/dev/null
"$DS" convert --mapping hubspot --csv "$NU/hs_deals.csv" --stakeholders "$NU/hs_contacts.csv" \
    >hs2.deals 2>/dev/null
check "German Excel: the same amounts, dates, roles as the original export" \
    $PY - de.deals hs2.deals <<'PY'
import json, sys
def facts(f):
    out = []
    for l in open(f):
        d = json.loads(l)
        out.append((d["id"], d.get("amount"), d.get("close_date"), d.get("stage"),
                    [(s["id"], s.get("roles"), s.get("last_contact"), s.get("first_contact"))
                     for s in d.get("stakeholders", [])]))
    return out
de, hs = facts(sys.argv[1]), facts(sys.argv[2])
assert de == hs, (de, hs)
assert de[0][1] == 142500 and de[0][2] == "2026-12-19", de[0]
PY

# --date-format: over the mapping's own and a column's own; checked; CSV only
cat >m.json <<'EOF'
{"deals": {"key": "id", "columns": {"close": {"field": "close_date", "date_format": "M/D/YYYY"}}}}
EOF
printf 'id,close\nd1,19.12.2026\n' >d.csv
"$DS" convert --mapping m.json --date-format DD.MM.YYYY d.csv >d.jsonl 2>/dev/null
check "--date-format is over a column's own date_format" contains d.jsonl '"close_date":"2026-12-19"'
expect_exit "--date-format without a year" 2 "$DS" score --date-format DD.MM d.csv
check "--date-format: a bad format is named" contains "$TMP/err" "'DD.MM' is not a date format"
expect_exit "--date-format given twice" 2 "$DS" score --date-format D.M.YYYY --date-format D.M.YYYY d.csv
expect_exit "--date-format without CSV" 2 "$DS" score --date-format DD.MM.YYYY "$SRC/models/examples/pipeline.jsonl"
check "--date-format without CSV: said" contains "$TMP/err" "go with CSV deals"

# a Salesforce report from a day-first locale: the first day past 12 says so
sed 's#"4/15/2027"#"15/4/2027"#' "$NU/sf_opportunities.csv" >gb.csv
"$DS" score -q --mapping salesforce --csv gb.csv >gb.jsonl 2>/dev/null
check "a US mapping reading 15/4/2027 names --date-format DD/MM/YYYY" \
    contains gb.jsonl "gb.csv:5 column 9 (Close Date): '15/4/2027' is not a date (M/D/YYYY, or YYYY-MM-DD; day first? give --date-format DD/MM/YYYY)"

# ---- the currency an amount names is kept when no column gives one ----
"$DS" convert --mapping salesforce "$NU/sf_opportunities.csv" >cur.deals 2>/dev/null
check "USD/EUR/GBP amounts of a multi-currency report keep their currency" $PY - cur.deals <<'PY'
import json, sys
got = {d["id"]: (d.get("amount"), d.get("currency")) for d in map(json.loads, open(sys.argv[1]))}
assert got["0065g00000NbMfaAAF"] == (1353000, "USD"), got
assert got["0065g00000BqLm1AAB"] == (480000, "EUR"), got
assert got["0065g00000KsIn4AAE"] == (310000, "GBP"), got
assert got["0065g00000VfEn7AAH"] == (None, None), got  # no amount, no currency
PY
check "a German Excel amount in euros is in EUR" test "$(grep -c '"currency":"EUR"' de.deals)" -eq 6
printf 'Opportunity ID,Amount,Opportunity Currency\nx1,USD 5.00,CHF\nx2,$7,\n' >own.csv
"$DS" convert --mapping salesforce own.csv >own.deals 2>/dev/null
check "a currency column wins over the amount's code; \$ names no one currency" \
    test "$(grep -c '"currency":"CHF"' own.deals),$(grep -c currency own.deals)" = "1,1"

# ---- did you mean: not a different word ----
check "a missing Stance column is not taken for the report's Stage" \
    test "$(grep -c 'did you mean "Stage"' sf.err)" -eq 0
printf '{"deals": {"key": "id", "columns": {"x": {"feild": "name"}}}}' >typo.json
expect_exit "a swapped pair of letters is a typo" 2 "$DS" convert --mapping typo.json d.csv
check "a swapped pair of letters: did you mean" contains "$TMP/err" '"feild": unknown key (did you mean "field"?)'

# ---- explain: the model's assumptions are not stated as the export's facts ----
"$DS" explain "${AS[@]}" --mapping salesforce --csv "$NU/sf_opportunities.csv" \
    --stakeholders "$NU/sf_contact_roles.csv" --id 0065g00000NbMfaAAF >ex.txt 2>/dev/null
check "explain: a defaulted credibility threat is marked assumed" \
    contains ex.txt "Jonas Schreiber (Head of ERP Applications) fears for IT's credibility (assumed: credibility_threat not given): +"
check "explain: defaulted solution factors are marked assumed" \
    contains ex.txt "Exposes individual users' performance (assumed: user_transparency not given): +"
check "explain: a user's defaulted benefit is marked assumed" \
    contains ex.txt "Tobias Wagner (Leiter Instandhaltung) sees little in it for them (assumed: benefits.work, user_benefit not given): +"
check "explain: a reason resting on defaulted benefits is marked assumed" \
    contains ex.txt "no_direct_benefit: .*(assumed: the buyers' benefits.work, benefits.career not given)"
printf '%s\n' '{"id":"b1","stakeholders":[{"id":"eb","roles":["economic_buyer"],"can_buy":true,"benefits":{"work":0.1}}]}' >b1.jsonl
"$DS" explain b1.jsonl >b1.txt 2>/dev/null
check "explain: a given (low) benefit is not called assumed" \
    test "$(grep -c 'no_direct_benefit' b1.txt),$(grep -c 'assumed: the buyers' b1.txt)" = "1,0"
"$DS" explain --id NBM-2026-014 "$SRC/models/examples/pipeline.jsonl" >given.txt 2>/dev/null
check "explain: given values are not marked assumed" \
    contains given.txt "Priya Raman (Chief Information Officer) fears for IT's credibility: +"
check "explain: nothing given is called assumed" test "$(grep -c 'assumed:' given.txt)" -eq 0
finish
