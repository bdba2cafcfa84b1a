-- next() on a table whose array part holds 2 million slots, all empty but
-- the last: each call walks them all.
-- expect: policy_timeout
return { name = "next_sparse", version = 1, score = function()
  local t = {}
  for i = 1, 2000000 do t[i] = true end
  for i = 1, 1999999 do t[i] = nil end
  while true do local _ = next(t) end
end }
