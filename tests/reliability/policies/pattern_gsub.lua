-- Backtracking through string.gsub, with a balanced match at every place.
-- expect: policy_timeout
return { name = "pattern_gsub", version = 1, score = function()
  local s = string.rep("(", 30000)
  s:gsub("%b()", "")
  return { viability = 50, verdict = "shape" }
end }
