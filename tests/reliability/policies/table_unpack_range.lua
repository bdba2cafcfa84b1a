-- table.unpack over 2^62 slots.
-- expect: policy_timeout
return { name = "table_unpack_range", version = 1, score = function()
  local n = select("#", table.unpack({}, 1, 1 << 62))
  return { viability = 50, verdict = "shape", reasons = { tostring(n) } }
end }
