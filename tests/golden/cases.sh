# cases.sh: the golden cases, one `golden NAME COMMAND...` each. Sourced by
# tests/golden/update (which writes what COMMAND prints to tests/golden/out/NAME)
# and by tests/e2e/test_golden.sh (which compares byte for byte), so the two can
# never run different commands. COMMAND runs in the source tree (paths in the
# output stay relative and the same on every machine) with $DS the program and
# $W a scratch folder; its standard error goes to out/NAME.stderr when not empty,
# its exit code to out/exit_codes.
#
# Nothing here may depend on the clock, the machine or the path of the tree:
# every run without an as_of in its deals gets --as-of (but one, which shows the
# notice), the Lua state size of `check` and the duration of a summary line are
# masked (lua_size, untimed below), -q silences progress and timing lines.
# Inputs: models/examples/pipeline.jsonl and the generated deals of
# tests/golden/in (see tests/golden/update --inputs for how they were made).

EX=models/examples/pipeline.jsonl
GEN=tests/golden/in/gen_pipeline.jsonl   # benchmarks/gen_pipeline.c, 3 to 12 people
THIN=tests/golden/in/ref_thin.jsonl      # gen_deals.py --thin-share 0.5: half CRM-like
CLOSED=tests/golden/in/ref_closed.jsonl  # gen_deals.py --closed-share 0.8: for backtest
COMM=tests/golden/in/committees.jsonl    # gen_committee.py: 25 and 40 members
ASOF=(--as-of 2026-06-30)                # pins staleness for deals without an as_of
CRM=tests/e2e/crm
SF=(--mapping salesforce --csv $CRM/salesforce_report/opportunities.csv
    --stakeholders $CRM/salesforce_report/contact_roles.csv)
SFM=(--mapping salesforce --csv $CRM/salesforce_report/opportunities_meddicc.csv
     --stakeholders $CRM/salesforce_report/contact_roles.csv)
HS=(--mapping hubspot --csv $CRM/hubspot/deals.csv --stakeholders $CRM/hubspot/contacts.csv)
DL=(--mapping salesforce_api --csv $CRM/salesforce_dataloader/Opportunity.csv
    --stakeholders $CRM/salesforce_dataloader/OpportunityContactRole.csv
    --contacts $CRM/salesforce_dataloader/Contact.csv)

# lua_size: `check` ends with the size of the Lua state, which follows the
# allocator and the Lua version rather than the results; it alone is masked
lua_size() { sed -E 's/Lua state [0-9]+ [KMG]?B/Lua state <size>/'; }
check_masked() {
    "$DS" check "$@" >"$W/check.out"
    local rc=$?
    lua_size <"$W/check.out"
    return $rc
}
# untimed COMMAND...: COMMAND with the duration and rate of its summary line on
# standard error masked (the counts stay)
untimed() {
    "$@" 2>"$W/err"
    local rc=$?
    sed -E 's/ in [0-9.]+ s \([0-9]+ deals\/s\)$/ in <time>/' "$W/err" >&2
    return $rc
}
# results_diff A_ARGS -- B_ARGS -- FILE: diff of the results of FILE scored twice
results_diff() {
    local a=() b=()
    while [ "$1" != -- ]; do a+=("$1"); shift; done
    shift
    while [ "$1" != -- ]; do b+=("$1"); shift; done
    shift
    local fmt=$1 file=$2
    "$DS" score -q --jobs 2 --explain "${a[@]}" "$file" >"$W/a.jsonl"
    "$DS" score -q --jobs 2 --explain "${b[@]}" "$file" >"$W/b.jsonl"
    "$DS" diff --format "$fmt" "$W/a.jsonl" "$W/b.jsonl"
}
# variant_model: the default model with one capability weight moved
variant_model() {
    python3 - models/default.json "$W/variant.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["capability_roi"]["conviction"] = 0.45
m["capability_roi"]["base"] = 0.55
json.dump(m, open(sys.argv[2], "w"), indent=1)
EOF
}
# next_export: the example pipeline a week later (moved stances, a new person,
# a deal gone, a deal added), for `diff` of two exports
next_export() {
    python3 - $EX "$W/next.jsonl" <<'EOF'
import json, sys
deals = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {d["id"]: d for d in deals}
def person(deal, sid): return next(p for p in by[deal]["stakeholders"] if p["id"] == sid)
person("NBM-2026-014", "marsh")["stance"] = 0.1
person("TVC-2026-018", "moretti")["expectation_gap"] = 0.7
person("KOR-2026-011", "hughes")["last_contact"] = "2026-05-01"
person("ASM-2026-007", "yilmaz")["convinced"].update(capability=True, strategic=True)
by["NBM-2026-014"]["stakeholders"].append({"id": "cto", "name": "Sam Okafor", "title": "CTO",
    "function": "it", "level": "c_level", "stance": -0.4, "influence": 0.7})
del by["LRH-2026-003"]
added = json.loads(json.dumps(by["NPM-2026-016"])); added["id"] = "NEW-2026-001"
with open(sys.argv[2], "w") as f:
    for d in deals:
        if d["id"] in by: f.write(json.dumps(d) + "\n")
    f.write(json.dumps(added) + "\n")
EOF
}

