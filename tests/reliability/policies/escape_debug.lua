-- Reaching the registry through the debug library (not in the sandbox).
-- expect: policy_error
return { name = "escape_debug", version = 1, score = function()
  return { viability = #debug.getregistry(), verdict = "shape" }
end }
