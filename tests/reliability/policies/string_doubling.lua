-- A string that doubles without end.
-- expect: policy_memory
return { name = "string_doubling", version = 1, score = function()
  local s = "x"
  while true do s = s .. s end
end }
