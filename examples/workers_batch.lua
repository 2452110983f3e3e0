-- Seed 002 (gma2-workers): split a heavy loop into 10 tasks and run them on the pool.
--   luavm --workers 4 examples/workers_batch.lua
local function heavyTask(index, itemsToProcess)
  local result = 0
  for i = 1, itemsToProcess do
    result = math.sin(i) * math.cos(i) -- burn CPU
  end
  return "Worker " .. index .. " finished " .. itemsToProcess .. " items."
end

local myTasks = {}
for i = 1, 10 do
  table.insert(myTasks, {func = heavyTask, args = {i, 500000}})
end

-- fire and forget: the callback runs here, at the next safe point
workers.RunAsync({
  tasks = myTasks,
  mode = "timer", -- accepted and ignored
  onComplete = function(response)
    print("Job done in " .. string.format("%.3f", response.duration) .. "s")
    for _, output in ipairs(response.result) do
      print(output.data)
    end
  end,
})

-- or block and get the response at once
local response = workers.RunSync({tasks = myTasks})
print("Await mode duration: " .. string.format("%.3f", response.duration) .. "s on "
  .. response.workerCount .. " workers (" .. response.jobId .. ")")

-- unlike gma2, upvalues work, and so does the idiomatic form
local items = 200000
local lines = workers.map(function(i) return heavyTask(i, items) end, {1, 2, 3, 4})
print(lines[4])

workers.wait() -- runs the RunAsync callback (the end of the script would too)
