-- utf8.char of 200,000 arguments of 6 bytes each, again and again.
-- expect: policy_timeout
return { name = "utf8_char_varargs", version = 1, score = function()
  local t = {}
  for i = 1, 200000 do t[i] = 0x7FFFFFFF end
  while true do local _ = utf8.char(table.unpack(t)) end
end }
