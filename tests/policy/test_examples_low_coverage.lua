-- test_examples_low_coverage.lua: every example policy (scripts/examples) and the
-- default one give insufficient_data to a deal whose coverage is below the model's
-- coverage_min (SCORING.md v1.1), still computing its viability, and follow a
-- person's override instead when there is one (docs/policies.md).
local tests = {}

local POLICIES = { "default.lua", "examples/enterprise_conservative.lua", "examples/it_first.lua",
  "examples/crm_fields.lua" }

-- A well-known deal stripped to what a vanilla CRM export has.
local function thinned(t)
  local deal = t.deal("NBM-2026-014")
  deal.solution = nil
  for _, h in ipairs(deal.stakeholders) do
    for _, k in ipairs({ "influence", "stance", "benefits", "convinced", "ai_interest", "burden",
      "credibility_threat" }) do
      h[k] = nil
    end
  end
  return deal
end

function tests.full_deal_gets_a_real_verdict(t)
  for _, p in ipairs(POLICIES) do
    local r = t.ds.score(t.deal("NBM-2026-014"), t.src .. "/scripts/" .. p)
    t.hasnt(r.warnings, "low_coverage")
    t.ok(r.verdict ~= "insufficient_data", p .. ": " .. r.verdict)
  end
end

function tests.thin_deal_gets_insufficient_data(t)
  for _, p in ipairs(POLICIES) do
    local r = t.ds.score(thinned(t), t.src .. "/scripts/" .. p)
    t.has(r.warnings, "low_coverage")
    t.eq(r.verdict, "insufficient_data")
    t.ok(r.scores.viability >= 0 and r.coverage < 0.3, p .. ": viability and coverage still there")
  end
end

function tests.override_sets_the_verdict(t)
  for _, p in ipairs(POLICIES) do
    local deal = thinned(t)
    deal.override = { viability = 80 }
    local r = t.ds.score(deal, t.src .. "/scripts/" .. p)
    t.has(r.warnings, "low_coverage")
    t.eq(r.verdict, "pursue")
  end
end

-- A policy sees what was inferred (h:inferred) and the core's warnings.
function tests.policies_see_inferred_fields_and_warnings(t)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write([[
local p = { name = "sees", version = 1 }
function p.score(deal, s)
  local reasons = {}
  for _, h in ipairs(deal.stakeholders) do
    local from = h:inferred("function")
    if from then reasons[#reasons + 1] = h.id .. " function from " .. from end
    if h:inferred("stance") == nil then reasons[#reasons + 1] = h.id .. " stance not inferred" end
  end
  for _, w in ipairs(deal.warnings) do reasons[#reasons + 1] = "warning " .. w end
  if deal:has_warning("low_coverage") then reasons[#reasons + 1] = "has low_coverage" end
  if deal:has_warning("low") then reasons[#reasons + 1] = "has low" end
  return { viability = 0, verdict = "walk_away", reasons = reasons }
end
return p
]])
  f:close()
  local deal = thinned(t)
  deal.stakeholders[1]["function"] = "it"
  deal.stakeholders[1].inferred = { ["function"] = 'title "CIO"' }
  local r = t.ds.score(deal, path)
  os.remove(path)
  t.has(r.reasons, deal.stakeholders[1].id .. ' function from title "CIO"')
  t.has(r.reasons, deal.stakeholders[1].id .. " stance not inferred")
  t.has(r.reasons, "warning low_coverage")
  t.eq(r.reasons[#r.reasons], "has low_coverage") -- and not "has low"
  t.eq(r.reasons[#r.reasons - 1], "warning low_coverage")
end

return tests
