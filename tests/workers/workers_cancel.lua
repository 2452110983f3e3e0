-- Cancellation and timeouts: every task still ends with exactly one outcome.
local function spin() local x = 0 while true do x = x + 1 end end
local function wait_running(h) while h:status() == "queued" do end end

-- cancel a running loop
local h = workers.spawn(spin)
wait_running(h)
print(h:status(), h:cancel(), h:status())
print(pcall(h.join, h))
print(h:cancel())          -- already ended

-- a pcall inside the task does not catch the cancellation
h = workers.spawn(function()
  while true do pcall(function() while true do end end) end
end)
wait_running(h)
h:cancel()
print(pcall(h.join, h))

-- nor does a coroutine inside the task
h = workers.spawn(function()
  local co = coroutine.wrap(function() for i = 1, math.huge do end end)
  while true do pcall(co) end
end)
wait_running(h)
h:cancel()
print(pcall(h.join, h))

-- tail-call loops and for-in loops are interrupted too
h = workers.spawn(function() local function f(n) return f(n + 1) end return f(1) end)
wait_running(h)
h:cancel()
print(pcall(h.join, h))
h = workers.spawn(function() for _ in function() return 1 end do end end)
wait_running(h)
h:cancel()
print(pcall(h.join, h))

-- cancel a queued task: it never runs
local blockers = {}
for i = 1, workers.count() do blockers[i] = workers.spawn(spin) end
for i = 1, #blockers do wait_running(blockers[i]) end
local queued = workers.spawn(function() print("never printed") end)
print(queued:status(), queued:cancel(), queued:status())
for i = 1, #blockers do blockers[i]:cancel() end
print(pcall(queued.join, queued))

-- per-task timeout (submit), counted from the start
h = workers.submit{func = spin, timeout = 0.05}
print(pcall(h.join, h))
print(h:status())

-- RunSync: a task's own timeout, taskTimeout for the others, and a batch timeout
local r = workers.RunSync{
  taskTimeout = 0.05,
  tasks = {
    {func = spin},
    {func = function() return "quick" end},
    {func = spin, timeout = 0.02},
  },
}
for i, res in ipairs(r.result) do print(i, res.success, res.data, res.status) end
r = workers.RunSync{timeout = 0.05, tasks = {{func = spin}, {func = spin}}}
for i, res in ipairs(r.result) do print(i, res.success, res.data, res.status) end

-- map: batch timeout and per-task timeout
print(pcall(workers.map, function(x) if x == 2 then spin() end return x end, {1, 2, 3}, {taskTimeout = 0.05}))
print(pcall(workers.map, spin, {1, 2}, {timeout = 0.05}))

-- a task that finished before the timeout is not touched
h = workers.submit{func = function() return "done in time" end, timeout = 5}
print(h:join())

-- every kind of loop is stopped (the worker is free for the next task)
for _, code in ipairs({
  "while true do end", "repeat until false", "local x = 0 repeat x = x + 1 until x < 0",
  "for i = 1, 1/0 do end", "for i = 1, 1e300, 0.5 do end", "::top:: goto top",
  "local function f() return f() end return f()", "for _ in function() return 1 end do end",
}) do
  local h = workers.submit{func = load(code), timeout = 0.02}
  local ok, e = pcall(h.join, h)
  local free = {}
  for i = 1, workers.count() do free[i] = workers.spawn(function() return true end) end
  for i = 1, #free do free[i] = free[i]:join() end
  print(code, ok, e, #free == workers.count())
end

-- the workers are all still usable
print(table.concat(workers.map(function(x) return x + 1 end, {1, 2, 3, 4}), " "))
