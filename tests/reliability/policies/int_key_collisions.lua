-- Integer keys that all fall in one slot of a table of 2^17 slots (Lua hashes
-- an integer key by its remainder modulo 2^k - 1, 2^k the table's slots):
-- growing the table to 2^17 slots moves 65,537 of them there, each walking
-- the chain of those before it, 2^31 steps in one instruction (5.5 s; at 2^19
-- slots, minutes). A table may not have more than 65,536 keys outside 1..n.
-- expect: policy_memory
return { name = "int_key_collisions", version = 1, score = function()
  local t, m = {}, (1 << 17) - 1
  for i = 1, 1 << 17 do t[(i * m) << 8] = true end
end }
