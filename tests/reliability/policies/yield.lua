-- A yield outside any coroutine (the coroutine library is not in the sandbox).
-- expect: policy_error
return { name = "yield", version = 1, score = function()
  coroutine.yield(1)
end }
