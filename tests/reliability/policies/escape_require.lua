-- require() of a file outside the policy's folder.
-- expect: policy_error
return { name = "escape_require", version = 1, score = function()
  return { viability = #require("../../../../etc/passwd"), verdict = "shape" }
end }
