-- An endless loop inside xpcall's message handler.
-- expect: policy_timeout
return { name = "loop_in_handler", version = 1, score = function()
  xpcall(error, function() while true do end end)
  return { viability = 50, verdict = "shape" }
end }
