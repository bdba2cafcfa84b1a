-- A verdict with a NUL byte after a valid one.
-- expect: policy_error
return { name = "nul_verdict", version = 1, score = function()
  return { viability = 50, verdict = "pursue\0walk_away" }
end }
