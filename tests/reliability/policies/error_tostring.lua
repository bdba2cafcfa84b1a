-- An error object whose __tostring loops and whose __index raises.
-- expect: policy_error
return { name = "error_tostring", version = 1, score = function()
  error(setmetatable({}, {
    __tostring = function() while true do end end,
    __index = function() error("again") end,
  }))
end }
