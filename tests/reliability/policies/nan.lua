-- A viability that is NaN.
-- expect: policy_error
return { name = "nan", version = 1, score = function()
  return { viability = 0 / 0, verdict = "shape" }
end }
