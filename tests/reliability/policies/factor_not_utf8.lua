-- A factor name that is not UTF-8.
-- expect: policy_error
return { name = "factor_not_utf8", version = 1, score = function()
  return { viability = 50, verdict = "shape",
           factors = { { factor = "\xff\xfe", effect = 1 } } }
end }
