-- Nested parallelism: tasks that wait for tasks suspend, and their worker runs other
-- tasks meanwhile. Runs with 1 worker too (no deadlock).

-- map inside map
local res = workers.map(function(n)
  local sq = workers.map(function(x) return x * x end, {n, n + 1, n + 2})
  return sq[1] + sq[2] + sq[3]
end, {1, 2, 3, 4, 5, 6})
print(table.concat(res, " "))

-- recursive fork-join: parallel fib with a cutoff
local function pfib(n)
  if n < 12 then
    local function fib(k) if k < 2 then return k end return fib(k - 1) + fib(k - 2) end
    return fib(n)
  end
  local a = workers.spawn(pfib, n - 1)
  local b = workers.spawn(pfib, n - 2)
  return a:join() + b:join()
end
print(pfib(18))

-- three levels of RunSync
local function level(d)
  if d == 0 then return 1 end
  local r = workers.RunSync{tasks = {{func = level, args = {d - 1}}, {func = level, args = {d - 1}}}}
  return r.result[1].data + r.result[2].data
end
print(workers.spawn(level, 3):join())

-- join where the task cannot yield: inside a coroutine of the task, inside a sort
-- comparator (a Rust function calling Lua), inside a metamethod called from Rust
print(workers.spawn(function()
  local co = coroutine.wrap(function()
    return workers.spawn(function() return "in coroutine" end):join()
  end)
  return co()
end):join())
print(workers.spawn(function()
  local t = {3, 1, 2}
  table.sort(t, function(a, b)
    return workers.spawn(function(x, y) return x < y end, a, b):join()
  end)
  return table.concat(t, ",")
end):join())
print(workers.spawn(function()
  local obj = setmetatable({}, {__tostring = function()
    return workers.spawn(function() return "via __tostring" end):join()
  end})
  return tostring(obj)
end):join())

-- join across pcall and metamethods (yieldable paths)
print(workers.spawn(function()
  local ok, v = pcall(function() return workers.spawn(function() return "in pcall" end):join() end)
  local t = setmetatable({}, {__index = function(_, k)
    return workers.spawn(function(k) return "index " .. k end, k):join()
  end})
  return ok, v, t.foo
end):join())

-- a task waits for a task spawned by another task
local h1 = workers.spawn(function() return workers.spawn(function() return 5 end) end)
local inner = h1:join()
print(workers.spawn(function(h) return h:join() * 2 end, inner):join())

-- errors propagate through levels
print(pcall(function()
  return workers.spawn(function()
    return workers.spawn(function() error("inner failure", 0) end):join()
  end):join()
end))

-- many waiting tasks at once
local hs = {}
for i = 1, 50 do
  hs[i] = workers.spawn(function(i)
    local parts = workers.map(function(x) return x end, {i, i, i})
    return parts[1] + parts[2] + parts[3]
  end, i)
end
local total = 0
for i = 1, 50 do total = total + hs[i]:join() end
print(total)

-- cancelling a task that is waiting
-- (the task it waits for ends by its own timeout)
local waiter = workers.spawn(function()
  return workers.submit{func = function() while true do end end, timeout = 0.3}:join()
end)
while waiter:status() == "queued" do end
print(waiter:cancel(), pcall(waiter.join, waiter))
print(workers.spawn(function() return "free again" end):join())
