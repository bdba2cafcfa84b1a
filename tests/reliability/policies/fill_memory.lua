-- Fills its memory cap to the last bytes and keeps it: its own deals fail,
-- but the other policy's deals in the same worker are scored (each policy has
-- its own Lua state and cap).
-- expect: policy_memory
local kept
return { name = "fill_memory", version = 1, score = function()
  while true do kept = { next = kept, s = {} } end
end }
