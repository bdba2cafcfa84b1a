-- it_first.lua: a policy for vendors whose solutions are built FOR IT (service
-- desk automation, observability, platform tooling).
--
-- Field practice (SCORING.md): talk to IT first only when the solution is built
-- for IT, and then only to IT's strategic leadership. So for a `for_it` deal IT
-- is the buyer: the strategic case weighs most, IT resistance weighs less (the
-- buyers are IT), and what decides is whether IT's strategic leadership (role
-- it_strategic) is on side. For any other deal, selling into IT before the
-- business buyers were met is a warning sign.
--
-- Reasons it adds: no_it_leadership, it_leadership_on_side, relief_framed
-- (for_it deals), it_first (other deals), and no_buyer, override like the
-- default policy.

local policy = { name = "it_first", version = 1 }

local verdict = require("verdict") -- the shared end of score(): cap, clamp, override
local P -- the model's "policy" section: verdict thresholds and the no-buyer cap

function policy.init(model)
  P = model.policy
end

-- the earliest first_contact among people, or nil ("YYYY-MM-DD" sorts as text)
local function earliest_contact(people)
  local first
  for _, h in ipairs(people) do
    if h.first_contact and (not first or h.first_contact < first) then first = h.first_contact end
  end
  return first
end

local function for_it_deal(deal, s, reasons)
  local v = 0.30 * s.capability_roi + 0.45 * s.strategic_roi + 0.25 * s.measurable_roi
  v = v * (1 - 0.5 * (0.3 * s.it_resistance + 0.2 * s.user_threat) / 100)
  local leaders = deal:with_role("it_strategic")
  if #leaders == 0 then
    reasons[#reasons + 1] = "no_it_leadership"
    v = v * 0.75
  else
    local best = -1
    for _, h in ipairs(leaders) do best = math.max(best, h.predicted_stance) end
    if best >= 0.3 then
      reasons[#reasons + 1] = "it_leadership_on_side"
      v = v * 1.10
    end
  end
  local sol = deal.solution
  if sol.it_workload < 0 and sol.it_burden_framed then
    reasons[#reasons + 1] = "relief_framed"
    v = v * 1.05
  end
  return v
end

local function business_deal(deal, s, reasons)
  local v = 0.35 * s.capability_roi + 0.35 * s.strategic_roi + 0.30 * s.measurable_roi
  v = v * (1 - 0.5 * (0.6 * s.it_resistance + 0.4 * s.user_threat) / 100)
  local it, buyers = earliest_contact(deal:members("it")), earliest_contact(deal:members("decision_makers"))
  if it and buyers and it < buyers then
    reasons[#reasons + 1] = "it_first"
    v = v * 0.85
  end
  return v
end

function policy.score(deal, s)
  local reasons = {}
  local v
  if deal.solution.for_it then
    v = for_it_deal(deal, s, reasons)
  else
    v = business_deal(deal, s, reasons)
  end
  v = verdict.cap_without_buyer(deal, v, reasons, P.no_buyer_cap)
  return verdict.result(deal, v, reasons, P)
end

return policy
