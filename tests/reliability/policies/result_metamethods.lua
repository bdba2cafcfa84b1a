-- A result table whose every field is computed by an __index that loops.
-- expect: policy_timeout
return { name = "result_metamethods", version = 1, score = function()
  return setmetatable({}, { __index = function() while true do end end })
end }
