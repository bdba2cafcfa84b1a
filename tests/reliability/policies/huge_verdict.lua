-- A 16 MB verdict.
-- expect: policy_error
return { name = "huge_verdict", version = 1, score = function()
  return { viability = 50, verdict = string.rep("pursue", 16 << 20 // 6) }
end }
