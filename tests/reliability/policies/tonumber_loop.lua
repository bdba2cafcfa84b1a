-- tonumber of 16 MB of spaces in a loop: it scans them all, allocating nothing.
-- expect: policy_timeout
return { name = "tonumber_loop", version = 1, score = function()
  local s = string.rep("        ", 2 << 20)
  while true do tonumber(s) end
end }
