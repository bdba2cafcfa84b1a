-- Reasons, factors and verdict nested 100,000 tables deep, and a table that
-- contains itself.
-- expect: policy_error
return { name = "nested_result", version = 1, score = function()
  local deep = {}
  for _ = 1, 100000 do deep = { deep } end
  local cycle = {}
  cycle[1] = cycle
  return { viability = 50, verdict = deep, reasons = cycle, factors = deep }
end }
