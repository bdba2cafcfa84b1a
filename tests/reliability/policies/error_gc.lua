-- An error object with a finalizer.
-- expect: policy_error
return { name = "error_gc", version = 1, score = function()
  error(setmetatable({}, { __gc = function() error("in __gc") end }))
end }
