-- Unbounded Lua recursion (not a tail call, so the stack grows).
-- expect: policy_error
local function deeper(n) return 1 + deeper(n + 1) end
return { name = "recursion", version = 1, score = function()
  return { viability = deeper(1), verdict = "shape" }
end }
