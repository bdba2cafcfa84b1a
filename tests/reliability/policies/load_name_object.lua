-- A name that is a table with __tostring and __eq: names are strings, read as
-- they are, no metamethod runs.
-- expect: load
local odd = setmetatable({}, { __tostring = function() while true do end end,
                               __eq = function() while true do end end })
return { name = odd, version = 1,
  score = function() return { viability = 50, verdict = "shape" } end }
