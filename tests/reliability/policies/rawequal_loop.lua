-- rawequal of two 16 MB strings that differ at the end: a C function that
-- scans both, allocating nothing.
-- expect: policy_timeout
return { name = "rawequal_loop", version = 1, score = function()
  local a = string.rep("abcdefgh", 2 << 20) .. "x"
  local b = string.rep("abcdefgh", 2 << 20) .. "y"
  while true do local _ = rawequal(a, b) end
end }
