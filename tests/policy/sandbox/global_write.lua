-- global_write.lua: forgets `local`; must fail at load with file:line.
counter = 0
return { name = "global_write", version = 1, score = function() end }
