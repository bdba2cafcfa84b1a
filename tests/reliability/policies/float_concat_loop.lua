-- `..` of a float in a loop: the VM writes the number with "%.14g" (0.7 us),
-- as one instruction, and a string of 16 such numbers at a time. No charge
-- sees it; the CPU time the budget's work allows ends it.
-- expect: policy_timeout
return { name = "float_concat_loop", version = 1, score = function()
  local x = 1.5e300
  while true do local _ = x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. x .. "" end
end }