golden_cases() {
    local name file
    # score in every format and mode, on each kind of deal
    for name in pipeline gen thin committees; do
        case $name in
        pipeline) file=$EX ;;
        gen) file=$GEN ;;
        thin) file=$THIN ;;
        committees) file=$COMM ;;
        esac
        golden score_$name.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" "$file"
        golden score_$name.csv "$DS" score -q --jobs 2 "${ASOF[@]}" --format csv "$file"
        golden score_$name.table "$DS" score -q --jobs 2 "${ASOF[@]}" --format table "$file"
        golden explain_$name.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --explain "$file"
        golden actions_$name.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --actions "$file"
        golden questions_$name.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --questions "$file"
    done
    # all three extras at once, more of each, and another policy
    golden all_thin.jsonl "$DS" score -q --jobs 1 "${ASOF[@]}" --explain --max-actions 8 \
        --max-questions 8 $THIN
    golden it_first_gen.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --explain --actions \
        -p scripts/examples/it_first.lua $GEN
    # without --as-of: staleness not judged, said once on stderr
    golden noasof_thin.jsonl untimed "$DS" score --jobs 1 $THIN

    # the explain command: text for every deal, markdown, fewer actions
    golden explain_pipeline.txt "$DS" explain --no-color $EX
    golden explain_thin.txt "$DS" explain --no-color "${ASOF[@]}" $THIN
    golden explain_gen.md "$DS" explain --format markdown "${ASOF[@]}" $GEN
    golden explain_committee.txt "$DS" explain --no-color "${ASOF[@]}" --max-actions 3 \
        --max-questions 3 --id "$(head -n 1 $COMM | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')" $COMM

    # check: the default policy and the examples
    golden check_default.txt check_masked scripts/default.lua
    golden check_it_first_thin.txt check_masked "${ASOF[@]}" scripts/examples/it_first.lua $THIN
    golden check_conservative_gen.txt check_masked "${ASOF[@]}" \
        scripts/examples/enterprise_conservative.lua $GEN

    # diff: two policies, two models, two exports
    golden diff_policies.jsonl results_diff -- -p scripts/examples/it_first.lua -- jsonl $EX
    golden diff_policies.txt results_diff -- -p scripts/examples/enterprise_conservative.lua \
        -- text $GEN
    golden diff_models.jsonl eval 'variant_model && results_diff "${ASOF[@]}" -- "${ASOF[@]}" -m "$W/variant.json" -- jsonl $THIN'
    golden diff_exports.jsonl eval 'next_export && "$DS" diff $EX "$W/next.jsonl"'
    golden diff_exports.txt eval 'next_export && "$DS" diff --format text $EX "$W/next.jsonl"'

    # backtest on closed deals: two policies, text and JSON
    golden backtest.txt "$DS" backtest "${ASOF[@]}" --bootstrap 200 -p default=scripts/default.lua \
        -p it_first=scripts/examples/it_first.lua $CLOSED
    golden backtest.json "$DS" backtest "${ASOF[@]}" --bootstrap 200 --bins 5 --format json $CLOSED

    # CRM exports through the mappings
    golden crm_salesforce.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --explain "${SF[@]}"
    golden crm_salesforce_questions.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --questions "${SF[@]}"
    golden crm_salesforce.csv "$DS" score -q --jobs 2 "${ASOF[@]}" --format csv "${SFM[@]}"
    golden crm_hubspot.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --actions --questions "${HS[@]}"
    golden crm_dataloader.txt "$DS" explain --no-color "${ASOF[@]}" "${DL[@]}"
    golden convert_salesforce.jsonl "$DS" convert "${SF[@]}"
    golden convert_dataloader.jsonl "$DS" convert "${DL[@]}"

    # the stakeholder map
    golden map_asm.dot "$DS" map --id ASM-2026-007 $EX

    # --questions-exact: every answer through the policy. These are the outputs of
    # the cases above from before the policy-run budget of --questions (issue 12),
    # byte for byte: the budget changes which questions are answered, never how.
    golden exact_questions_pipeline.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" \
        --questions-exact $EX
    golden exact_questions_thin.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --questions-exact $THIN
    golden exact_all_thin.jsonl "$DS" score -q --jobs 1 "${ASOF[@]}" --explain --max-actions 8 \
        --max-questions 8 --questions-exact $THIN
    golden exact_explain_pipeline.txt "$DS" explain --no-color --questions-exact $EX
    golden exact_explain_thin.txt "$DS" explain --no-color "${ASOF[@]}" --questions-exact $THIN
    golden exact_crm_salesforce_questions.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" \
        --questions-exact "${SF[@]}"
    golden exact_crm_hubspot.jsonl "$DS" score -q --jobs 2 "${ASOF[@]}" --actions \
        --questions-exact "${HS[@]}"
    golden exact_crm_dataloader.txt "$DS" explain --no-color "${ASOF[@]}" --questions-exact \
        "${DL[@]}"
}
