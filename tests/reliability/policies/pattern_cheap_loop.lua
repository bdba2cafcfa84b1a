-- Cheap patterns, called without end: each call is charged what it may cost.
-- expect: policy_timeout
return { name = "pattern_cheap_loop", version = 1, score = function()
  local s = string.rep("word ", 20000)
  while true do s:find("%d") end
end }
