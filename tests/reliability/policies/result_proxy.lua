-- A result that is a proxy: an empty table whose __index reads a real one.
-- Results are read raw, so it is refused, naming the metatable.
-- expect: policy_error
return { name = "result_proxy", version = 1, score = function()
  local real = { viability = 50, verdict = "shape" }
  return setmetatable({}, { __index = real, __len = function() while true do end end,
                            __pairs = function() while true do end end })
end }
