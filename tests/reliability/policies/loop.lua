-- An endless loop.
-- expect: policy_timeout
return { name = "loop", version = 1, score = function() while true do end end }
