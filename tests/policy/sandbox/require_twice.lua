-- require_twice.lua: a module that fails to load fails the same way each time
return {
  name = "require_twice", version = 1,
  score = function(deal, scores)
    local _, first = pcall(require, "lib.broken")
    local _, second = pcall(require, "lib.broken")
    return { viability = 1, verdict = "walk_away", reasons = { tostring(first), tostring(second) } }
  end,
}
