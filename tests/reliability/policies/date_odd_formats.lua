-- os.date with a 500 KB format of conversions (%c, %Ec, %Ox, %G) and with
-- times out of range, again and again.
-- expect: policy_timeout
return { name = "date_odd_formats", version = 1, score = function()
  local f = string.rep("%c%Ec%Ox%G", 50000)
  while true do
    pcall(os.date, "*t", 2^62)
    pcall(os.date, "!%c", -2^60)
    local _ = os.date(f, 0)
  end
end }
