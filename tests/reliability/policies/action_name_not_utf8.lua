-- An action name that is not UTF-8.
-- expect: policy_error
-- mode: actions
return { name = "action_name_not_utf8", version = 1,
  score = function() return { viability = 50, verdict = "shape" } end,
  actions = function()
    return { { action = "caf\xe9", patch = { solution = { prototype = true } } } }
  end }
