-- string.unpack("z") scanning 8 MB for its end, and string.pack of a 1 MB
-- fixed-size field, again and again.
-- expect: policy_timeout
return { name = "pack_unpack_loop", version = 1, score = function()
  local s = string.rep("a", 8 << 20) .. "\0"
  while true do
    local _ = string.unpack("z", s)
    local _ = string.pack("c1000000", "")
  end
end }
