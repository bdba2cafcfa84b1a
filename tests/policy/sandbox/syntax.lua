-- syntax.lua: a syntax error on line 4
return {
  name = "syntax", version = 1,
  score = function(deal scores)
  end,
}
