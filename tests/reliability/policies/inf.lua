-- A viability that is infinite.
-- expect: policy_error
return { name = "inf", version = 1, score = function()
  return { viability = math.huge, verdict = "shape" }
end }
