-- Backtracking: ".-.-.-b" over 30,000 bytes without a "b" takes hours in the
-- stock matcher; its bound is over the budget, so the call is refused.
-- expect: policy_timeout
return { name = "pattern_find", version = 1, score = function()
  string.find(string.rep("a", 30000), ".-.-.-b")
  return { viability = 50, verdict = "shape" }
end }
