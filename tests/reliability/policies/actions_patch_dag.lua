-- A patch that holds the same table twice at each of 60 levels: 2^60 nodes,
-- no cycle, so no depth limit stops it; the JSON of a patch is limited.
-- expect: policy_error
-- mode: actions
return { name = "actions_patch_dag", version = 1,
  score = function() return { viability = 50, verdict = "shape" } end,
  actions = function()
    local t = { x = string.rep("y", 1000) }
    for _ = 1, 60 do t = { a = t, b = t } end
    return { { action = "dag", patch = { deal = t } } }
  end }
