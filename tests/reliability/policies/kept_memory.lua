-- Memory kept across deals in the file's state: each deal adds 8 MB, so a
-- later deal meets the cap; what was kept stays, and the error says so.
-- expect: policy_memory
local kept = {}
return { name = "kept_memory", version = 1, score = function()
  local block = string.rep("k", 1024)
  for _ = 1, 1000 do kept[#kept + 1] = string.rep(block, 8 << 10) .. #kept end
end }
