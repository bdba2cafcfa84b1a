-- Memory exhausted inside pcall, the error swallowed, and a result returned
-- anyway: the result must not be believed.
-- expect: policy_memory
return { name = "memory_pcall", version = 1, score = function()
  pcall(function() local t = {} for i = 1, math.huge do t[i] = { i } end end)
  return { viability = 99, verdict = "pursue" }
end }
