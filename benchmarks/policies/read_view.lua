-- read_view.lua: reads every field of the deal, the solution and each
-- stakeholder once, through the userdata view.
local SOLUTION = { "for_it", "capability", "strategic", "it_workload", "it_burden_framed",
  "it_career", "in_house_alternative", "data_readiness", "security_risk", "user_change",
  "user_transparency", "user_benefit", "users_consulted", "prototype" }
local STAKEHOLDER = { "id", "name", "title", "function", "level", "can_buy", "influence",
  "stance", "ai_interest", "burden", "credibility_threat", "expectation_gap",
  "first_contact", "last_contact" }
return {
  name = "read_view", version = 1,
  score = function(deal, scores)
    local n = 0
    local _ = deal.id, deal.stage, deal.amount
    local sol = deal.solution
    for _, k in ipairs(SOLUTION) do if sol[k] ~= nil then n = n + 1 end end
    local list = deal.stakeholders
    for i = 1, #list do
      local h = list[i]
      for _, k in ipairs(STAKEHOLDER) do if h[k] ~= nil then n = n + 1 end end
    end
    return { viability = n % 100, verdict = "shape" }
  end,
}
