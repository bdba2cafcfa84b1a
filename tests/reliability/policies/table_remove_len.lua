-- table.remove from the front of a "list" whose __len says 2^62.
-- expect: policy_timeout
return { name = "table_remove_len", version = 1, score = function()
  local t = setmetatable({}, { __len = function() return 1 << 62 end })
  table.remove(t, 1)
  return { viability = 50, verdict = "shape" }
end }
