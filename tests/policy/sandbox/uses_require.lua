-- uses_require.lua: modules load from the policy's own folder, once per policy.
local helper = require("lib.helper")
local again = require("lib.helper")
return {
  name = "uses_require", version = "1.2",
  score = function(deal, scores)
    assert(helper == again, "require caches modules")
    return { viability = helper.double(20), verdict = "walk_away", reasons = { deal.id } }
  end,
}
