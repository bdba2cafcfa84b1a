-- 300,000 varargs passed on in a loop: each call copies them, one VM
-- instruction each. The CPU time its budget's work allows ends it.
-- expect: policy_timeout
local function pass(...) end
return { name = "varargs_loop", version = 1, score = function()
  local t = {}
  for i = 1, 300000 do t[i] = i end
  local function spin(...) while true do pass(...) end end
  spin(table.unpack(t))
end }
