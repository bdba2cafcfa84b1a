-- trivial.lua: the cheapest policy that keeps the contract; measures everything
-- but the policy's own work.
return {
  name = "trivial", version = 1,
  score = function(deal, scores) return { viability = 50, verdict = "shape" } end,
}
