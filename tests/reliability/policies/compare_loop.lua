-- Comparing two 16 MB strings that differ at the end, in a loop: one VM
-- instruction, a 16 MB scan, allocating nothing. No charge sees it; the CPU
-- time its budget's work allows ends it (DSL_RATE_*, about 0.5 s).
-- expect: policy_timeout
return { name = "compare_loop", version = 1, score = function()
  local a = string.rep("abcdefgh", 2 << 20) .. "x"
  local b = string.rep("abcdefgh", 2 << 20) .. "y"
  while true do local _ = a < b end
end }
