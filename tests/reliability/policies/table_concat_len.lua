-- table.concat of 2^62 empty strings, each given by __index.
-- expect: policy_timeout
return { name = "table_concat_len", version = 1, score = function()
  local t = setmetatable({}, { __len = function() return 1 << 62 end,
                               __index = function() return "" end })
  local s = table.concat(t)
  return { viability = 50, verdict = "shape", reasons = { s } }
end }
