-- Comparing two 16 MB strings that differ at the end, in a loop: one VM
-- instruction, a 16 MB scan, allocating nothing. No charge sees it; the
-- call's wall-clock allowance (DSL_NS_PER_INSTRUCTION) ends it, in seconds.
-- expect: policy_timeout
-- long: only in make reliability (it takes the allowance, a few seconds)
return { name = "compare_loop", version = 1, score = function()
  local a = string.rep("abcdefgh", 2 << 20) .. "x"
  local b = string.rep("abcdefgh", 2 << 20) .. "y"
  while true do local _ = a < b end
end }
