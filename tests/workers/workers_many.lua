-- 100,000 tiny tasks: none lost, none duplicated, results in order.
local n = 100000
local list = {}
for i = 1, n do list[i] = i end
local out = workers.map(function(x) return x * 2 end, list)
local ok = #out == n
for i = 1, n do if out[i] ~= 2 * i then ok = false end end
print(#out, ok)

-- handles one by one
local hs = {}
for i = 1, 10000 do hs[i] = workers.spawn(function(i) return i end, i) end
local sum = 0
for i = 1, #hs do sum = sum + hs[i]:join() end
print(sum)

-- from inside a task (fork-join on the worker's own deque, stolen by the others)
print(workers.spawn(function()
  local r = workers.map(function(x) return x end, list)
  local s = 0
  for i = 1, #r do s = s + r[i] end
  return s
end):join())

local m = workers.metrics()
print(m.queued, m.running, m.completed >= 2 * n + 10000 + 1)
