-- load() of generated code: 30,000 gotos to 30,000 labels (the compiler
-- resolves each), again and again.
-- expect: policy_timeout
return { name = "load_generated", version = 1, score = function()
  local parts = {}
  for i = 1, 30000 do parts[i] = "goto l" .. i end
  for i = 1, 30000 do parts[#parts + 1] = "::l" .. i .. "::" end
  local code = "do " .. table.concat(parts, " ") .. " end"
  while true do load(code) end
end }
