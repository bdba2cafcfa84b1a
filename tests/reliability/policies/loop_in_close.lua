-- An error, then an endless loop in a to-be-closed variable's __close while
-- the error unwinds.
-- expect: policy_timeout
return { name = "loop_in_close", version = 1, score = function()
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  error("first")
end }
