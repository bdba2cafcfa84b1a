#!/usr/bin/env bash
# bench_policy.sh: what the Lua step costs. `dealscore score` (one thread) with
# the default policy, with a trivial policy (everything but the policy's own
# work) and the cJSON parse-only pass over the same file; then the deal view as
# userdata against a copy of the deal into Lua tables, both reading every field.
set -euo pipefail
. "$HERE/lib.sh"
N=${N:-50000}
REPEAT=${REPEAT:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
gen_deals "$N" "$WORK/deals.jsonl"
BYTES=$(stat -c %s "$WORK/deals.jsonl")
build_parse_only "$WORK"
P=$HERE/policies
# the default policy plus a copy of the deal into tables before it runs
cp "$HERE/../scripts/default.lua" "$WORK/default_policy.lua"
cat >"$WORK/default_copy.lua" <<'LUA'
local default = require("default_policy")
return { name = "default_copy", version = 1, init = default.init,
  score = function(deal, scores)
    local copy = { solution = deal:custom("solution"), stakeholders = deal:custom("stakeholders"),
      relationships = deal:custom("relationships") }
    return default.score(deal, scores)
  end }
LUA

t_default=$(best "$DS" score -q --jobs 1 "$WORK/deals.jsonl")
t_trivial=$(best "$DS" score -q --jobs 1 --policy "$P/trivial.lua" "$WORK/deals.jsonl")
t_parse=$(best "$WORK/parse_only" "$WORK/deals.jsonl")
t_copy=$(best "$DS" score -q --jobs 1 --policy "$WORK/default_copy.lua" "$WORK/deals.jsonl")
t_view=$(best "$DS" score -q --jobs 1 --policy "$P/read_view.lua" "$WORK/deals.jsonl")
t_table=$(best "$DS" score -q --jobs 1 --policy "$P/read_copy.lua" "$WORK/deals.jsonl")
# microseconds per deal above the trivial policy
lua_us() { awk -v t="$1" -v b="$t_trivial" -v n="$N" 'BEGIN {printf "%.1f", 1e6 * (t - b) / n}'; }
share=$(awk -v d="$t_default" -v t="$t_trivial" 'BEGIN {printf "%.0f", 100 * (d - t) / d}')
{
    echo "## The Lua policy step (one thread)"
    echo
    echo "$N generated deals, $((BYTES / 1024)) KiB of JSONL; best of $REPEAT runs. \"Lua per deal\""
    echo "is the time above the trivial policy."
    echo
    echo "| run | seconds | deals/s | Lua per deal (µs) |"
    echo "|---|---|---|---|"
    echo "| \`dealscore score\`, default policy | $t_default | $(rate "$N" "$t_default") | $(lua_us "$t_default") |"
    echo "| \`dealscore score\`, trivial policy | $t_trivial | $(rate "$N" "$t_trivial") | 0 |"
    echo "| cJSON parse only | $t_parse | $(rate "$N" "$t_parse") | |"
    echo
    echo "The default policy costs $share% of the whole run (target: under 20%). The whole"
    echo "runs at $(percent "$t_parse" "$t_default")% of the parse-only rate (target: 70%; the trivial policy"
    echo "at $(percent "$t_parse" "$t_trivial")%): the rest is decoding and the core's analysis, not Lua."
    echo
    echo "### Deal view: userdata against a copy into Lua tables"
    echo
    echo "| run | seconds | deals/s | Lua per deal (µs) |"
    echo "|---|---|---|---|"
    echo "| read every field through the view | $t_view | $(rate "$N" "$t_view") | $(lua_us "$t_view") |"
    echo "| copy the deal into tables, read every field | $t_table | $(rate "$N" "$t_table") | $(lua_us "$t_table") |"
    echo "| default policy (view) | $t_default | $(rate "$N" "$t_default") | $(lua_us "$t_default") |"
    echo "| default policy after a copy into tables | $t_copy | $(rate "$N" "$t_copy") | $(lua_us "$t_copy") |"
    echo
    echo "Policies: benchmarks/policies/; the copy is made in C (deal:custom pushes the"
    echo "parsed JSON as tables), the cheapest copy a table-based design could make."
} >"$HERE/results/20-policy.md"
cat "$HERE/results/20-policy.md"
