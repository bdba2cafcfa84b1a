-- os.date with a format of 200,000 conversions, again and again: each one a
-- strftime, so the format is charged a unit per byte.
-- expect: policy_timeout
return { name = "date_loop", version = 1, score = function()
  local format = string.rep("%c", 100000)
  while true do os.date(format, 0) end
end }
