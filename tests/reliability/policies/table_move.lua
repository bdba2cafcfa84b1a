-- table.move over 2^62 slots of an empty table.
-- expect: policy_timeout
return { name = "table_move", version = 1, score = function()
  table.move({}, 1, 1 << 62, 2)
  return { viability = 50, verdict = "shape" }
end }
