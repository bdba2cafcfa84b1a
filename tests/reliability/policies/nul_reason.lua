-- A reason with a NUL byte in it (it would be cut short).
-- expect: policy_error
return { name = "nul_reason", version = 1, score = function()
  return { viability = 50, verdict = "shape", reasons = { "budget\0 approved" } }
end }
