-- string.rep of an empty string 2^62 times: nothing is allocated, so only the
-- charge taken before the work stops it.
-- expect: policy_timeout
return { name = "rep_empty", version = 1, score = function()
  local s = string.rep("", 1 << 62)
  return { viability = 50, verdict = "shape", reasons = { s } }
end }
