-- gma2-workers compatibility: RunSync / Dispatch / RunAsync and the response shape.
local function heavyTask(index, itemsToProcess)
  local result = 0
  for i = 1, itemsToProcess do
    result = math.sin(i) * math.cos(i)
  end
  return "Worker " .. index .. " finished " .. itemsToProcess .. " items."
end

local myTasks = {}
for i = 1, 10 do
  table.insert(myTasks, {func = heavyTask, args = {i, 5000}})
end

local response = workers.RunSync({tasks = myTasks, mode = "timer"})
print(type(response.duration), response.duration >= 0)
print(math.type(response.workerCount), response.workerCount >= 1, response.workerCount <= workers.count())
print(response.jobId:match("^Job_%d+$") ~= nil)
for workerId, output in pairs(response.result) do
  print(workerId, output.success, output.data, type(output.time), output.status)
end

-- Dispatch is RunSync
print(workers.Dispatch == workers.RunSync)
local r2 = workers.Dispatch({tasks = {{func = function() return 1, 2, 3 end}}, mode = "cmd"})
print(r2.result[1].data, #r2.result[1].values, r2.jobId ~= response.jobId)

-- upvalues work (unlike gma2)
local multiplier = 50
local r3 = workers.RunSync{tasks = {{func = function(val) return val * multiplier end, args = {2}}}}
print(r3.result[1].data)

-- empty batch
local r4 = workers.RunSync{tasks = {}}
print(#r4.result, r4.workerCount)

-- RunAsync: the callback runs on this VM at a safe point (a later workers call,
-- workers.wait(), or the end of the script), in submission order
local order = {}
local id1 = workers.RunAsync({
  tasks = {{func = heavyTask, args = {1, 10}}},
  onComplete = function(resp)
    order[#order + 1] = "first done " .. resp.result[1].data .. " " .. tostring(resp.jobId:match("^Job_%d+$") ~= nil)
  end,
})
print(#order)                -- no safe point since the submission: not run yet
local id2 = workers.RunAsync({
  tasks = {{func = function() return "second" end}, {func = function() error("x", 0) end}},
  onComplete = function(resp)
    order[#order + 1] = "second done " .. resp.result[1].data .. " " .. tostring(resp.result[2].success)
      .. " " .. resp.result[2].data
  end,
})
print(type(id1), id1 ~= id2)
workers.wait()
print(table.concat(order, "\n"))

-- a callback may submit more work; wait() waits for that too
workers.RunAsync{tasks = {{func = function() return 1 end}}, onComplete = function()
  workers.RunAsync{tasks = {{func = function() return 2 end}}, onComplete = function(r)
    print("chained", r.result[1].data)
  end}
end}
workers.wait()

print(pcall(workers.RunAsync, {tasks = {}}))

-- the last one runs when the script ends
workers.RunAsync{tasks = {{func = function() return "at exit" end}}, onComplete = function(r)
  print(r.result[1].data)
end}
print("end of script")
