-- Changing what every string method does, for the other policies of the state.
-- expect: policy_error
return { name = "escape_string_metatable", version = 1, score = function()
  getmetatable("").__index.find = function() return 1 end
  return { viability = 1, verdict = "shape" }
end }
