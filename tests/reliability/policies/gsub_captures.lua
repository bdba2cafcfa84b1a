-- gsub with three captures a match and a replacement that repeats them, over
-- a long subject, then over shorter ones again and again.
-- expect: policy_timeout
return { name = "gsub_captures", version = 1, score = function()
  local s = string.rep("abc", 3000)
  while true do local _ = s:gsub("(a)(b)(c)", "%3%2%1%0%0%0%0%0%0%0%0%0%0%0%0%0%0%0") end
end }
