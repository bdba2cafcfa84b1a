-- crm_fields.lua: a policy that uses what the CRM export carries beyond the
-- dealscore fields. Unknown keys of a deal (and of a stakeholder) reach the
-- policy unchanged through deal:custom(key) and stakeholder:custom(key).
--
-- Fields read (all optional; Salesforce-style names, rename to your export's):
--   deal.sfdc_lead_source           "IT architecture review" and other IT-led
--                                   sources: the deal came in through IT
--   deal.competitor                 a competitor is in the deal
--   deal.forecast_category          "Commit": flag commits the model doubts
--   stakeholder.left_company        true: this person is gone; a champion who
--                                   left does not count
--
-- Reasons: it_sourced, competitive, commit_at_risk, champion_left, no_champion,
-- no_buyer, override.

local policy = { name = "crm_fields", version = 1 }

local verdict = require("verdict") -- the shared end of score(): cap, clamp, override
local P

function policy.init(model)
  P = model.policy
end

local IT_SOURCES = { ["IT architecture review"] = true, ["IT service request"] = true }

-- champions still at the account
local function active_champions(deal)
  local active, left = {}, 0
  for _, h in ipairs(deal:with_role("champion")) do
    if h:custom("left_company") == true then
      left = left + 1
    else
      active[#active + 1] = h
    end
  end
  return active, left
end

function policy.score(deal, s)
  local reasons = {}
  local value = 0.35 * s.capability_roi + 0.35 * s.strategic_roi + 0.30 * s.measurable_roi
  local v = value * (1 - 0.5 * (0.6 * s.it_resistance + 0.4 * s.user_threat) / 100)
    * (0.6 + 0.25 * deal.push_back)

  local champions, left = active_champions(deal)
  if left > 0 then
    reasons[#reasons + 1] = "champion_left"
  end
  if #champions == 0 then
    reasons[#reasons + 1] = "no_champion"
    v = v * P.no_champion
  end
  if IT_SOURCES[deal:custom("sfdc_lead_source")] then
    reasons[#reasons + 1] = "it_sourced"
    v = v * 0.90
  end
  local competitor = deal:custom("competitor")
  if type(competitor) == "string" and competitor ~= "" then
    reasons[#reasons + 1] = "competitive"
    v = v * 0.90
  end
  v = verdict.cap_without_buyer(deal, v, reasons, P.no_buyer_cap)
  -- a flag for the forecast call, not a change of the number
  if deal:custom("forecast_category") == "Commit" and v < P.shape then
    reasons[#reasons + 1] = "commit_at_risk"
  end
  return verdict.result(deal, v, reasons, P)
end

return policy
