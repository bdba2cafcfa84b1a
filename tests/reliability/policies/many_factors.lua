-- 20,000 factors, over the 10,000 a result may hold (they were dropped
-- without a word).
-- expect: policy_error
return { name = "many_factors", version = 1, score = function()
  local factors = {}
  for i = 1, 20000 do factors[i] = { factor = "f", effect = 0 } end
  return { viability = 50, verdict = "shape", factors = factors }
end }
