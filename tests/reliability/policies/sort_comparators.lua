-- table.sort of 100,000 values with comparators that lie (random answers, a
-- C function that says no to all, one that raises), caught and tried again.
-- expect: policy_timeout
return { name = "sort_comparators", version = 1, score = function()
  local t = {}
  for i = 1, 100000 do t[i] = i % 7 end
  local function lies(a, b) return math.random() < 0.5 end
  local function raises(a, b) if a == 3 then error({}) end return a < b end
  while true do
    pcall(table.sort, t, lies)
    pcall(table.sort, t, rawequal)
    pcall(table.sort, t, raises)
  end
end }
