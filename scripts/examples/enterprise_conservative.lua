-- enterprise_conservative.lua: a cautious policy for large enterprise accounts,
-- where IT can stall a deal for a year.
--
-- Compared with the default policy it weighs IT resistance higher (0.8 of the
-- friction instead of 0.6, and friction bites harder), asks more before it says
-- pursue (75), treats a high security risk as a review to pass, caps deals
-- that are still early (prospect, discovery) at shape, and wants a champion who
-- can buy for large amounts.
--
-- Reasons: security_review, early_stage, no_buying_champion, no_champion,
-- it_opposed, and
-- no_buyer, override like the default policy.

local policy = { name = "enterprise_conservative", version = 1 }

local LARGE_AMOUNT = 250000 -- in the deal's currency
local THRESHOLDS = { pursue = 75, shape = 55, at_risk = 35 }
local verdict = require("verdict") -- the shared end of score(): cap, clamp, override
local P

function policy.init(model)
  P = model.policy
end

local function champion_can_buy(deal)
  for _, h in ipairs(deal:with_role("champion")) do
    if h.is_decision_maker then return true end
  end
  return false
end

function policy.score(deal, s)
  local reasons = {}
  local function rule(name, applies, multiplier)
    if applies then
      reasons[#reasons + 1] = name
      return multiplier
    end
    return 1
  end
  local value = 0.35 * s.capability_roi + 0.35 * s.strategic_roi + 0.30 * s.measurable_roi
  local friction = 0.8 * s.it_resistance + 0.2 * s.user_threat
  local v = value * (1 - 0.7 * friction / 100) * (0.6 + 0.4 * deal.push_back)

  local it_opposed = false
  for _, h in ipairs(deal:members("it")) do
    if h.predicted_stance < -0.2 and h.effective_influence >= 0.4 then it_opposed = true end
  end
  v = v * rule("no_champion", #deal:with_role("champion") == 0, 0.80)
  v = v * rule("it_opposed", it_opposed, 0.80)
  v = v * rule("security_review", deal.solution.security_risk > 0.6, 0.85)
  v = v * rule("no_buying_champion", (deal.amount or 0) >= LARGE_AMOUNT and not champion_can_buy(deal), 0.85)
  v = verdict.cap_without_buyer(deal, v, reasons, P.no_buyer_cap)
  if (deal.stage == "prospect" or deal.stage == "discovery") and v >= THRESHOLDS.pursue then
    reasons[#reasons + 1] = "early_stage"
    v = THRESHOLDS.pursue - 0.1
  end
  return verdict.result(deal, v, reasons, THRESHOLDS)
end

return policy
