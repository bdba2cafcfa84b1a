-- A file whose top level eats memory while it loads.
-- expect: load
local t = {}
for i = 1, math.huge do t[i] = string.rep("m", 1000) .. i end
return { name = "load_memory", version = 1, score = function() end }
