-- A computed_viability that is infinite: it was dropped without a word.
-- expect: policy_error
return { name = "computed_viability_inf", version = 1, score = function()
  return { viability = 1, verdict = "walk_away", computed_viability = math.huge }
end }
