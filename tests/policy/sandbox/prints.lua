-- prints.lua: print goes to stderr, never into the results
return {
  name = "prints", version = 1,
  score = function(deal, scores)
    print("looking at", deal.id)
    return { viability = 10, verdict = "walk_away" }
  end,
}
