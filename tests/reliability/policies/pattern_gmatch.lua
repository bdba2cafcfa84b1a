-- Backtracking through string.gmatch.
-- expect: policy_timeout
return { name = "pattern_gmatch", version = 1, score = function()
  for _ in string.rep("x", 30000):gmatch("x*x*x*y") do end
  return { viability = 50, verdict = "shape" }
end }
