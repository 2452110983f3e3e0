-- __gc finalizers: registration at setmetatable, order, resurrection, errors

local log = {}
local function logger(o) log[#log + 1] = tostring(o.id) end

-- run once each, in the reverse order of registration
local function make(n, mt)
  for i = 1, n do setmetatable({id = i}, mt) end
end
make(5, {__gc = logger})
collectgarbage()
print("order:", table.concat(log, " "))

-- registration order, not creation order
log = {}
local function make_swapped(mt)
  local a, b = {id = "a"}, {id = "b"}
  setmetatable(b, mt)
  setmetatable(a, mt)
end
make_swapped({__gc = logger})
collectgarbage()
print("swapped:", table.concat(log, " "))

-- a __gc field added after setmetatable is ignored
local mt = {}
local function late()
  setmetatable({id = "late"}, mt)
end
late()
mt.__gc = function() print("never printed") end
collectgarbage()
print("late __gc ignored")

-- __gc = non-function: registered but nothing is called
setmetatable({}, {__gc = true})
collectgarbage()
print("non-function __gc ok")

-- resurrection: the object lives on after its finalizer, which does not run again
local saved
local runs = 0
local function phoenix()
  setmetatable({name = "phoenix"}, {__gc = function(o) runs = runs + 1; saved = o end})
end
phoenix()
collectgarbage()
print("resurrected:", saved and saved.name, runs)
saved = nil
collectgarbage()
collectgarbage()
print("runs after death:", runs)

-- re-registering inside the finalizer makes it run again
local again = 0
local function reborn()
  local m = {}
  m.__gc = function(o)
    again = again + 1
    if again < 3 then setmetatable(o, m) end
  end
  setmetatable({}, m)
end
reborn()
for _ = 1, 4 do collectgarbage() end
print("re-registered runs:", again)

-- weak values are cleared before the finalizer runs, weak keys after
local wk = setmetatable({}, {__mode = "k"})
local wv = setmetatable({}, {__mode = "v"})
local function weak_and_final()
  local o = setmetatable({}, {__gc = function(o)
    print("in __gc: key entry", wk[o], "value entry", wv[1])
  end})
  wk[o] = "present"
  wv[1] = o
end
weak_and_final()
collectgarbage()
collectgarbage()
print("after: key entry gone", next(wk) == nil)

-- objects referenced only by a finalized object survive until it is gone
local inner_runs = {}
local function nested()
  local inner = setmetatable({id = "inner"}, {__gc = function(o) inner_runs[#inner_runs + 1] = o.id end})
  setmetatable({id = "outer", child = inner}, {__gc = function(o) inner_runs[#inner_runs + 1] = o.id end})
end
nested()
collectgarbage()
print("nested:", table.concat(inner_runs, " "))

-- errors in finalizers propagate from the call that ran them
local function bad() setmetatable({}, {__gc = function() error("boom") end}) end
bad()
print(pcall(collectgarbage))
local function bad_table() setmetatable({}, {__gc = function() error({}) end}) end
bad_table()
print(pcall(collectgarbage))
-- the other pending finalizers still run later
log = {}
local function some_bad()
  setmetatable({id = 1}, {__gc = logger})
  setmetatable({id = 2}, {__gc = function() error("second fails") end})
  setmetatable({id = 3}, {__gc = logger})
end
some_bad()
print(pcall(collectgarbage))
collectgarbage()
print("after error:", table.concat(log, " "))

-- a finalizer cannot yield
local co = coroutine.wrap(function()
  setmetatable({}, {__gc = function() coroutine.yield(1) end})
  return pcall(collectgarbage)
end)
print(co())

-- finalizers run at automatic collections too
local done = false
local function auto()
  setmetatable({}, {__gc = function() done = true end})
end
auto()
local junk
repeat junk = {} until done
print("automatic:", done)

-- objects still alive at the end are finalized when the state closes
keep_me = setmetatable({}, {__gc = function() print("finalized at close") end})
print("end of script")
