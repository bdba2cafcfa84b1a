-- Reasons behind __index and __len: 2^62 of them, each computed.
-- expect: policy_error
return { name = "reasons_proxy", version = 1, score = function()
  return { viability = 50, verdict = "shape",
           reasons = setmetatable({}, { __index = function() return "r" end,
                                        __len = function() return 1 << 62 end }) }
end }
