-- A result table whose every field is computed by an __index that loops: results
-- are plain tables, read raw, so this is refused before any metamethod runs.
-- expect: policy_error
return { name = "result_metamethods", version = 1, score = function()
  return setmetatable({}, { __index = function() while true do end end })
end }
