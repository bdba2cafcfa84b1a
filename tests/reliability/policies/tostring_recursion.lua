-- A __tostring that calls tostring on itself: C stack overflow, caught by
-- pcall, again and again.
-- expect: policy_timeout
return { name = "tostring_recursion", version = 1, score = function()
  local mt = {}
  mt.__tostring = function(self) return tostring(self) end
  local t = setmetatable({}, mt)
  while true do pcall(tostring, t) end
end }
