-- A name with a line break would forge lines wherever the label is logged.
-- expect: load
return { name = "x\nINFO forged line", version = 1,
  score = function() return { viability = 50, verdict = "shape" } end }
