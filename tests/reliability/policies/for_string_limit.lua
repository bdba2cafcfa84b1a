-- A numeric for with a 16 MB string as its limit: the loop's preparation
-- converts it, one instruction, again and again.
-- expect: policy_timeout
return { name = "for_string_limit", version = 1, score = function()
  local s = string.rep("0", 16 << 20) .. "1"
  while true do for _ = 1, s do end end
end }
