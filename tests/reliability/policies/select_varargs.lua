-- select('#', ...) over 200,000 values, again and again.
-- expect: policy_timeout
return { name = "select_varargs", version = 1, score = function()
  local t = {}
  for i = 1, 200000 do t[i] = i end
  while true do local _ = select("#", table.unpack(t)) end
end }
