-- test_crm_fields.lua: scripts/examples/crm_fields.lua
local tests = {}
local function policy(t) return t.src .. "/scripts/examples/crm_fields.lua" end

function tests.lead_source_from_the_export(t)
  -- MFG-2026-022 carries sfdc_lead_source = "IT architecture review"
  local r = t.ds.score(t.deal("MFG-2026-022"), policy(t))
  t.has(r.reasons, "it_sourced")
  local deal = t.deal("MFG-2026-022")
  deal.sfdc_lead_source = "Partner referral"
  local other = t.ds.score(deal, policy(t))
  t.hasnt(other.reasons, "it_sourced")
  t.near(r.scores.viability, other.scores.viability * 0.9, 0.1)
end

function tests.competitor_costs_a_tenth(t)
  local deal = t.deal("NBM-2026-014")
  local alone = t.ds.score(deal, policy(t))
  deal.competitor = "Acme Analytics"
  local contested = t.ds.score(deal, policy(t))
  t.has(contested.reasons, "competitive")
  t.near(contested.scores.viability, alone.scores.viability * 0.9, 0.1)
  deal.competitor = ""
  t.hasnt(t.ds.score(deal, policy(t)).reasons, "competitive")
end

function tests.commit_at_risk_is_a_flag_only(t)
  local deal = t.deal("ASM-2026-007")
  local plain = t.ds.score(deal, policy(t))
  deal.forecast_category = "Commit"
  local commit = t.ds.score(deal, policy(t))
  t.ok(plain.scores.viability < 50, "a doubtful deal")
  t.has(commit.reasons, "commit_at_risk")
  t.eq(commit.scores.viability, plain.scores.viability)
  -- a strong commit is not flagged
  local strong = t.deal("NBM-2026-014")
  strong.forecast_category = "Commit"
  t.hasnt(t.ds.score(strong, policy(t)).reasons, "commit_at_risk")
end

function tests.champion_who_left_does_not_count(t)
  local deal = t.deal("NBM-2026-014")
  local before = t.ds.score(deal, policy(t))
  for _, h in ipairs(deal.stakeholders) do
    for _, role in ipairs(h.roles or {}) do
      if role == "champion" then h.left_company = true end
    end
  end
  local after = t.ds.score(deal, policy(t))
  t.has(after.reasons, "champion_left")
  t.has(after.reasons, "no_champion")
  t.ok(after.scores.viability < before.scores.viability)
end

function tests.every_example_within_contract(t)
  for _, deal in ipairs(t.deals()) do
    local r = t.ds.score(deal, policy(t))
    t.ok(r.verdict, deal.id .. ": " .. tostring(r.error and r.error.message))
  end
end

return tests
