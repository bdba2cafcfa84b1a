-- knows_rule.lua: a test policy that knows the hidden "people" rule with which
-- tests/reference/gen_deals.py --closed-share draws outcomes: a champion convinced
-- of capability or strategy, a decision maker who is for it, data that is ready.
-- Backtest must rank it above the default policy, which knows the rule only in part.
local policy = { name = "knows_rule", version = 1 }

function policy.score(deal, scores)
  local champion = 0
  for _, h in ipairs(deal:with_role("champion")) do
    if h.convinced_capability or h.convinced_strategic then champion = 1 end
  end
  local buyer = 0
  for _, d in ipairs(deal:members("decision_makers")) do
    buyer = math.max(buyer, d.stance)
  end
  local v = 100 * (0.4 * champion + 0.3 * buyer + 0.3 * deal.solution.data_readiness)
  local reasons = {}
  if champion == 1 then reasons[1] = "convinced_champion" end
  return { viability = v, verdict = v >= 50 and "pursue" or "walk_away", reasons = reasons }
end

return policy
