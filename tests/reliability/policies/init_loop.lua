-- init(model) that never returns: the policy must fail to load.
-- expect: load
return { name = "init_loop", version = 1,
  init = function() while true do end end,
  score = function() return { viability = 50, verdict = "shape" } end }
