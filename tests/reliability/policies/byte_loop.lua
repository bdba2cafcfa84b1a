-- string.byte of a million bytes in a loop: a million values pushed per call.
-- expect: policy_timeout
return { name = "byte_loop", version = 1, score = function()
  local s = string.rep("abcdefgh", 100000)
  while true do select("#", s:byte(1, -1)) end
end }
