-- typo.lua: reads an undefined global inside score()
return {
  name = "typo", version = 1,
  score = function(deal, scores)
    return { viability = mth.max(1, 2), verdict = "shape" }
  end,
}
