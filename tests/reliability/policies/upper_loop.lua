-- string.upper of 16 MB in a loop: one instruction, 16 MB of work.
-- expect: policy_timeout
return { name = "upper_loop", version = 1, score = function()
  local s = string.rep("abcdefgh", 2 << 20)
  while true do local _ = s:upper() end
end }
