-- A task's error reaches whoever waits for it: join raises it, RunSync reports it with a
-- traceback, map raises the first one.
local h = workers.spawn(function() error("boom") end)
local ok, e = pcall(h.join, h)
print(ok, e)
print(h:status())

-- error values that are not strings
ok, e = pcall(function() return workers.spawn(function() error({code = 42}) end):join() end)
print(ok, type(e), e.code)
ok, e = pcall(function() return workers.spawn(function() error(7) end):join() end)
print(ok, e, math.type(e))
ok, e = pcall(function() return workers.spawn(function() error() end):join() end)
print(ok, e)
ok, e = pcall(function() return workers.spawn(function() error("no position", 0) end):join() end)
print(ok, e)
ok, e = pcall(function() return workers.spawn(function() error(setmetatable({}, {})) end):join() end)
print(ok, type(e))

-- runtime errors keep their names
ok, e = pcall(function() return workers.spawn(function() local t = nil return t.x end):join() end)
print(ok, e)
ok, e = pcall(function() return workers.spawn(function() return undefined_global() end):join() end)
print(ok, e)

-- RunSync: success/data per task, traceback for failures
local function inner() error("deep failure") end
local function outer() inner() end
local r = workers.RunSync{tasks = {
  {func = function() return "fine", 2 end},
  {func = outer},
  {func = function() return nil end},
}}
for i, res in ipairs(r.result) do
  print(i, res.success, res.data, res.status, #res.values)
end
print(r.result[1].values[2])
local tb = r.result[2].traceback
print(tb:match("^[^\n]+"))
print(tb:find("stack traceback:", 1, true) ~= nil, tb:find("in upvalue 'inner'", 1, true) ~= nil,
  tb:find("in function <", 1, true) ~= nil)

-- map raises the error of the first failing element
ok, e = pcall(workers.map, function(x) if x % 2 == 0 then error("even " .. x, 0) end return x end, {1, 2, 3, 4})
print(ok, e)

-- yielding to the worker outside a coroutine is an error, not a hang
ok, e = pcall(function() return workers.spawn(function() coroutine.yield(1) end):join() end)
print(ok, e)
-- coroutines inside a task work as usual
print(workers.spawn(function()
  local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
  return co(1), co(10)
end):join())

-- the worker goes on after errors
print(workers.spawn(function() return "still working" end):join())
