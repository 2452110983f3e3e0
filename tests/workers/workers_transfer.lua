-- Values of every kind cross to a worker and back; what cannot cross is refused with
-- its path.
local function echo(...) return ... end
local function roundtrip(...)
  return workers.spawn(echo, ...):join()
end

-- scalars keep their types
local a, b, c, d, e, f, g = roundtrip(nil, true, false, 42, 4.5, 2^53, "bin\0ary\255")
print(a, b, c, d, math.type(d), e, math.type(e), f, math.type(f), #g, g:byte(4), g:byte(8))
print(math.type(roundtrip(3.0)), roundtrip(math.mininteger), roundtrip(-0.0))
print(roundtrip(1/0), roundtrip(-1/0), roundtrip(0/0) ~= roundtrip(0/0))
print(select("#", roundtrip(nil, nil, nil)))

-- nested tables, keys of every kind
local t = {1, 2, 3, x = {y = {z = "deep"}}, [true] = "yes", [2.5] = "float", [{}] = "tablekey"}
local r = roundtrip(t)
print(r[1], r[2], r[3], r.x.y.z, r[true], r[2.5], #r)
local tk = 0
for k, v in pairs(r) do if type(k) == "table" then tk = tk + 1 print(v) end end
print(tk)

-- cycles and shared references are preserved
local cyc = {name = "cyc"}
cyc.self = cyc
cyc.list = {cyc, cyc}
local shared = {}
local r1, r2, r3 = roundtrip(cyc, shared, shared)
print(r1.self == r1, r1.list[1] == r1, r1.list[2] == r1, r2 == r3, r1 ~= cyc)

-- a long chain does not overflow anything
local chain = {}
local node = chain
for i = 1, 100000 do node.next = {i = i} node = node.next end
local rc = roundtrip(chain)
local n = 0
node = rc
while node.next do node = node.next n = n + 1 end
print("chain", n, node.i)

-- functions travel with their upvalues (copied), recursively
local k = 10
local function addk(x) return x + k end
local function twice(x) return addk(addk(x)) end
print(workers.spawn(function(x) return twice(x) end, 1):join())
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(workers.spawn(fact, 10):join())

-- closures sharing one upvalue still share it after the copy
local function counter()
  local c = 0
  return function() c = c + 1 return c end, function() return c end
end
local inc, get = counter()
inc()
local ri, rg = roundtrip(inc, get)
ri() ri()
print(rg(), get())

-- the upvalue is a copy: the sender's stays as it was
local box = {n = 1}
workers.spawn(function() box.n = 99 end):join()
print(box.n)

-- Rust functions and library tables travel by name
local fmt, str, floor = string.format, string, math.floor
print(workers.spawn(function(x) return fmt("%05.1f", x), str.rep("ab", 2), floor(x) end, 3.75):join())
print(roundtrip(print) == print, roundtrip(string) == string, roundtrip(string.gsub) == string.gsub)

-- _ENV: the sender's globals become the worker's; another _ENV table is copied
GLOBAL_IN_MAIN = "main"
print(workers.spawn(function() return GLOBAL_IN_MAIN, type(print) end):join())
print(roundtrip(_G) == _G)
do
  local spawn, print = workers.spawn, print
  local _ENV = {tostring = tostring, value = 7}
  local function h() return tostring(value) end
  print(spawn(h):join())
end

-- metatables are not carried (only plain tables travel)
local mt = setmetatable({}, {__index = function() return "meta" end})
print(roundtrip(mt).anything)

-- task handles can be passed to another task
local h1 = workers.spawn(function() return "from h1" end)
print(workers.spawn(function(h) return h:join() end, h1):join())

-- refusals name the value and its path
local co = coroutine.create(function() end)
local wrapped = coroutine.wrap(function() end)
local conn = io.stdout
local cfg = {db = {conn = conn}}
local function uses_conn() return conn end
local function helper() return uses_conn() end
local tests = {
  function() return workers.spawn(function() return co end) end,
  function() return workers.spawn(function() return wrapped end) end,
  function() return workers.spawn(uses_conn) end,
  function() return workers.spawn(function() return helper() end) end,
  function() return workers.spawn(function() return cfg end) end,
  function() return workers.spawn(echo, 1, {2, co}) end,
  function() return workers.spawn(echo, {[co] = 1}) end,
  function() return workers.map(echo, {1, 2, {x = conn}}) end,
  function() return workers.RunSync{tasks = {{func = echo, args = {1}}, {func = uses_conn}}} end,
  function() return workers.spawn(co) end,
}
for i, test in ipairs(tests) do
  local ok, err = pcall(test)
  print(i, ok, err)
end
-- results that cannot come back are refused too
local ok, err = pcall(function()
  return workers.spawn(function() return coroutine.create(print) end):join()
end)
print(ok, err)

-- metatables travel when asked (submit, map, RunSync), both ways
local V = {__add = function(a, b) return setmetatable({x = a.x + b.x}, getmetatable(a)) end}
local v1, v2 = setmetatable({x = 1}, V), setmetatable({x = 2}, V)
local sum = workers.submit{func = function(a, b) return a + b end, args = {v1, v2}, metatables = true}:join()
print(sum.x, getmetatable(sum) ~= nil)
print(workers.map(function(v) return (v + v).x end, {v1, v2}, {metatables = true})[2])
local rs = workers.RunSync{metatables = true, tasks = {{func = function(a) return getmetatable(a) ~= nil end, args = {v1}}}}
print(rs.result[1].data)
print(pcall(function()
  return workers.submit{func = function(a, b) return a + b end, args = {v1, v2}}:join()
end))
