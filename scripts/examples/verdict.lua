-- verdict.lua: what the example policies share, loaded with require("verdict")
-- (a policy may require modules from its own folder). The end of every score():
-- the no-buyer cap, the clamp to 0..100, a person's override, the verdict
-- (insufficient_data when the core warns low_coverage, as in the default policy).
local M = {}

-- Caps v when nobody in the committee can buy (sell to who can buy).
function M.cap_without_buyer(deal, v, reasons, cap)
  if #deal:members("decision_makers") == 0 then
    reasons[#reasons + 1] = "no_buyer"
    return math.min(v, cap)
  end
  return v
end

-- The verdict for a viability, from thresholds {pursue, shape, at_risk}.
function M.for_viability(v, thresholds)
  if v >= thresholds.pursue then return "pursue" end
  if v >= thresholds.shape then return "shape" end
  if v >= thresholds.at_risk then return "at_risk" end
  return "walk_away"
end

-- The result table: v clamped, then replaced by override.viability if a person
-- set one (the computed value is kept beside it). Without an override, a deal
-- with too little data gets insufficient_data, its viability still computed.
function M.result(deal, v, reasons, thresholds)
  v = math.max(0, math.min(100, v))
  local result = { reasons = reasons }
  if deal.override_viability then
    reasons[#reasons + 1] = "override"
    result.computed_viability = v
    v = deal.override_viability
  end
  result.viability = v
  result.verdict = M.for_viability(v, thresholds)
  if not deal.override_viability and deal:has_warning("low_coverage") then
    result.verdict = "insufficient_data"
  end
  return result
end

return M
