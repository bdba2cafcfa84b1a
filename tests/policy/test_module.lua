-- test_module.lua: the dealscore module for stock lua5.4.
local tests = {}

-- the verdicts models/examples/README.md documents for the default policy
local EXPECTED = {
  ["NBM-2026-014"] = "pursue", ["CSB-2026-031"] = "pursue", ["ASM-2026-007"] = "at_risk",
  ["MFG-2026-022"] = "at_risk", ["LRH-2026-003"] = "walk_away", ["TVC-2026-018"] = "walk_away",
  ["KOR-2026-011"] = "shape", ["OKC-2026-005"] = "shape", ["BWU-2026-009"] = "walk_away",
  ["NPM-2026-016"] = "pursue", ["OSR-2026-024"] = "at_risk", ["FEN-2026-029"] = "at_risk",
}

function tests.default_policy_by_path(t)
  local n = 0
  for _, deal in ipairs(t.deals()) do
    local r = t.ds.score(deal, t.src .. "/scripts/default.lua")
    t.eq(r.verdict, EXPECTED[deal.id], deal.id)
    t.eq(r.policy, "default@1")
    n = n + 1
  end
  t.eq(n, 12, "twelve example deals")
end

-- read_deals reads as `dealscore score` does: a BOM, an array, a broken array
-- recovered line by line, and what is not a deal reported, never dropped
local function read_text(t, text)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
  local deals, problems = t.ds.read_deals(path)
  os.remove(path)
  return deals, problems
end

