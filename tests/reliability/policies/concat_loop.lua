-- `..` of 16 MB in a loop: one VM instruction each, charged by the allocator.
-- expect: policy_timeout
return { name = "concat_loop", version = 1, score = function()
  local s = string.rep("abcdefgh", 2 << 20)
  while true do local _ = s .. "x" end
end }
