-- Reasons whose length (__len) is 2^62.
-- expect: policy_error
return { name = "reasons_len", version = 1, score = function()
  return { viability = 50, verdict = "shape",
           reasons = setmetatable({}, { __len = function() return 1 << 62 end }) }
end }
