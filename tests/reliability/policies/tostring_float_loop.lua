-- tostring and table.concat of floats of 1e300, again and again.
-- expect: policy_timeout
return { name = "tostring_float_loop", version = 1, score = function()
  local t = {}
  for i = 1, 1000 do t[i] = i * 1.5e300 end
  while true do
    local _ = tostring(1.5e300)
    local _ = table.concat(t, "--")
  end
end }
