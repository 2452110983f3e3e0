-- Coroutines: create/resume/yield passing values both ways, status in
-- every state, running, isyieldable, and returning from the body.

local co = coroutine.create(function(a, b)
  print("started with", a, b)
  local c, d = coroutine.yield(a + b)
  print("resumed with", c, d)
  local e = coroutine.yield(c * d)
  print("resumed again with", e)
  return "done", e
end)

print(type(co), coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 3, 4))
print(coroutine.resume(co, "last"))
print(coroutine.status(co))
print(coroutine.resume(co))

-- yield with no values / many values; resume with none.
local co2 = coroutine.create(function(...)
  print("args", select("#", ...))
  print("got", select("#", coroutine.yield()))
  print("got", select("#", coroutine.yield(1, nil, 3, nil)))
end)
print(coroutine.resume(co2))
print(coroutine.resume(co2))
print(coroutine.resume(co2, nil, nil))

-- Status "running" and "normal".
local outer
local inner = coroutine.create(function()
  print("inner sees outer as", coroutine.status(outer))
  print("inner sees itself as", coroutine.status(coroutine.running()))
end)
outer = coroutine.create(function()
  coroutine.resume(inner)
  return coroutine.status(inner)
end)
print(coroutine.resume(outer))

-- running: the main thread is flagged with true.
local main, ismain = coroutine.running()
print(type(main), ismain)
local cr = coroutine.create(function() local c, m = coroutine.running() return type(c), m end)
print(coroutine.resume(cr))

-- isyieldable.
print(coroutine.isyieldable())
print(coroutine.resume(coroutine.create(function() return coroutine.isyieldable() end)))

-- A generator-style producer/consumer exchange.
local producer = coroutine.create(function()
  for i = 1, 3 do coroutine.yield("item" .. i) end
  return "no more"
end)
while true do
  local ok, v = coroutine.resume(producer)
  print(ok, v, coroutine.status(producer))
  if coroutine.status(producer) == "dead" then break end
end

-- Yielding from nested Lua calls inside the coroutine.
local function deep(n) if n == 0 then return coroutine.yield("bottom") end return deep(n - 1) end
local cd = coroutine.create(function() return "returned " .. deep(100) end)
print(coroutine.resume(cd))
print(coroutine.resume(cd, "value"))

-- Many coroutines alive at once.
local cos = {}
for i = 1, 100 do cos[i] = coroutine.create(function(x) local y = coroutine.yield(x * 2) return x + y end) end
local s1, s2 = 0, 0
for i = 1, 100 do local _, v = coroutine.resume(cos[i], i) s1 = s1 + v end
for i = 1, 100 do local _, v = coroutine.resume(cos[i], 1) s2 = s2 + v end
print(s1, s2)
