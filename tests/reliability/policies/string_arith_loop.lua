-- Arithmetic on a 30 MB string of digits: each `s + 0` turns it into a number
-- (40 ms, one instruction, allocating nothing).
-- expect: policy_timeout
return { name = "string_arith_loop", version = 1, score = function()
  local s = string.rep("0", 30 << 20) .. "1"
  while true do local _ = s + 0 end
end }
