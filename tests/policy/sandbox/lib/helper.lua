-- a module of the policy's own folder: require("lib.helper") loads it
local helper = {}
function helper.double(x) return 2 * x end
return helper
