-- Seed 000 (VMsDispatcher): N actor VMs with bound message handlers; each message goes
-- to the least busy one, and d:Tasks(i) is the seed's "Tasks" attribute.
--   luavm examples/workers_dispatch.lua
local numWorker = 4
local dispatcher = workers.Dispatcher.new(numWorker, function()
  -- runs once on each worker VM: bind the handlers, keep per-worker state in globals
  local AMOUNT_OF_WORK = 200000
  handled = 0
  workers.bind("DOTASK", function(id)
    local x = 0
    for i = 1, AMOUNT_OF_WORK do x = x + i * i % 7 end
    handled = handled + 1
    return id, workers.current(), handled
  end)
end)

local message = "DOTASK"
local handles = {}
for id = 1, 12 do
  handles[id] = dispatcher:Dispatch(message, id)
  local load = {}
  for w = 1, numWorker do load[w] = dispatcher:Tasks(w) end
  print(("dispatched %2d  tasks per worker: %s"):format(id, table.concat(load, " ")))
end

for id = 1, #handles do
  local got, worker, count = handles[id]:join()
  print(("message %2d handled by worker %d (its #%d)"):format(got, worker, count))
end
dispatcher:Close()
