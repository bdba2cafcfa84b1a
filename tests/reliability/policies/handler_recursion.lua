-- Recursion inside xpcall's message handler: the handler is itself the function
-- that overflows (Lua 5.4.4's "stack overflow while handling an error").
-- expect: policy_error
local function loop() assert(pcall(loop)) end
return { name = "handler_recursion", version = 1, score = function()
  local _, msg = xpcall(loop, loop)
  error(msg)
end }
