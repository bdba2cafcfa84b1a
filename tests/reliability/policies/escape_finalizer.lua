-- A finalizer, which would run later, outside any budget.
-- expect: policy_error
return { name = "escape_finalizer", version = 1, score = function()
  setmetatable({}, { __gc = function() while true do end end })
  return { viability = 1, verdict = "shape" }
end }
