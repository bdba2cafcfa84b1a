-- The policy table's __index never returns: the load runs past its budget.
-- expect: load
return setmetatable({}, { __index = function() while true do end end })
