-- library.lua: the library functions the sandbox wraps (dsl_bounded.c) give
-- what stock Lua 5.4 gives for ordinary calls. Each check that fails is a
-- reason; a clean run returns the single reason "ok".
local failed = {}
local function eq(name, got, want)
  if got ~= want then failed[#failed + 1] = name .. ": got " .. tostring(got) .. ", want " .. tostring(want) end
end
local function list(...) return table.concat(table.pack(...), ",", 1, select("#", ...)) end

local function checks()
  -- string
  eq("rep", ("ab"):rep(3, "-"), "ab-ab-ab")
  eq("rep 0", ("ab"):rep(0), "")
  eq("rep empty", (""):rep(5), "")
  eq("byte", list(("abc"):byte(1, -1)), "97,98,99")
  eq("byte default", ("abc"):byte(), 97)
  eq("byte out", select("#", ("abc"):byte(10)), 0)
  eq("char", string.char(104, 105), "hi")
  eq("format", string.format("%s=%5.1f %q", "x", 2.25, "a\n"), 'x=  2.2 "a\\\n"')
  eq("upper", ("aBc"):upper(), "ABC")
  eq("lower", ("aBc"):lower(), "abc")
  eq("reverse", ("abc"):reverse(), "cba")
  eq("find plain", list(("a.b.c"):find(".", 1, true)), "2,2")
  eq("find plain init", list(("a.b.c"):find(".", 3, true)), "4,4")
  eq("find literal", list(("hello world"):find("wor")), "7,9")
  eq("find empty", list(("abc"):find("")), "1,0")
  eq("find empty at end", list(("abc"):find("", 4)), "4,3")
  eq("find past end", ("abc"):find("", 5), nil)
  eq("find negative init", list(("abcabc"):find("b", -2)), "5,5")
  eq("find pattern", list(("key = value"):find("(%w+)%s*=%s*(%w+)")), "1,11,key,value")
  eq("find anchored", ("xab"):find("^ab"), nil)
  eq("find none", ("abc"):find("%d"), nil)
  eq("match", ("  trim me  "):match("^%s*(.-)%s*$"), "trim me")
  eq("match whole", ("abc123"):match("%d+"), "123")
  eq("match literal", ("abc"):match("bc"), "bc")
  eq("match position", list(("abc"):match("()b()")), "2,3")
  eq("match init", ("a1b2"):match("%d", 3), "2")
  eq("match none", ("abc"):match("%d"), nil)
  eq("match balanced", ("f(a(b)c)d"):match("%b()"), "(a(b)c)")
  eq("match frontier", ("THE (quick) fox"):match("%f[%a]%a+", 5), "quick")
  eq("match backref", ("say 'hi' now"):match("(['\"])(.-)%1"), "'")
  eq("match set", ("x-y_z"):match("[%w_]+$"), "y_z")
  local words = {}
  for w in ("one two  three"):gmatch("%a+") do words[#words + 1] = w end
  eq("gmatch", table.concat(words, "|"), "one|two|three")
  local pairs_ = {}
  for k, v in ("a=1, b=2"):gmatch("(%w+)=(%w+)") do pairs_[#pairs_ + 1] = k .. v end
  eq("gmatch captures", table.concat(pairs_, "|"), "a1|b2")
  local empties = 0
  for _ in ("abc"):gmatch("x*") do empties = empties + 1 end
  eq("gmatch empty matches", empties, 4)
  eq("gsub", list(("hello world"):gsub("o", "0")), "hell0 w0rld,2")
  eq("gsub n", list(("aaa"):gsub("a", "b", 2)), "bba,2")
  eq("gsub captures", (("k=v"):gsub("(%w+)=(%w+)", "%2=%1")), "v=k")
  eq("gsub table", (("$x $y"):gsub("%$(%w+)", { x = "1" })), "1 $y")
  eq("gsub function", (("abc"):gsub("%w", function(c) return c:upper() end)), "ABC")
  eq("gsub anchored", list(("aaa"):gsub("^a", "b")), "baa,1")
  eq("gsub spaces", (("a  b   c"):gsub("%s+", " ")), "a b c")
  eq("pack", #string.pack("i4", 7), 4)
  eq("unpack", (string.unpack("i4", string.pack("i4", 7))), 7)
  -- table
  local t = { 1, 2, 3 }
  table.insert(t, 4)
  table.insert(t, 1, 0)
  eq("insert", table.concat(t, ","), "0,1,2,3,4")
  eq("remove", table.remove(t), 4)
  eq("remove front", table.remove(t, 1), 0)
  eq("after remove", table.concat(t, ","), "1,2,3")
  eq("remove empty", table.remove({}), nil)
  eq("remove size+1", table.remove({ 1 }, 2), nil)
  local ok = pcall(table.insert, { 1 }, 5, 0)
  eq("insert out of bounds", ok, false)
  ok = pcall(table.insert, {}, 1, 2, 3)
  eq("insert wrong arguments", ok, false)
  eq("concat range", table.concat({ "a", "b", "c" }, "", 2, 3), "bc")
  eq("concat empty range", table.concat({ "a" }, ",", 3, 2), "")
  eq("unpack", list(table.unpack({ 1, 2, 3 })), "1,2,3")
  eq("unpack range", list(table.unpack({ 1, 2, 3 }, 2)), "2,3")
  eq("move", table.concat(table.move({ 1, 2, 3 }, 1, 3, 2), ","), "1,1,2,3")
  local s = { 3, 1, 2 }
  table.sort(s)
  eq("sort", table.concat(s, ","), "1,2,3")
  table.sort(s, function(a, b) return a > b end)
  eq("sort comparator", table.concat(s, ","), "3,2,1")
  local proxy = setmetatable({}, { __index = function(_, i) return i <= 3 and "p" .. i or nil end,
                                   __len = function() return 3 end })
  eq("concat through __index and __len", table.concat(proxy, ","), "p1,p2,p3")
  eq("unpack through __len", list(table.unpack(proxy)), "p1,p2,p3")
  -- utf8, math, base
  eq("utf8.len", utf8.len("héllo"), 5)
  eq("utf8.char", utf8.char(72, 233), "Hé")
  eq("utf8.codepoint", list(utf8.codepoint("hé", 1, -1)), "104,233")
  local cps = {}
  for p, c in utf8.codes("aé") do cps[#cps + 1] = p .. ":" .. c end
  eq("utf8.codes", table.concat(cps, " "), "1:97 2:233")
  eq("utf8.offset", utf8.offset("aéb", 3), 4)
  eq("utf8.offset back", utf8.offset("aéb", -1), 4)
  eq("math.max", math.max(1, 5, 3), 5)
  eq("math.min", math.min(4, 2, 8), 2)
  eq("select", select("#", 1, 2, 3), 3)
  eq("select tail", list(select(2, "a", "b", "c")), "b,c")
  eq("tonumber", tonumber("  0x10  "), 16)
  eq("tonumber base", tonumber("ff", 16), 255)
  eq("os.date", os.date("!%Y", 0), "1970")
  eq("load", load("return 1 + 1")(), 2)
end

return {
  name = "library", version = 1,
  score = function()
    failed = {}
    local ok, err = pcall(checks)
    if not ok then failed[#failed + 1] = "raised: " .. tostring(err) end
    return { viability = 50, verdict = "shape", reasons = #failed == 0 and { "ok" } or failed }
  end,
}
