-- budget.lua: misbehaves on demand, by the deal's custom field "misbehave":
--   "loop"        an endless loop
--   "loop_pcall"  an endless loop that catches every error it can
--   "memory"      grows a table without end
--   "memory_pcall" grows memory inside pcall and swallows the error
--   "string"      one huge string.rep
-- other deals are scored normally, so a batch shows that only the bad deal ends.
local function hog()
  local t = {}
  for i = 1, math.huge do t[i] = { i, i, i, i } end
end

local kept = {} -- file-level state survives between deals

return {
  name = "budget", version = 1,
  score = function(deal, scores)
    local how = deal:custom("misbehave")
    if how == "loop" then
      while true do end
    elseif how == "loop_pcall" then
      while true do pcall(function() while true do end end) end
    elseif how == "memory" then
      hog()
    elseif how == "memory_pcall" then
      for _ = 1, 10 do pcall(hog) end
      return { viability = 99, verdict = "pursue" } -- must not be believed
    elseif how == "string" then
      kept[1] = string.rep("x", 1 << 30)
    end
    return { viability = scores.capability_roi, verdict = "shape", reasons = { "normal" } }
  end,
}
