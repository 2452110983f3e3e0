-- VMsDispatcher compatibility: Dispatcher.new(n, init), bind, d:Dispatch, d:Tasks.
local numWorker = 2
local d = workers.Dispatcher.new(numWorker, function()
  workers.bind("Init", function() return "ready on worker " .. workers.current() end)
  workers.bind("DOTASK", function(amount)
    local i = 0
    for _ = 1, amount do i = i + 1 end
    return i
  end)
  -- globals live per worker and are shared by the messages it runs
  workers.bind("SET", function(v) STATE = v end)
  workers.bind("GET", function() return STATE end)
  workers.bind("FAIL", function() error("handler failed", 0) end)
  workers.bind("WHERE", function(amount)
    for _ = 1, amount do end
    return workers.current()
  end)
end)

print(d:Tasks(1), d:Tasks(2))
print(d:Dispatch("Init"):join():match("^ready on worker [12]$") ~= nil)

-- messages go to the least busy worker: two long messages land on different workers
local a = d:Dispatch("WHERE", 2000000)
local b = d:Dispatch("WHERE", 2000000)
print(d:Tasks(1) + d:Tasks(2) <= 2)
print(a:join() ~= b:join())
print(d:Tasks(1), d:Tasks(2))

-- many messages are spread and all answered
local hs = {}
for i = 1, 40 do hs[i] = d:Dispatch("DOTASK", i) end
local sum = 0
for i = 1, 40 do sum = sum + hs[i]:join() end
print(sum)

-- per-worker state: a 1-worker dispatcher sees its own globals across messages
local one = workers.Dispatcher.new(1, function()
  workers.bind("SET", function(v) STATE = v end)
  workers.bind("GET", function() return STATE end)
end)
one:Dispatch("SET", "kept"):join()
print(one:Dispatch("GET"):join())
one:Close()

-- errors, unknown messages, bad indices
print(pcall(function() return d:Dispatch("FAIL"):join() end))
print(pcall(function() return d:Dispatch("NOPE"):join() end))
print(pcall(d.Tasks, d, 0))
print(pcall(d.Tasks, d, 3))
print(pcall(workers.Dispatcher.new, 0))
print(pcall(workers.Dispatcher.new, 1, 42))

-- init by module name (required on each worker)
local m = workers.Dispatcher.new(2, "modules.vm_handlers")
print(m:Dispatch("DOTASK", 1000):join())
local ok, e = pcall(workers.Dispatcher.new, 1, "modules.no_such_module")
print(ok, e:match("^[^\n]*"))

-- an init error is reported
print(pcall(workers.Dispatcher.new, 1, function() error("init broke", 0) end))

-- a closed dispatcher refuses messages
m:Close()
d:Close()
print(pcall(d.Dispatch, d, "DOTASK", 1))
