-- A __len that answers 1 the first time and 2^62 after: the length is read once.
-- expect: policy_timeout
local calls = 0
return { name = "table_len_changes", version = 1, score = function()
  local t = setmetatable({}, { __len = function() calls = calls + 1
                                                  return calls % 2 == 1 and 1 or 1 << 62 end })
  for _ = 1, 1000000 do table.insert(t, 1, "x") end
  return { viability = 50, verdict = "shape" }
end }
