-- A chain of 1,990 tables linked by __index (Lua stops at 2,000): each read of
-- a missing key walks it all, as one instruction.
-- expect: policy_timeout
return { name = "index_chain", version = 1, score = function()
  local t = {}
  for _ = 1, 1990 do t = setmetatable({}, { __index = t }) end
  while true do local _ = t.x end
end }
