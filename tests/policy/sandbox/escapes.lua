-- escapes.lua: a policy that tries every sandbox escape we know of, from Redis'
-- scripting tests (global protection, read-only library tables, the strings'
-- metatable, string.dump, binary chunks) and our own (views, require, load's
-- environment, finalizers). Each attempt returns true when it got through; an
-- error means the sandbox held. score() lists the escapes that worked in
-- `reasons`, so the expected result is an empty list.

local saved_deal -- a view kept past its deal (tried on the next deal)

local function escapes(deal)
  local attempts = {
    -- Redis: "Try trick global protection 1..4"
    setmetatable_G = function() setmetatable(_G, {}) return true end,
    getmetatable_G = function()
      local mt = getmetatable(_G)
      if type(mt) == "table" then mt.__index = {} return true end
      mt.__index = {} -- indexing a string: error
      return true
    end,
    new_global = function() x_new_global = 1 return true end,
    overwrite_global = function() ipairs = function() end return true end,
    replace_G = function() _G = {} return true end,
    env_field = function() _ENV.pairs = nil return true end,
    G_field = function() _G.tostring = nil return true end,
    -- Redis: "Try trick readonly table on redis/json/bit table"
    library_field = function() string.upper = function() return "owned" end return true end,
    library_field_math = function() math.floor = nil return true end,
    library_field_os = function() os.time = nil return true end,
    library_insert = function() table.insert(math, 1) return true end,
    rawset_library = function() rawset(string, "upper", function() return "owned" end) return true end,
    rawset_G = function() rawset(_G, "rawset_global", 1) return true end,
    setmetatable_library = function() setmetatable(string, nil) return true end,
    library_metatable = function() return type(getmetatable(string)) == "table" end,
    -- Redis: "Try trick readonly table on basic types metatable"
    string_metatable = function()
      local mt = getmetatable("")
      if type(mt) == "table" then mt.__index = {} return true end
      mt.__index = function() return "owned" end
      return true
    end,
    string_metatable_index = function() return type(getmetatable("").__index) == "table" end,
    -- string.dump and binary chunks
    string_dump = function() return string.dump(function() end) ~= nil end,
    load_binary_mode = function() return load("\27Lua\84\0", "x", "b") ~= nil end,
    load_binary_text_mode = function()
      local f, err = load("\27Lua\84\0\25\147\13\10\26\10", "x", "bt")
      return f ~= nil or not tostring(err):find("binary")
    end,
    load_reader_binary = function()
      local sent = false
      local f = load(function() if sent then return nil end sent = true return "\27Lua" end)
      return f ~= nil
    end,
    load_real_globals = function()
      return not rawequal(load("return _ENV")(), _ENV)
    end,
    load_global_write = function() load("loaded_global = 1")() return true end,
    -- what the sandbox leaves out
    io = function() return io ~= nil end,
    debug = function() return debug ~= nil end,
    package = function() return package ~= nil end,
    dofile = function() return dofile ~= nil end,
    loadfile = function() return loadfile ~= nil end,
    collectgarbage = function() return collectgarbage ~= nil end,
    coroutine = function() return coroutine ~= nil end,
    os_execute = function() return os.execute ~= nil end,
    os_getenv = function() return os.getenv ~= nil end,
    os_exit = function() return os.exit ~= nil end,
    os_remove = function() return os.remove ~= nil end,
    require_outside = function() require("..escapes_target") return true end,
    require_absolute = function() require("/etc/passwd") return true end,
    require_parent = function() require("lib..secret") return true end,
    require_library = function() return require("io") ~= nil end,
    require_debug = function() return require("debug") ~= nil end,
    -- finalizers would run outside any budget
    gc_metamethod = function() setmetatable({}, { __gc = function() end }) return true end,
    -- the deal view
    view_write = function() deal.id = "owned" return true end,
    view_rawset = function() rawset(deal, "id", "owned") return true end,
    view_setmetatable = function() setmetatable(deal, {}) return true end,
    view_metatable = function() return type(getmetatable(deal)) == "table" end,
    view_stakeholder_write = function() deal.stakeholders[1].stance = 1 return true end,
    view_solution_write = function() deal.solution.prototype = true return true end,
    view_after_deal = function()
      if not saved_deal then return false end
      return saved_deal.id ~= nil
    end,
  }
  local names = {}
  for name in pairs(attempts) do names[#names + 1] = name end
  table.sort(names)
  local got_through = {}
  for _, name in ipairs(names) do
    local ok, escaped = pcall(attempts[name])
    if ok and escaped then got_through[#got_through + 1] = name end
  end
  -- the protections must not have broken the libraries
  if string.upper("a") ~= "A" or ("a"):upper() ~= "A" or not math.floor or not os.time then
    got_through[#got_through + 1] = "libraries_changed"
  end
  saved_deal = deal
  return got_through
end

return {
  name = "escapes",
  version = 1,
  score = function(deal, scores)
    return { viability = 0, verdict = "walk_away", reasons = escapes(deal) }
  end,
}
