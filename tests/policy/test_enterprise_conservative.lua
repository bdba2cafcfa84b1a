-- test_enterprise_conservative.lua: scripts/examples/enterprise_conservative.lua
local tests = {}
local function policy(t) return t.src .. "/scripts/examples/enterprise_conservative.lua" end
local function default(t) return t.src .. "/scripts/default.lua" end

-- the deal with its IT stakeholders turned against it
local function it_against(deal)
  for _, h in ipairs(deal.stakeholders) do
    if h["function"] == "it" then h.stance = -0.9 end
  end
  return deal
end

function tests.it_resistance_costs_more_than_in_the_default_policy(t)
  for _, id in ipairs({ "NBM-2026-014", "NPM-2026-016", "ASM-2026-007" }) do
    local base_c = t.ds.score(t.deal(id), policy(t))
    local base_d = t.ds.score(t.deal(id), default(t))
    local worse_c = t.ds.score(it_against(t.deal(id)), policy(t))
    local worse_d = t.ds.score(it_against(t.deal(id)), default(t))
    t.ok(worse_d.scores.it_resistance > base_d.scores.it_resistance, id .. ": IT resistance rises")
    local drop_c = 1 - worse_c.scores.viability / base_c.scores.viability
    local drop_d = 1 - worse_d.scores.viability / base_d.scores.viability
    t.ok(drop_c > drop_d, ("%s: conservative drop %.3f > default drop %.3f"):format(id, drop_c, drop_d))
  end
end

function tests.influential_it_opponent_is_named(t)
  local r = t.ds.score(t.deal("MFG-2026-022"), policy(t))
  t.has(r.reasons, "it_opposed")
end

function tests.early_stage_never_pursue(t)
  local deal = t.deal("NPM-2026-016")
  local r = t.ds.score(deal, policy(t))
  t.eq(r.verdict, "pursue")
  deal.stage = "discovery"
  local early = t.ds.score(deal, policy(t))
  t.eq(early.verdict, "shape")
  t.has(early.reasons, "early_stage")
end

function tests.security_review(t)
  local deal = t.deal("NBM-2026-014")
  local before = t.ds.score(deal, policy(t))
  deal.solution.security_risk = 0.9
  local after = t.ds.score(deal, policy(t))
  t.has(after.reasons, "security_review")
  t.hasnt(before.reasons, "security_review")
  t.ok(after.scores.viability < before.scores.viability)
end

function tests.large_deals_need_a_champion_who_can_buy(t)
  local deal = t.deal("CSB-2026-031")
  t.has(t.ds.score(deal, policy(t)).reasons, "no_buying_champion")
  deal.amount = 100000
  t.hasnt(t.ds.score(deal, policy(t)).reasons, "no_buying_champion")
end

function tests.stricter_thresholds(t)
  -- a viability of 72 is pursue for the default thresholds, shape here
  for _, deal in ipairs(t.deals()) do
    local r = t.ds.score(deal, policy(t))
    local v = r.scores.viability
    if r.verdict == "pursue" then t.ok(v >= 74.95, deal.id) end
    if v >= 55.05 and v < 74.95 then t.eq(r.verdict, "shape", deal.id) end
  end
end

return tests
