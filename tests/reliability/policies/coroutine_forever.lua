-- A coroutine that never ends, resumed inside pcall.
-- expect: policy_error
return { name = "coroutine_forever", version = 1, score = function()
  local co = coroutine.wrap(function() while true do coroutine.yield() end end)
  while true do pcall(co) end
end }
