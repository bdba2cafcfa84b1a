-- init(model) raises an error object whose __tostring loops.
-- expect: load
return { name = "load_init_raises_object", version = 1,
  init = function() error(setmetatable({}, { __tostring = function() while true do end end })) end,
  score = function() return { viability = 50, verdict = "shape" } end }
