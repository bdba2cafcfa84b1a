-- scripts/default.lua: dealscore's default policy (SCORING.md section 4).
--
-- The five core scores are facts about the deal; whether to pursue it is policy.
-- This policy weighs value (capability, strategic, measurable ROI) against
-- friction (IT resistance, user threat), scales by the support around the buyer,
-- then applies the rules of field practice below. Every constant comes from the
-- model's "policy" section, so a team can tune it without editing this file.
-- A deal the core warns low_coverage about (coverage below the model's
-- coverage_min) gets the verdict insufficient_data whatever its value: a confident
-- verdict needs data. Its viability is still computed and printed, and a person's
-- override still sets the verdict from its own value.
--
-- Copy this file to start your own policy: see docs/policies.md.

local policy = { name = "default", version = 1 }

local P -- model.policy, set by init()

local REQUIRED = {
  "value_capability", "value_strategic", "value_measurable", "friction_it_resistance",
  "friction_user_threat", "friction_scale", "support_base", "support_push_back",
  "support_champion_reach", "no_buyer_cap", "no_champion", "short_term_case",
  "no_direct_benefit", "direct_benefit_min", "blocker", "blocker_influence",
  "expectation_gap", "expectation_gap_min", "prototype", "pursue", "shape", "at_risk",
}

function policy.init(model)
  P = model.policy
  if type(P) ~= "table" then error("model key policy: missing", 0) end
  for _, key in ipairs(REQUIRED) do
    if type(P[key]) ~= "number" then
      error("model key policy." .. key .. ": missing or not a number", 0)
    end
  end
end

-- any and all walk a list with a numeric for (no iterator calls), and every
-- test below is a function of the file, not a closure made per deal: the
-- policy runs once for every deal scored, and for --actions tens of times more.
local function any(list, test)
  for i = 1, #list do
    if test(list[i]) then return true end
  end
  return false
end

local function all(list, test)
  for i = 1, #list do
    if not test(list[i]) then return false end
  end
  return true
end

-- Champions convinced only by short-term numbers: IT's near-term rebuttals can
-- turn the tide.
local function short_term_only(h)
  return h.convinced_measurable and not h.convinced_capability and not h.convinced_strategic
end

local function no_direct_benefit(d)
  return d.benefits_work < P.direct_benefit_min and d.benefits_career < P.direct_benefit_min
end

local function influential_opponent(b)
  return b.effective_influence >= P.blocker_influence and b.predicted_stance < 0
end

local function expectation_gap(d)
  return d.expectation_gap >= P.expectation_gap_min
end

local function verdict_for(v)
  if v >= P.pursue then return "pursue" end
  if v >= P.shape then return "shape" end
  if v >= P.at_risk then return "at_risk" end
  return "walk_away"
end

-- One step of the viability: the new value, and when the result is explained
-- (factors is a table, not false) the factor that says why it moved.
local function step(factors, v, name, new_value, detail)
  if factors then
    factors[#factors + 1] = { factor = name, effect = new_value - v, detail = detail }
  end
  return new_value
end

-- A rule of field practice: when it applies, its reason, and its multiplier if any.
local function rule(reasons, factors, v, name, applies, multiplier, detail)
  if not applies then return v end
  reasons[#reasons + 1] = name
  if multiplier then return step(factors, v, name, v * multiplier, detail) end
  return v
end

function policy.score(deal, s)
  local deciders = deal:members("decision_makers")
  local champions = deal:with_role("champion")
  local blockers = deal:with_role("blocker")

  local value = P.value_capability * s.capability_roi + P.value_strategic * s.strategic_roi
    + P.value_measurable * s.measurable_roi
  local friction = P.friction_it_resistance * s.it_resistance
    + P.friction_user_threat * s.user_threat
  local reach = 0 -- c: how close the best champion is to someone who can buy
  for i = 1, #champions do
    reach = math.max(reach, deal:reach(champions[i], "decision_makers"))
  end
  local support = P.support_base + P.support_push_back * deal.push_back
    + P.support_champion_reach * reach

  -- factors explain the viability step by step; they are built only when the
  -- result shows them (deal.explain), as a policy's factors cost time on every deal
  local factors, reasons = {}, {}
  local f = deal.explain and factors
  local v = value
  if f then
    factors[1] = { factor = "value", effect = value, detail = "weighted capability, strategic and measurable ROI" }
  end
  v = step(f, v, "friction", v * (1 - P.friction_scale * friction / 100), "IT resistance and user threat")
  v = step(f, v, "support", v * support, "buyers' push-back and the champion's reach")

  local no_buyer = #deciders == 0
  if no_buyer then reasons[#reasons + 1] = "no_buyer" end
  v = rule(reasons, f, v, "no_champion", #champions == 0, P.no_champion,
    "the business must sell with you")
  v = rule(reasons, f, v, "short_term_case", #champions > 0 and all(champions, short_term_only),
    P.short_term_case, "champions convinced only of short-term numbers")
  v = rule(reasons, f, v, "no_direct_benefit", #deciders > 0 and all(deciders, no_direct_benefit),
    P.no_direct_benefit, "the buyers gain nothing directly")
  v = rule(reasons, f, v, "blocker", any(blockers, influential_opponent), P.blocker,
    "an influential opponent")
  v = rule(reasons, f, v, "expectation_gap", any(deciders, expectation_gap), P.expectation_gap,
    "what they asked for is not what they now want")
  v = rule(reasons, f, v, "prototype", deal.solution.prototype, P.prototype,
    "a working prototype exists")

  if no_buyer and v > P.no_buyer_cap then
    v = step(f, v, "no_buyer", P.no_buyer_cap, "nobody who can buy")
  end
  if v > 100 then v = step(f, v, "clamp", 100, "viability stays within 0..100") end
  if v < 0 then v = step(f, v, "clamp", 0, "viability stays within 0..100") end

  local result = { reasons = reasons, factors = factors }
  local override = deal.override_viability
  if override then
    reasons[#reasons + 1] = "override"
    result.computed_viability = v
    v = step(f, v, "override", override, "a person's judgement")
  end
  result.viability = v
  result.verdict = verdict_for(v)
  if not override and deal:has_warning("low_coverage") then
    result.verdict = "insufficient_data"
  end
  return result
end

return policy
