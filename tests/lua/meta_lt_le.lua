-- __lt and __le, operand swapping for > and >=, mixed operand types, and
-- the Lua 5.3 fallback of 'a <= b' to 'not (b < a)' when __le is missing.

local log = {}
local V = {}
V.__lt = function(a, b)
  local x = type(a) == "table" and a.v or a
  local y = type(b) == "table" and b.v or b
  log[#log + 1] = "lt(" .. x .. "," .. y .. ")"
  return x < y
end
V.__le = function(a, b)
  local x = type(a) == "table" and a.v or a
  local y = type(b) == "table" and b.v or b
  log[#log + 1] = "le(" .. x .. "," .. y .. ")"
  return x <= y
end
local function v(x) return setmetatable({ v = x }, V) end
local one, two = v(1), v(2)

print(one < two, one > two, one <= two, one >= two, two <= two)
print(table.concat(log, " "))

-- Mixed operands: a table against a number still uses the handler.
log = {}
print(one < 5, 5 < one, one <= 1, 0 >= one)
print(table.concat(log, " "))

-- Without __le, 'a <= b' is computed as 'not (b < a)' (5.3 only).
log = {}
local OnlyLt = { __lt = V.__lt }
local p, q = setmetatable({ v = 1 }, OnlyLt), setmetatable({ v = 2 }, OnlyLt)
print(p <= q, q <= p, p >= q, p <= p)
print(table.concat(log, " "))

-- Results are converted to booleans.
local R = { __lt = function() return 1 end, __le = function() return nil end }
local r1, r2 = setmetatable({}, R), setmetatable({}, R)
print(r1 < r2, r1 <= r2, r1 > r2, r1 >= r2)

-- Sorting objects through __lt.
local list = { v(5), v(3), v(9), v(1) }
table.sort(list)
local out = {}
for i, o in ipairs(list) do out[i] = o.v end
print(table.concat(out, " "))

-- Errors: no handler at all, or a handler only for __le when '<' is used.
local function try(fn)
  local ok, err = pcall(fn)
  print(ok, err)
end
try(function() return {} < {} end)
try(function() return setmetatable({}, { __le = V.__le }) < setmetatable({}, {}) end)
try(function() return {} <= 1 end)
try(function() return "a" < setmetatable({}, {}) end)
