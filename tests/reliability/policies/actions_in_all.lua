-- 1,000 actions whose patches are each under the 1 MiB a patch may hold: 900
-- MB of patches a deal in all (the actions of one call hold at most 1 MiB).
-- expect: policy_error
-- mode: actions
return { name = "actions_in_all", version = 1,
  score = function() return { viability = 50, verdict = "shape" } end,
  actions = function()
    local note, list = string.rep("n", 900 * 1024), {}
    for i = 1, 1000 do list[i] = { action = "a" .. i, patch = { deal = { note = note } } } end
    return list
  end }
