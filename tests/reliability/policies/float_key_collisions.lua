-- Float keys that share slots in a table of 2^16 slots: each insertion, then
-- each read of a missing key, walks a long chain, one instruction each; the CPU
-- time the work allows ends it.
-- expect: policy_timeout
return { name = "float_key_collisions", version = 1, score = function()
  local t, m = {}, (1 << 16) - 1
  for i = 1, 1 << 16 do t[((i * m) << 8) + 0.5] = true end
  while true do local _ = t[0.25] end
end }
