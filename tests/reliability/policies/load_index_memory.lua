-- The policy table's __index eats memory: the load meets the memory cap.
-- expect: load
return setmetatable({}, { __index = function()
  local t = {}
  for i = 1, math.huge do t[i] = { i } end
end })
