-- Plain find of a half-megabyte needle in a megabyte haystack, again and again:
-- the stock search is quadratic; here it is linear and charged.
-- expect: policy_timeout
return { name = "find_plain_quadratic", version = 1, score = function()
  local hay = string.rep("a", 1 << 20)
  local needle = string.rep("a", 1 << 19) .. "b"
  for _ = 1, 1000000 do hay:find(needle, 1, true) end
  return { viability = 50, verdict = "shape" }
end }
