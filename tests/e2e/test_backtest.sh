#!/usr/bin/env bash
# dealscore backtest: statistics against hand computations, outcome mapping, open
# deals ignored and counted, errors counted, the refusal to calibrate on too few
# deals, and on generated deals with a hidden rule (gen_deals.py --closed-share):
# a policy that knows the rule ranks above one that does not, and the calibration
# recovers the win rate within its interval.
. "$(dirname "$0")/lib.sh"
GIVEN=$SRC/tests/e2e/backtest/given.lua
KNOWS=$SRC/tests/e2e/backtest/knows_rule.lua
DEFAULT=$SRC/scripts/default.lua
GEN="$PY $SRC/tests/reference/gen_deals.py"
# jq-like: evaluates a Python expression on the JSON report in $TMP/out as r
q() { $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TMP/out" "$1"; }
is() { [ "$(q "$1")" = "$2" ] || { echo "  $1 = $(q "$1"), expected $2" >&2; return 1; }; }

# usage
expect_exit "--help" 0 "$DS" backtest --help
check "--help documents exit status" contains "$TMP/out" "exit status"
check "main usage names backtest" bash -c "'$DS' --help | grep -q backtest"
expect_exit "no files" 2 "$DS" backtest
expect_exit "bad --format" 2 "$DS" backtest --format xml "$TMP/none"
expect_exit "bad --policy" 2 "$DS" backtest --policy =x.lua "$TMP/none"
expect_exit "repeated policy name" 2 "$DS" backtest -p a="$GIVEN" -p a="$GIVEN" "$TMP/none"
expect_exit "unknown --calibrate-policy" 2 "$DS" backtest -p a="$GIVEN" --calibrate-policy b "$TMP/none"
expect_exit "bad --bootstrap" 2 "$DS" backtest --bootstrap -1 "$TMP/none"
expect_exit "a value both won and lost" 2 "$DS" backtest --won x --lost x "$TMP/none"
expect_exit "missing file" 2 "$DS" backtest "$TMP/none.jsonl"
expect_exit "policy that does not load" 2 "$DS" backtest -p x="$TMP/none.lua" "$TMP/none"

# Hand example. Won: v = 90, 70, 50; lost: 70, 50, 30, 10. Won-over-lost pairs, ties
# counting 1/2: 4 + 3.5 + 2.5 = 10 of 12, AUC 0.8333. "flag" fires on won 90 and 70
# and on lost 10: lift (2/3) / (3/7) = 1.5556; Fisher p of [[2,1],[1,3]] = 17/35.
# Beside them: two open deals (one would fail the policy if it were scored), one
# without a stage, one closed deal the policy fails on, one invalid, one unreadable.
cat >"$TMP/hand.jsonl" <<'DEALS'
{"id": "w1", "stage": "closed_won", "v": 90, "flag": true}
{"id": "w2", "stage": "closed_won", "v": 70, "flag": true}
{"id": "w3", "stage": "closed_won", "v": 50}
{"id": "l1", "stage": "closed_lost", "v": 70}
{"id": "l2", "stage": "closed_lost", "v": 50}
{"id": "l3", "stage": "closed_lost", "v": 30}
{"id": "l4", "stage": "closed_lost", "v": 10, "flag": true}
{"id": "o1", "stage": "proposal", "v": 99}
{"id": "o2", "stage": "negotiation", "fail": true}
{"id": "n1", "v": 1}
{"id": "f1", "stage": "closed_won", "fail": true}
{"id": "bad", "stage": "closed_lost", "stakeholders": [{"id": "a", "influence": 2}]}
{not json
DEALS
expect_exit "deal errors exit 1" 1 "$DS" backtest -p given="$GIVEN" --format json "$TMP/hand.jsonl"
check "hand AUC 10/12" is "r['policies'][0]['auc']" 0.8333
check "won and lost counted" is "(r['policies'][0]['won'], r['policies'][0]['lost'])" "(3, 4)"
check "open deals ignored and counted" is "(r['deals']['open'], r['deals']['no_outcome'])" "(2, 1)"
check "closed deals counted" is "r['deals']['closed']" 9
check "policy errors counted" is "r['policies'][0]['errors']" 2
check "unreadable counted" is "r['deals']['unreadable']" 1
check "rule lift" is "[x['lift'] for x in r['policies'][0]['rules'] if x['rule']=='flag'][0]" 1.5556
check "rule firing" is "[(x['fired_won'], x['fired_lost']) for x in r['policies'][0]['rules'] if x['rule']=='flag'][0]" "(2, 1)"
check "rule Fisher p" is "[x['p_value'] for x in r['policies'][0]['rules'] if x['rule']=='flag'][0]" 0.485714
check "in-sample calibration labelled" is "r['policies'][0]['win_probability']['source']" in_sample
check "errors named on stderr" contains "$TMP/err" "hand.jsonl:11: policy given: deal f1: policy_error at \$: .*given.lua:[0-9]*: asked to fail"
check "invalid deal named on stderr" contains "$TMP/err" 'hand.jsonl:12: policy given: deal bad: out_of_range at \$.stakeholders\[0\].influence'
check "open deals are not scored (o2 would fail)" bash -c "! grep -q 'deal o2' '$TMP/err'"
check "unreadable named on stderr" contains "$TMP/err" "hand.jsonl:13: not valid JSON"
"$DS" backtest -p given="$GIVEN" "$TMP/hand.jsonl" >"$TMP/text" 2>/dev/null
check "text report: AUC" grep -q "ROC AUC of viability *0.833" "$TMP/text"
check "text report: open deals" grep -q "2 open and 1 without an outcome" "$TMP/text"

grep -v closed_ "$TMP/hand.jsonl" >"$TMP/open.jsonl"
expect_exit "no closed deals is a setup error" 2 "$DS" backtest -q "$TMP/open.jsonl"
check "no closed deals: says what to check" contains "$TMP/err" "no closed deals.*--outcome-field"

# the same outcomes from a CRM field, and from a boolean
$PY - "$TMP/hand.jsonl" "$TMP/crm.jsonl" "$TMP/bool.jsonl" <<'PY'
import json, sys
names = {"closed_won": "Won", "closed_lost": "Lost"}
with open(sys.argv[2], "w") as crm, open(sys.argv[3], "w") as boolean:
    for line in open(sys.argv[1]):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        stage = d.pop("stage", None)
        crm.write(json.dumps(dict(d, crm={"status": names.get(stage, "Open")})) + "\n")
        if stage in names:
            d["won"] = stage == "closed_won"
        boolean.write(json.dumps(d) + "\n")
PY
"$DS" backtest -q -p given="$GIVEN" --format json --outcome-field crm.status --won Won --lost Lost "$TMP/crm.jsonl" >"$TMP/out"
check "mapped field: same AUC" is "r['policies'][0]['auc']" 0.8333
check "mapped field: open counted" is "r['deals']['open']" 3
"$DS" backtest -q -p given="$GIVEN" --format json --outcome-field won --won true --lost false "$TMP/bool.jsonl" >"$TMP/out"
check "boolean field: same counts" is "(r['policies'][0]['won'], r['policies'][0]['lost'], r['deals']['no_outcome'])" "(3, 4, 3)"

# too few deals to calibrate: refused, nothing written, the report still printed
expect_exit "calibrate refused" 2 "$DS" backtest -q -p given="$GIVEN" --calibrate "$TMP/cal.json" "$TMP/hand.jsonl"
check "refusal says why" contains "$TMP/err" "refused.*3 won and 4 lost.*at least 40"
check "refusal writes nothing" [ ! -e "$TMP/cal.json" ]
check "report printed anyway" contains "$TMP/out" "ROC AUC"

# generated deals: outcomes from the hidden rule "people" with 10% label noise
$GEN --seed 21 --count 1500 --closed-share 0.6 --noise 0.1 >"$TMP/gen.jsonl"
echo '{"last night": "model"}' >"$TMP/cal.json"
old_inode=$(stat -c %i "$TMP/cal.json")
"$DS" backtest -p default="$DEFAULT" -p knows="$KNOWS" --format json \
    --calibrate "$TMP/cal.json" "$TMP/gen.jsonl" >"$TMP/out" 2>"$TMP/err"
check "generated: backtest and calibrate exit 0" [ $? -eq 0 ]
# written beside and renamed over: the old file is never truncated in place
check "calibrate replaces its output by rename" [ "$(stat -c %i "$TMP/cal.json")" != "$old_inode" ]
check "no temporary file left beside it" [ "$(ls -A "$TMP" | grep -c 'cal\.json\.tmp')" -eq 0 ]
check "generated: open deals ignored" is "r['deals']['open'] > 400 and r['deals']['closed'] > 800" True
check "knows the rule: AUC above the default's" is "r['policies'][1]['auc'] > r['policies'][0]['auc']" True
check "knows the rule: its interval clears the default's" \
    is "r['policies'][1]['auc_interval'][0] > r['policies'][0]['auc_interval'][1]" True
check "knows the rule: paired difference above 0" is "r['policies'][1]['auc_vs_first']['interval'][0] > 0" True
# the default policy declines to judge thin deals (insufficient_data): paired on the rest
check "paired on every closed deal both judged" is "r['policies'][1]['auc_vs_first']['deals'] == r['deals']['closed'] - r['policies'][0]['insufficient_data']['won'] - r['policies'][0]['insufficient_data']['lost'] and r['policies'][1]['insufficient_data']['won'] == 0" True
check "default policy carries some signal" is "r['policies'][0]['auc_interval'][0] > 0.55" True
H="r['calibration']['holdout']"
check "calibrated mean within the held-out win rate's interval" \
    is "$H['win_rate_interval'][0] <= $H['mean_win_probability'] <= $H['win_rate_interval'][1]" True
check "held-out calibration beats the base rate" is "$H['brier'] < $H['brier_base_rate']" True
check "calibration written" [ -s "$TMP/cal.json" ]
# the policy that knows the rule has the right shape for a logistic: its calibrated
# probability falls within the observed win rate's 95% interval in most bins
"$DS" backtest -q -p default="$DEFAULT" -p knows="$KNOWS" --format json --calibrate-policy knows \
    --calibrate "$TMP/cal_knows.json" "$TMP/gen.jsonl" >"$TMP/out"
check "knows: calibrated mean within the win rate's interval" \
    is "$H['win_rate_interval'][0] <= $H['mean_win_probability'] <= $H['win_rate_interval'][1]" True
check "knows: calibrated probability within 8 of 10 bins' intervals" \
    is "sum(b['win_rate_interval'][0] <= b['win_probability'] <= b['win_rate_interval'][1] for b in $H['reliability']) >= 8" True
check "knows: calibration written for its policy" \
    $PY -c 'import json,sys; assert json.load(open(sys.argv[1]))["calibration"]["policy"] == "knows_rule@1"' "$TMP/cal_knows.json"
# --calibrate - writes the model on standard output (as -o - does), the bytes of
# the file; the report then needs a file of its own, and no file named - appears
(cd "$TMP" && "$DS" backtest -q -p default="$DEFAULT" -p knows="$KNOWS" --calibrate-policy knows \
    --calibrate - -o "$TMP/report.txt" "$TMP/gen.jsonl" >"$TMP/cal_stdout.json")
check "--calibrate -: exit 0" [ $? -eq 0 ]
check "--calibrate -: the model on standard output" cmp -s "$TMP/cal_knows.json" "$TMP/cal_stdout.json"
check "--calibrate -: no file named -" [ ! -e "$TMP/-" ]
check "--calibrate -: the report in -o FILE" contains "$TMP/report.txt" "calibration of knows (--calibrate -)"
expect_exit "--calibrate - with the report on standard output" 2 "$DS" backtest -q --calibrate - "$TMP/gen.jsonl"
check "--calibrate - with the report on standard output: says why" contains "$TMP/err" "give the report a file (-o FILE)"

# the written model: --model accepts it, results carry win_probability for its policy only
EX=$SRC/models/examples/pipeline.jsonl
"$DS" score -q --model "$TMP/cal.json" "$EX" >"$TMP/scored.jsonl"
check "results carry win_probability" [ "$(grep -c '"viability":[0-9.]*,"win_probability":0\.[0-9]*' "$TMP/scored.jsonl")" -eq "$(grep -c . "$EX")" ]
check "results with win_probability match the schema" \
    $PY "$SRC/tests/e2e/check_schema.py" "$SRC/models/result.schema.json" "$TMP/scored.jsonl"
"$DS" score -q --model "$TMP/cal.json" --policy "$KNOWS" "$EX" >"$TMP/other.jsonl"
check "another policy gets no win_probability" bash -c "! grep -q win_probability '$TMP/other.jsonl'"
$PY - "$TMP/cal.json" "$TMP/scored.jsonl" <<'PY' 2>"$TMP/err"
import json, math, sys
cal = json.load(open(sys.argv[1]))["calibration"]
for line in open(sys.argv[2]):
    s = json.loads(line)["scores"]
    # viability is printed to 0.1 and win_probability from the unrounded value
    p = lambda v: 1 / (1 + math.exp(-(cal["a"] * v + cal["b"])))
    assert p(s["viability"] - 0.05) - 6e-5 <= s["win_probability"] <= p(s["viability"] + 0.05) + 6e-5, s
PY
check "win_probability follows the written a and b" [ $? -eq 0 ]
"$DS" backtest -q --model "$TMP/cal.json" --format json "$TMP/gen.jsonl" >"$TMP/out"
check "backtest uses the model's calibration" is "r['policies'][0]['win_probability']['source']" model
echo '{"name": "m", "version": 1, "calibration": {"a": "x", "b": 1}}' >"$TMP/badcal.json"
$PY -c 'import json,sys; m=json.load(open(sys.argv[1])); m["calibration"]={"a":"x","b":1}; json.dump(m,open(sys.argv[2],"w"))' "$SRC/models/default.json" "$TMP/badcal.json"
expect_exit "bad calibration section" 2 "$DS" score --model "$TMP/badcal.json" "$EX"
check "bad calibration named" contains "$TMP/err" "calibration.a: not a number"

# a rule with no signal ("coin"): the AUC is 0.5 up to chance. Over seeds its spread
# matches the Hanley-McNeil error, so allow 3.5 of them (fails by chance 1 in 2000)
$GEN --seed 22 --count 800 --closed-share 0.7 --outcome-rule coin >"$TMP/coin.jsonl"
"$DS" backtest -q --format json "$TMP/coin.jsonl" >"$TMP/out"
P0="r['policies'][0]"
check "no signal: AUC near 0.5" is "abs($P0['auc'] - 0.5) < 3.5 * $P0['auc_se']" True
check "bootstrap interval about +-1.96 standard errors" \
    is "0.8 < ($P0['auc_interval'][1] - $P0['auc_interval'][0]) / (2 * 1.96 * $P0['auc_se']) < 1.25" True

"$DS" backtest -q -p one="$DEFAULT" -p two="$DEFAULT" --format json "$TMP/coin.jsonl" >"$TMP/out"
check "a policy against itself: difference exactly 0" is "r['policies'][1]['auc_vs_first']['interval']" "[0, 0]"

# seeded: the same seed gives the same report, another seed another interval
"$DS" backtest -q --format json --seed 5 "$TMP/coin.jsonl" >"$TMP/s5a"
"$DS" backtest -q --format json --seed 5 "$TMP/coin.jsonl" >"$TMP/s5b"
"$DS" backtest -q --format json --seed 6 "$TMP/coin.jsonl" >"$TMP/s6"
check "same seed, same report" cmp -s "$TMP/s5a" "$TMP/s5b"
check "other seed, other interval" bash -c "! cmp -s '$TMP/s5a' '$TMP/s6'"
finish
