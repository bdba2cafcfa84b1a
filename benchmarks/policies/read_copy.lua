-- read_copy.lua: the same reads as read_view.lua, from a copy of the deal into
-- Lua tables (deal:custom pushes the parsed JSON as tables, in C), as a design
-- that converts each deal before calling the policy would.
local SOLUTION = { "for_it", "capability", "strategic", "it_workload", "it_burden_framed",
  "it_career", "in_house_alternative", "data_readiness", "security_risk", "user_change",
  "user_transparency", "user_benefit", "users_consulted", "prototype" }
local STAKEHOLDER = { "id", "name", "title", "function", "level", "can_buy", "influence",
  "stance", "ai_interest", "burden", "credibility_threat", "expectation_gap",
  "first_contact", "last_contact" }
return {
  name = "read_copy", version = 1,
  score = function(deal, scores)
    local copy = { id = deal:custom("id"), stage = deal:custom("stage"), amount = deal:custom("amount"),
      solution = deal:custom("solution") or {}, stakeholders = deal:custom("stakeholders") or {},
      relationships = deal:custom("relationships") }
    local n = 0
    for _, k in ipairs(SOLUTION) do if copy.solution[k] ~= nil then n = n + 1 end end
    for _, h in ipairs(copy.stakeholders) do
      for _, k in ipairs(STAKEHOLDER) do if h[k] ~= nil then n = n + 1 end end
    end
    return { viability = n % 100, verdict = "shape" }
  end,
}
