-- 10,000 reasons of 4096 bytes each: each within its own limit, 40 MB a deal
-- in all (a result holds at most 64 KB of text).
-- expect: policy_error
return { name = "reasons_in_all", version = 1, score = function()
  local r, reasons = string.rep("r", 4096), {}
  for i = 1, 10000 do reasons[i] = r end
  return { viability = 50, verdict = "shape", reasons = reasons }
end }
