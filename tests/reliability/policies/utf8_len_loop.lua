-- utf8.len of 16 MB, again and again: it allocates nothing.
-- expect: policy_timeout
return { name = "utf8_len_loop", version = 1, score = function()
  local s = string.rep("é", 8 << 20)
  while true do utf8.len(s) end
end }
