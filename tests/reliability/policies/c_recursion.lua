-- Unbounded recursion through a C function (string.gsub calling back into Lua).
-- expect: policy_error
local function again(s) return (string.gsub(s, ".", again)) end
return { name = "c_recursion", version = 1, score = function()
  return { viability = #again("ab"), verdict = "shape" }
end }
