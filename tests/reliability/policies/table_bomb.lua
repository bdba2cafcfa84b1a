-- A table that grows without end.
-- expect: policy_memory
return { name = "table_bomb", version = 1, score = function()
  local t = {}
  for i = 1, math.huge do t[i] = { i } end
end }
