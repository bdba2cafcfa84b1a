-- given.lua: a test policy whose viability is the deal's own "v" field, so a test
-- can set every viability by hand (and check the AUC against a hand computation).
-- A deal with "fail": true makes the policy fail, to test error counting.
local policy = { name = "given", version = 1 }

function policy.score(deal, scores)
  if deal:custom("fail") then error("asked to fail") end
  local v = deal:custom("v") or 0
  local reasons = {}
  if deal:custom("flag") then reasons[1] = "flag" end
  return { viability = v, verdict = v >= 50 and "pursue" or "walk_away", reasons = reasons }
end

return policy