function tests.read_deals_like_the_program(t)
  local deals, problems = read_text(t, "\239\187\191" .. '{"id": "a"}\n\n{"id": "b"}\n')
  t.eq(#deals, 2, "a BOM is skipped, blank lines too")
  t.eq(deals[2].id, "b")
  t.eq(#problems, 0)
  deals, problems = read_text(t, '[{"id": "a"},\n {"id": "b"}]\n{"id": "c"}\n')
  t.eq(#deals, 3, "an array, then JSONL after it")
  t.eq(deals[3].id, "c")
  deals, problems = read_text(t, '[{"id": "a"},\n {"id": "b" "oops"},\n{"id": "c"}\n')
  t.eq(deals[1].id, "a")
  t.eq(deals[#deals].id, "c", "the deal after a broken element is recovered")
  t.ok(#problems >= 1, "the broken element is reported")
  t.eq(problems[1].code, "bad_json")
  t.ok(problems[1].message:find(":2"), "the message names the line: " .. problems[1].message)
  deals, problems = read_text(t, '{"id": "a"}\n{not json\n{"id": "c"}\n')
  t.eq(#deals, 2, "the good lines")
  t.eq(#problems, 1, "the bad line is reported, not dropped")
  t.eq(problems[1].code, "bad_json")
  t.ok(problems[1].where:find(":2$"), "where names line 2: " .. tostring(problems[1].where))
end

function tests.json_text_deal(t)
  local r = t.ds.score('{"id": "tiny", "stakeholders": [{"id": "a", "can_buy": true}]}',
    t.src .. "/scripts/default.lua")
  t.eq(r.id, "tiny")
  t.ok(r.scores.viability >= 0 and r.scores.viability <= 100)
  t.has(r.reasons, "no_champion")
end

function tests.invalid_deal_is_an_error_result(t)
  local deal = t.deal("NBM-2026-014")
  deal.stakeholders[2].influence = 3
  local r = t.ds.score(deal, t.src .. "/scripts/default.lua")
  t.eq(r.id, "NBM-2026-014")
  t.eq(r.error.code, "out_of_range")
  t.eq(r.error.path, "$.stakeholders[1].influence")
end

function tests.policy_table_sees_the_view(t)
  local seen = {}
  local stub = {
    name = "stub", version = 7,
    score = function(deal, scores)
      seen.id, seen.buyer = deal.id, deal:stakeholder("okafor").title
      seen.reach = deal:reach("okafor", "decision_makers")
      seen.custom = deal:custom("sfdc_owner")
      return { viability = scores.capability_roi / 2, verdict = "shape", reasons = { "stub" } }
    end,
  }
  local r = t.ds.score(t.deal("NBM-2026-014"), stub)
  t.eq(r.policy, "stub@7")
  t.eq(seen.id, "NBM-2026-014")
  t.eq(seen.buyer, "VP Claims Operations")
  t.eq(seen.reach, 1, "a buyer reaches the buyers")
  t.eq(seen.custom, "j.lindqvist")
  t.near(r.scores.viability, math.floor(r.scores.capability_roi / 2 * 10 + 0.5) / 10, 0.051)
end

function tests.view_api(t)
  local input = t.deal("MFG-2026-022")
  local got = {}
  t.ds.score(input, { name = "v", version = 1, score = function(deal)
    got.relationships = deal.relationships
    got.pursue = deal.model.policy.pursue
    got.n = #deal.stakeholders
    got.first = deal.stakeholders[1].id
    got.by_id = deal:stakeholder(input.stakeholders[2].id).name
    got.blockers = #deal:with_role("blocker")
    got.it = #deal:members("it")
    got.set_reach = deal:reach("it", "decision_makers")
    got.max_single = 0
    for _, h in ipairs(deal:members("it")) do
      got.max_single = math.max(got.max_single, deal:reach(h, "decision_makers"))
    end
    got.missing = deal:stakeholder("nobody")
    got.unknown_key = deal.no_such_field
    got.for_it = deal.solution.for_it
    got.bad_reach = select(2, pcall(deal.reach, deal, "nobody", "it"))
    return { viability = 1, verdict = "walk_away" }
  end })
  t.eq(#got.relationships, #input.relationships)
  for i, r in ipairs(input.relationships) do
    t.eq(got.relationships[i].from, r.from)
    t.eq(got.relationships[i].to, r.to)
    t.eq(got.relationships[i].type, r.type)
  end
  t.eq(got.pursue, 70)
  t.eq(got.n, #input.stakeholders)
  t.eq(got.first, input.stakeholders[1].id)
  t.eq(got.by_id, input.stakeholders[2].name)
  t.eq(got.blockers, 1, "MFG-2026-022 has one blocker")
  t.ok(got.it >= 1)
  t.near(got.set_reach, got.max_single, 1e-12, "set reach is the best member's reach")
  t.eq(got.missing, nil)
  t.eq(got.unknown_key, nil)
  t.eq(got.for_it, false)
  t.ok(tostring(got.bad_reach):find("no stakeholder 'nobody'", 1, true), tostring(got.bad_reach))
end

function tests.policy_table_contract(t)
  local r = t.ds.score(t.deal("NBM-2026-014"), {
    name = "bad", version = 1, score = function() return { viability = 101, verdict = "pursue" } end })
  t.eq(r.error.code, "policy_error")
  t.ok(r.error.message:find("0..100", 1, true), r.error.message)
end

function tests.views_are_read_only(t)
  local r = t.ds.score(t.deal("NBM-2026-014"), {
    name = "w", version = 1, score = function(deal) deal.amount = 1 end })
  t.eq(r.error.code, "policy_error")
  t.ok(r.error.message:find("read-only", 1, true), r.error.message)
end

function tests.budget_through_the_module(t)
  local deal = t.deal("NBM-2026-014")
  deal.misbehave = "loop"
  local r = t.ds.score(deal, t.src .. "/tests/policy/sandbox/budget.lua")
  t.eq(r.error.code, "policy_timeout")
  deal.misbehave = nil
  t.eq(t.ds.score(deal, t.src .. "/tests/policy/sandbox/budget.lua").reasons[1], "normal")
end

function tests.explain_and_as_of(t)
  local deal = t.deal("TVC-2026-018")
  deal.as_of = nil
  local r = t.ds.score(deal, t.src .. "/scripts/default.lua", { explain = true, as_of = "2026-11-15" })
  t.ok(r.factors and r.factors.capability_roi, "factors with explain")
  t.ok(r.stakeholders and r.stakeholders[1].predicted_stance, "stakeholders with explain")
  t.has(r.warnings, "stale:lindgren")
end

-- A policy table is scored by the engine as a policy file is (parse, validation,
-- analysis, result): the same policy as a file and as a table gives the same
-- result on every example deal, explained, and the same error on a bad deal.
function tests.policy_table_scores_as_its_file(t)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write([[
return { name = "same", version = 3, score = function(deal, s)
  local reasons = {}
  if #deal.stakeholders > 3 then reasons[1] = "committee" end
  return { viability = (s.capability_roi + s.strategic_roi) / 2,
           verdict = s.user_threat > 50 and "at_risk" or "shape", reasons = reasons }
end }
]])
  f:close()
  local table_policy = dofile(path)
  local function canon(v)
    if type(v) ~= "table" then return string.format("%q", v) end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local out = {}
    for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. "=" .. canon(v[k]) end
    return "{" .. table.concat(out, ",") .. "}"
  end
  local n = 0
  for _, deal in ipairs(t.deals()) do
    local opts = { explain = true, as_of = "2026-11-15" }
    local by_file = t.ds.score(deal, path, opts)
    local by_table = t.ds.score(deal, table_policy, opts)
    t.eq(by_table.policy, "same@3")
    t.eq(canon(by_table), canon(by_file), deal.id)
    n = n + 1
  end
  t.eq(n, 12)
  local deal = t.deal("NBM-2026-014")
  deal.stakeholders[2].influence = 3
  local by_file, by_table = t.ds.score(deal, path), t.ds.score(deal, table_policy)
  t.eq(by_table.error.code, "out_of_range")
  t.eq(by_table.error.message, by_file.error.message)
  local broken = t.ds.score("{not json", table_policy).error
  t.eq(broken.code, "bad_json")
  t.eq(broken.message, t.ds.score("{not json", path).error.message)
  t.ok(broken.message:find("^deal: not valid JSON"), broken.message)
  os.remove(path)
end

function tests.model(t)
  local m = t.ds.model()
  t.eq(m.policy.pursue, 70)
  t.eq(m.runtime.instruction_budget, 10000000)
end

function tests.broken_policy_file_raises(t)
  local ok, err = pcall(t.ds.score, t.deal("NBM-2026-014"), t.src .. "/tests/policy/sandbox/syntax.lua")
  t.ok(not ok)
  t.ok(err:find("syntax.lua:4:", 1, true), err)
end

return tests
