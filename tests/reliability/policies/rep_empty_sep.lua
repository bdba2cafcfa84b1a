-- string.rep of "" with an empty separator, as a method call.
-- expect: policy_timeout
return { name = "rep_empty_sep", version = 1, score = function()
  local s = (""):rep(math.maxinteger, "")
  return { viability = 50, verdict = "shape", reasons = { s } }
end }
