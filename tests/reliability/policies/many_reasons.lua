-- A million reasons.
-- expect: policy_error
return { name = "many_reasons", version = 1, score = function()
  local reasons = {}
  for i = 1, 1000000 do reasons[i] = "r" end
  return { viability = 50, verdict = "shape", reasons = reasons }
end }
