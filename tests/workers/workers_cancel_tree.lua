-- Stopping a task (cancel, its timeout, a batch timeout) cancels the tasks it spawned and
-- has not joined, and theirs: the pool ends up with nothing running or queued.
local function spin() local x = 0 while true do x = x + 1 end end
local function wait_running(h) while h:status() == "queued" do end end

-- true once no task is running or queued (false after 20 s of CPU time: a leak)
local function settled()
  local t = os.clock()
  while os.clock() - t < 20 do
    local m = workers.metrics()
    if m.running == 0 and m.queued == 0 then return true end
  end
  return false
end

-- a parent waiting for a spinning child
local h = workers.spawn(function() return workers.spawn(spin):join() end)
wait_running(h)
print("join", h:cancel(), pcall(h.join, h))
print(settled())

-- a parent spinning while its child spins (or waits in the queue)
h = workers.spawn(function() local c = workers.spawn(spin) spin() end)
wait_running(h)
print("spin", h:cancel(), pcall(h.join, h))
print(settled())

-- three levels, and a map inside a task
h = workers.spawn(function()
  return workers.spawn(function()
    return workers.spawn(function() return workers.map(spin, {1, 2, 3}) end):join()
  end):join()
end)
wait_running(h)
print("tree", h:cancel(), pcall(h.join, h))
print(settled())

-- the parent's own timeout
h = workers.submit{func = function() return workers.spawn(spin):join() end, timeout = 0.05}
print("timeout", pcall(h.join, h))
print(settled())

-- a batch timeout cancels the tasks the batch's tasks spawned
print("map", pcall(workers.map, function(x)
  return workers.spawn(function() return workers.map(spin, {1, 2}) end):join()
end, {1, 2, 3}, {timeout = 0.05}))
print(settled())
local r = workers.RunSync{timeout = 0.05, tasks = {
  {func = function() return workers.map(spin, {1, 2}) end},
  {func = function() local c = workers.spawn(spin) spin() end},
}}
for i, res in ipairs(r.result) do print(i, res.success, res.data, res.status) end
print(settled())

-- a task that ended normally does not take its children with it
h = workers.spawn(function() return workers.spawn(function(x) return x * 2 end, 21) end)
local child = h:join()
print("orphan", child:join())
h = workers.spawn(function() return workers.spawn(spin) end)
child = h:join()
wait_running(child)
print("orphan", child:status(), child:cancel(), child:status())
print(settled())

-- a child that was joined is not touched by a later cancel; the pool is usable
h = workers.spawn(function()
  local v = workers.spawn(function() return "joined" end):join()
  spin()
end)
wait_running(h)
print("joined", h:cancel(), pcall(h.join, h))
print(settled())
print(table.concat(workers.map(function(x) return x + 1 end, {1, 2, 3}), " "))
