-- Once the budget is spent, every kind of policy code that could still run:
-- an error object whose __tostring, __index and __concat loop, a __close
-- that loops, a message handler that loops. None may run unbudgeted.
-- expect: policy_timeout
return { name = "error_after_budget", version = 1, score = function()
  local evil = setmetatable({}, {
    __tostring = function() while true do end end,
    __index = function() while true do end end,
    __concat = function() while true do end end })
  local ok = xpcall(function()
    local guard <close> = setmetatable({}, { __close = function() while true do end end })
    while true do end
  end, function(e) while true do end return evil end)
  error(evil)
end }
