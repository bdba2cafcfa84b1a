-- keep_view.lua: keeps the deal's view for the next deal, which must find it
-- stale (test_runtime.c: even after 2^32 more deals).
local kept
return {
  name = "keep_view", version = 1,
  score = function(deal)
    if kept then local _ = kept.id end
    kept = deal
    return { viability = 10, verdict = "walk_away" }
  end,
}
