-- c_errors.lua: every library function a policy can call, given a bad
-- argument, must name itself in its error: "bad argument #2 to 'format'"
-- called from Lua, "bad argument #2 to 'string.format'" when pcall calls it,
-- never '?' (the wrappers of dsl_bounded.c used to hide the name). Also the
-- name of require is checked to its full length ("a\0b" is not "a").
-- score() returns the checks that failed as reasons, and the number of
-- functions checked as the viability (so the test sees the class was covered).

-- the libraries are read-only proxies (pairs sees nothing): their functions
-- as the manual lists them
local libraries = {
  string = { "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "pack",
    "packsize", "rep", "reverse", "sub", "unpack", "upper" },
  table = { "concat", "insert", "move", "pack", "remove", "sort", "unpack" },
  math = { "abs", "ceil", "cos", "deg", "exp", "floor", "fmod", "log", "max", "min", "modf", "rad",
    "random", "randomseed", "sin", "sqrt", "tan", "tointeger", "type", "ult", "acos", "asin", "atan" },
  utf8 = { "char", "codepoint", "codes", "len", "offset" },
  os = { "clock", "date", "time" },
}
local base = { "assert", "error", "getmetatable", "ipairs", "next", "pairs", "rawequal", "rawget",
  "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "xpcall", "pcall" }

-- the argument lists tried, the first that raises "bad argument" is used
local tries = { { {} }, { "x", {} }, { {}, {} }, { "x", "x", {} }, { "x", 1, {} }, { {}, "x", {} } }

local failed, checked = {}, 0

-- Whether the name in the message is `shown`, or (for a function pcall
-- called, which Lua names by searching the libraries) another name of the
-- same function: math.atan is also math.atan2 in Debian's Lua, and which of
-- the two is found first depends on the table's hash order.
local function names(err, shown, f)
  local name = err:match("to '([^']+)'")
  if not name or name == "?" then return false end
  if name == shown then return true end
  local ok, g = pcall(load("return " .. name))
  return shown:find(".", 1, true) ~= nil and ok and rawequal(g, f)
end

local function check(label, f, shown)
  for _, args in ipairs(tries) do
    local ok, err = pcall(f, table.unpack(args, 1, 3))
    if not ok and type(err) == "string" and err:find("bad argument", 1, true) then
      checked = checked + 1
      if not names(err, shown, f) then failed[#failed + 1] = label .. ": " .. err end
      return
    end
  end
end

for lib_name, names in pairs(libraries) do
  local lib = load("return " .. lib_name)()
  for _, name in ipairs(names) do
    local fn = lib[name]
    if type(fn) == "function" then
      -- called by pcall (C): named from the loaded libraries
      check(lib_name .. "." .. name .. " by pcall", fn, lib_name .. "." .. name)
      -- called from Lua: named by the call
      local direct = load("local f = ...; return function(a, b, c) return f." .. name .. "(a, b, c) end")(lib)
      check(lib_name .. "." .. name .. " from Lua", direct, name)
    end
  end
end
for _, name in ipairs(base) do
  local fn = load("return " .. name)()
  check(name .. " by pcall", fn, name)
end

-- require: the whole name, NUL bytes included
for _, name in ipairs({ "a\0b", "uses_require\0x", "lib/x\0", "\0" }) do
  local ok, err = pcall(require, name)
  if ok or not tostring(err):find("names are letters", 1, true) then
    failed[#failed + 1] = "require of a name with a NUL byte: " .. tostring(err):gsub("%z", "\\0")
  end
end

return { name = "c_errors", version = 1, score = function()
  return { viability = math.min(100, checked), verdict = "shape", reasons = failed }
end }
