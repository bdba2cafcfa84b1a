-- Values that are not views, and views of the wrong kind, passed to the deal's
-- and a stakeholder's methods as self: each is refused with an error, never read
-- as a view; the last attempt, unprotected, ends the deal.
-- expect: policy_error
return { name = "view_forgery", version = 1, score = function(deal)
  local first = deal.stakeholders[1] or deal.solution
  local fakes = { {}, "deal", 42, true, print, coroutine.running(), deal.solution,
    deal.stakeholders, first }
  for _, fake in ipairs(fakes) do
    if pcall(deal.members, fake, "it") or pcall(deal.reach, fake, "it", "it")
      or pcall(deal.has_warning, fake, "low_coverage") then
      return { viability = 50, verdict = "shape" } -- a forgery was taken for the deal
    end
  end
  if deal.stakeholders[1] then
    local has_role = deal.stakeholders[1].has_role
    for _, fake in ipairs({ deal, deal.solution, deal.stakeholders, {}, 7 }) do
      if pcall(has_role, fake, "champion") then
        return { viability = 50, verdict = "shape" }
      end
    end
  end
  return { viability = deal.members(deal.solution, "it"), verdict = "shape" }
end }
