local t = {}
local function f(x)
  local y = x + 1
  return y
end
debug.sethook(function(ev, line)
  local info = debug.getinfo(2, "nS")
  t[#t+1] = ev .. ":" .. tostring(line) .. ":" .. tostring(info.name) .. ":" .. info.what
end, "crl")
local a = f(1)
for i = 1, 2 do
  a = a + i
end
local s = string.rep("x", 2)
debug.sethook()
for _, v in ipairs(t) do print(v) end
local n = 0
debug.sethook(function(ev) n = n + 1 end, "", 10)
for i = 1, 1000 do end
debug.sethook()
print(n)
print(debug.gethook())
co = coroutine.create(function() local x = 1; coroutine.yield(); x = 2 end)
local lines = {}
debug.sethook(co, function(ev, l) lines[#lines+1] = l end, "l")
coroutine.resume(co); coroutine.resume(co)
print(table.concat(lines, ","))

-- tail calls and the hook function's own name
local evs = {}
local function g(x) return x end
local function h(x) return g(x) end
debug.sethook(function(ev)
  local me = debug.getinfo(1, "n")
  local who = debug.getinfo(2, "n")
  evs[#evs+1] = ev .. "/" .. tostring(me.namewhat) .. "/" .. tostring(who.name)
end, "cr")
h(1)
debug.sethook()
for _, v in ipairs(evs) do print(v) end

-- errors in hooks propagate
print(pcall(function()
  debug.sethook(function() debug.sethook(); error("boom") end, "l")
  local x = 1
end))
print(select('#', debug.gethook()))

-- line events of a multi-line loop
local ls = {}
debug.sethook(function(ev, l) ls[#ls+1] = l end, "l")
local acc = 0
for i = 1, 3 do
  acc = acc + i
end
debug.sethook()
print(table.concat(ls, " "))

-- hooks do not fire inside hooks; sethook inside a hook
local inner = 0
debug.sethook(function()
  inner = inner + 1
  local y = 0
  for i = 1, 5 do y = y + i end
end, "l")
local z = 1
z = z + 1
debug.sethook()
print(inner)
