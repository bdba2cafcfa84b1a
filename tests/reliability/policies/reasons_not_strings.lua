-- Reasons that are numbers, tables, booleans and functions.
-- expect: policy_error
return { name = "reasons_not_strings", version = 1, score = function()
  return { viability = 50, verdict = "shape", reasons = { 1, {}, true, print } }
end }
