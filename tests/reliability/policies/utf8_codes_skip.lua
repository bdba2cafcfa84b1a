-- utf8.codes' iterator called by hand on 16 MB of continuation bytes: each
-- step skips them all.
-- expect: policy_timeout
return { name = "utf8_codes_skip", version = 1, score = function()
  local s = "a" .. string.rep("\x80", 16 << 20)
  local step = utf8.codes(s, true)
  while true do step(s, 1) end
end }
