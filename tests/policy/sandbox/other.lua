-- other.lua: opened beside escapes.lua in the same Lua state; sees intact libraries.
return {
  name = "other", version = 1,
  score = function(deal, scores)
    local reasons = {}
    if string.upper("a") ~= "A" then reasons[#reasons + 1] = "string_changed" end
    if type(ipairs) ~= "function" then reasons[#reasons + 1] = "ipairs_changed" end
    if rawget(_G, "x_new_global") ~= nil then reasons[#reasons + 1] = "global_leaked" end
    return { viability = 50, verdict = "shape", reasons = reasons }
  end,
}
