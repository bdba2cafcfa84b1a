-- One 16 MB reason.
-- expect: policy_error
return { name = "huge_reason", version = 1, score = function()
  return { viability = 50, verdict = "shape", reasons = { string.rep("r", 16 << 20) } }
end }
