-- run.lua: a small test runner for policies, on stock lua5.4 and the dealscore
-- module (busted would do the same job; this keeps the test dependencies to the
-- lua5.4 package).
--
--   lua5.4 tests/policy/run.lua MODULE_DIR SOURCE_DIR test_file.lua ...
--
-- A test file returns a table of test functions, each called with a helper `t`:
--   t.ds            the dealscore module
--   t.src           the source tree
--   t.deals()       the example pipeline as deal tables (a fresh copy)
--   t.deal(id)      one example deal by id (a fresh copy)
--   t.eq(a, b, msg), t.near(a, b, tol, msg), t.ok(cond, msg),
--   t.has(list, x, msg), t.hasnt(list, x, msg)
-- Exit status 0 when every test passed.
local module_dir, src = arg[1], arg[2]
package.cpath = module_dir .. "/?.so;" .. package.cpath
local ds = require("dealscore")

local t = { ds = ds, src = src }
function t.deals() return ds.read_deals(src .. "/models/examples/pipeline.jsonl") end
function t.deal(id)
  for _, d in ipairs(t.deals()) do if d.id == id then return d end end
  error("no example deal " .. id, 2)
end
local function fail(msg, what) error((msg and msg .. ": " or "") .. what, 3) end
function t.ok(cond, msg) if not cond then fail(msg, "expected a true value") end end
function t.eq(a, b, msg)
  if a ~= b then fail(msg, ("expected %s, got %s"):format(tostring(b), tostring(a))) end
end
function t.near(a, b, tol, msg)
  if type(a) ~= "number" or math.abs(a - b) > (tol or 1e-9) then
    fail(msg, ("expected %s within %s, got %s"):format(tostring(b), tostring(tol), tostring(a)))
  end
end
local function contains(list, x)
  for _, y in ipairs(list or {}) do if y == x then return true end end
  return false
end
function t.has(list, x, msg)
  if not contains(list, x) then fail(msg, ("expected %s in {%s}"):format(x, table.concat(list or {}, ", "))) end
end
function t.hasnt(list, x, msg)
  if contains(list, x) then fail(msg, ("did not expect %s in {%s}"):format(x, table.concat(list, ", "))) end
end

local passed, failed = 0, 0
for i = 3, #arg do
  local tests = assert(dofile(arg[i]))
  local names = {}
  for name in pairs(tests) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do
    local ok, err = xpcall(tests[name], debug.traceback, t)
    if ok then
      passed = passed + 1
    else
      failed = failed + 1
      io.stderr:write(("FAIL %s: %s\n"):format(name, err))
    end
  end
end
print(("%d passed, %d failed"):format(passed, failed))
os.exit(failed == 0 and 0 or 1)
