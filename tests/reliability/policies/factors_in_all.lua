-- 10,000 factors with names and details of 4096 bytes each: 80 MB a deal in
-- all (a result holds at most 64 KB of text).
-- expect: policy_error
return { name = "factors_in_all", version = 1, score = function()
  local name, factors = string.rep("f", 4000), {}
  for i = 1, 10000 do
    factors[i] = { factor = name .. i, effect = 0, detail = name }
  end
  return { viability = 50, verdict = "shape", factors = factors }
end }
