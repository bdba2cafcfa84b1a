-- string.format with every conversion that writes a number as text at its
-- costliest: %s of a float, %g of a tiny one, %q and %a, %.99f of 1e308.
-- expect: policy_timeout
return { name = "format_conversions", version = 1, score = function()
  local f = string.format
  while true do
    local _ = f("%s%d%g%q%a%.99f%5.1s%99.99f", 1e300, 7, 1e-300, 1.5e300, 1e300, 1e308, "abc", -1e300)
  end
end }
