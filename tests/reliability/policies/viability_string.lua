-- A viability given as a string.
-- expect: policy_error
return { name = "viability_string", version = 1, score = function()
  return { viability = "50", verdict = "shape" }
end }
