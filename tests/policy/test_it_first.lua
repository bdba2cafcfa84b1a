-- test_it_first.lua: scripts/examples/it_first.lua
local tests = {}
local function policy(t) return t.src .. "/scripts/examples/it_first.lua" end

function tests.it_leadership_on_side_for_an_it_solution(t)
  -- the service desk deal: built for IT, the CIO (it_strategic) is for it
  local r = t.ds.score(t.deal("CSB-2026-031"), policy(t))
  t.eq(r.policy, "it_first@1")
  t.has(r.reasons, "it_leadership_on_side")
  t.has(r.reasons, "relief_framed")
  t.eq(r.verdict, "pursue")
end

function tests.no_it_leadership_costs_a_quarter(t)
  local with = t.deal("CSB-2026-031")
  local without = t.deal("CSB-2026-031")
  for _, h in ipairs(without.stakeholders) do
    local roles = {}
    for _, role in ipairs(h.roles or {}) do
      if role ~= "it_strategic" then roles[#roles + 1] = role end
    end
    h.roles = roles
  end
  local a, b = t.ds.score(with, policy(t)), t.ds.score(without, policy(t))
  t.has(b.reasons, "no_it_leadership")
  t.hasnt(b.reasons, "it_leadership_on_side")
  t.ok(b.scores.viability < a.scores.viability * 0.75, "viability falls by more than a quarter")
end

function tests.selling_into_it_first_on_a_business_deal(t)
  -- the supplier risk deal came in through an IT architecture review
  local r = t.ds.score(t.deal("MFG-2026-022"), policy(t))
  t.has(r.reasons, "it_first")
  -- the same deal with the buyers met first loses the warning and gains value
  local deal = t.deal("MFG-2026-022")
  for _, h in ipairs(deal.stakeholders) do h.first_contact = "2026-01-01" end
  local later = t.ds.score(deal, policy(t))
  t.hasnt(later.reasons, "it_first")
  t.ok(later.scores.viability > r.scores.viability)
end

function tests.it_solution_rules_do_not_apply_to_business_deals(t)
  for _, deal in ipairs(t.deals()) do
    if not deal.solution.for_it then
      local r = t.ds.score(deal, policy(t))
      t.hasnt(r.reasons, "it_leadership_on_side", deal.id)
      t.hasnt(r.reasons, "no_it_leadership", deal.id)
    end
  end
end

function tests.override_and_no_buyer(t)
  local r = t.ds.score(t.deal("BWU-2026-009"), policy(t))
  t.has(r.reasons, "override")
  t.eq(r.verdict, "walk_away")
  local nobody = t.ds.score(t.deal("LRH-2026-003"), policy(t))
  t.has(nobody.reasons, "no_buyer")
  t.ok(nobody.scores.viability <= 35)
end

return tests
