-- Indexing a table held in an upvalue with keys that are not string constants
-- (GETTABUP with a register key) and comparisons with nil (EQ against a nil constant).

local cache = {}
for i = 1, 10 do cache[i] = i * i end
cache[0] = "zero"
cache[2.5] = "float"
cache[true] = "bool"
cache["s" .. 1] = "built string"

local function get(k) return cache[k] end
print(get(1), get(10), get(11), get(0), get(-1))
print(get(2.0), get(2.5), get(3.5), get(true), get(false))
print(get("s1"), get("s2"), get(nil))
print(get(0/0))

-- the __index chain of the upvalue table: tables, then a function
local base = { [1] = "base1", [100] = "base100" }
local mid = setmetatable({ [50] = "mid50" }, { __index = base })
local obj = setmetatable({}, { __index = mid })
local function oget(k) return obj[k] end
print(oget(1), oget(50), oget(100), oget(101), oget(1.0))
local calls = 0
local fobj = setmetatable({ 7 }, { __index = function(t, k) calls = calls + 1; return k * 2 end })
local function fget(k) return fobj[k] end
print(fget(1), fget(2), fget(3.5), calls)

-- a non-table upvalue: strings index their metatable, others raise
local s = "hello"
local function sget(k) return s[k] end
print(sget(1), sget("len") == string.len)
local n = 42
local function nget(k) return n[k] end
print(pcall(nget, 1))

-- comparisons with nil, both ways, all types
local values = { nil, false, true, 0, 0.0, "", {}, print, coroutine.create(print) }
for i = 1, 9 do
  local v = values[i]
  io.write(tostring(v == nil), " ", tostring(v ~= nil), " ", tostring(nil == v), "; ")
end
print()
local memo = setmetatable({}, { __mode = "k" })
local function memoize(x)
  local v = memo[x]
  if v == nil then v = { x }; memo[x] = v end
  return v
end
local k1 = {}
print(memoize(k1) == memoize(k1), memoize(k1)[1] == k1)
