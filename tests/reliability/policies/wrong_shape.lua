-- A number instead of the result table.
-- expect: policy_error
return { name = "wrong_shape", version = 1, score = function() return 42 end }
