#!/usr/bin/env bash
# bench_crm.sh: the cost of reading a CRM export as one (docs/csv.md): a
# Salesforce report export of N opportunities with 5 contact roles each, titles
# drawn from tests/data/titles.tsv, scored with the salesforce mapping, against
# the same mapping with title inference off ("titles": false). Both --jobs 1.
# Writes results/60-crm.md.
set -euo pipefail
. "$HERE/lib.sh"
N=${N:-20000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$N" "$HERE/../tests/data/titles.tsv" "$WORK" <<'PY'
import random, sys
n, titles, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ts = [l.rstrip("\n").split("\t")[2] for l in open(titles, encoding="utf-8")
      if not l.startswith("#") and l.count("\t") == 2]
roles = ["Economic Buyer", "Technical Buyer", "Business User", "Influencer", "Evaluator",
         "Executive Sponsor", "Decision Maker", "Other"]
rng = random.Random(42)
q = lambda r: ",".join('"%s"' % c.replace('"', '""') for c in r)
with open(work + "/opps.csv", "w", encoding="utf-8") as f:
    f.write(q(["Opportunity ID", "Opportunity Name", "Amount", "Close Date", "Stage"]) + "\n")
    for i in range(n):
        f.write(q(["006%012d" % i, "Deal %d" % i, "{:,}.00".format(rng.randrange(10, 900) * 1000),
                   "%d/%d/2027" % (rng.randrange(1, 13), rng.randrange(1, 29)), "Proposal/Price Quote"]) + "\n")
with open(work + "/roles.csv", "w", encoding="utf-8") as f:
    f.write(q(["Opportunity ID", "Contact ID", "First Name", "Last Name", "Title", "Department",
               "Role", "Last Activity"]) + "\n")
    for i in range(n):
        for k in range(5):
            f.write(q(["006%012d" % i, "003%012d" % (i * 5 + k), "First", "Last%d" % k, rng.choice(ts),
                       "", rng.choice(roles), "%d/%d/2026" % (rng.randrange(1, 13), rng.randrange(1, 29))]) + "\n")
PY
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["titles"]=False; json.dump(m, open(sys.argv[2],"w"))' \
    "$HERE/../models/mappings/salesforce.json" "$WORK/no_titles.json"

LOAD=$(cut -d' ' -f1 /proc/loadavg) # other work on the machine skews both runs
args=(-q --jobs 1 --csv "$WORK/opps.csv" --stakeholders "$WORK/roles.csv")
t_off=$(best "$DS" score "${args[@]}" --mapping "$WORK/no_titles.json")
t_on=$(best "$DS" score "${args[@]}" --mapping salesforce)
{
    echo "## CRM exports: title inference (one thread)"
    echo
    echo "A Salesforce report export of $N opportunities with 5 contact roles each ($((N * 5))"
    echo "titles drawn from \`tests/data/titles.tsv\`), \`--mapping salesforce\`, against the"
    echo "same mapping with \`\"titles\": false\`; best of ${REPEAT:-3} runs, both \`--jobs 1\`."
    echo
    echo "| run | seconds | deals/s |"
    echo "|---|---|---|"
    echo "| titles not read | $t_off | $(rate "$N" "$t_off") |"
    echo "| function and level read from titles | $t_on | $(rate "$N" "$t_on") |"
    echo
    echo "Reading titles costs $(awk -v a="$t_on" -v b="$t_off" -v n="$((N * 5))" 'BEGIN {printf "%.1f", (a - b) * 1e6 / n}') microseconds a stakeholder row"
    echo "($(awk -v a="$t_on" -v b="$t_off" 'BEGIN {printf "%.2f", a / b}')x the run without). Load average before the runs: $LOAD."
} >"$HERE/results/60-crm.md"
cat "$HERE/results/60-crm.md"
