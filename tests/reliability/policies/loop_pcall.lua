-- An endless loop that catches every error it can, the budget's included.
-- expect: policy_timeout
return { name = "loop_pcall", version = 1, score = function()
  while true do pcall(function() while true do end end) end
end }
