-- A factor whose effect is NaN (0/0): JSON would write null, the text "nan".
-- expect: policy_error
return { name = "factor_effect_nan", version = 1, score = function()
  return { viability = 50, verdict = "shape", factors = { { factor = "x", effect = 0 / 0, detail = "d" } } }
end }
