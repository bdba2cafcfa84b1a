-- Backtracking through string.match, anchored, with captures.
-- expect: policy_timeout
return { name = "pattern_match", version = 1, score = function()
  string.match(string.rep("a", 30000), "^(a*)(a*)(a*)(a*)b")
  return { viability = 50, verdict = "shape" }
end }
