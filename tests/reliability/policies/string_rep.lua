-- One call asking for a gigabyte string.
-- expect: policy_memory
return { name = "string_rep", version = 1, score = function()
  return { viability = #string.rep("x", 1 << 30), verdict = "shape" }
end }
