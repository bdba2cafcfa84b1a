-- string.format with 100,000 conversions of a number, again and again.
-- expect: policy_timeout
return { name = "format_loop", version = 1, score = function()
  local format = string.rep("%5.2f", 1000)
  local args = {}
  for i = 1, 1000 do args[i] = i / 3 end
  while true do string.format(format, table.unpack(args)) end
end }
