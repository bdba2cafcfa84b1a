-- actions() returns a proxy list whose items are computed by __index.
-- expect: policy_error
-- mode: actions
return { name = "actions_proxy", version = 1,
  score = function() return { viability = 50, verdict = "shape" } end,
  actions = function()
    return setmetatable({}, { __len = function() return 3 end,
      __index = function() while true do end end })
  end }
