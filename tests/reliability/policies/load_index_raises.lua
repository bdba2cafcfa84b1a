-- The policy table itself raises on every field read: the runtime reads it
-- inside the budgeted, protected call, so the load fails with the message.
-- expect: load
return setmetatable({}, { __index = function(_, k) error("no field " .. tostring(k)) end })
