-- Arithmetic metamethods: __add __sub __mul __div __mod __pow __unm __idiv.
-- Which operand's handler is used, argument order, and results.

local V = {}
V.__index = V
local function vec(x, y) return setmetatable({ x = x, y = y }, V) end
local function str(v) return type(v) == "table" and ("(" .. v.x .. "," .. v.y .. ")") or tostring(v) end
local function lift(op)
  return function(a, b)
    if type(a) == "number" then a = vec(a, a) end
    if type(b) == "number" then b = vec(b, b) end
    return vec(op(a.x, b.x), op(a.y, b.y))
  end
end
V.__add = lift(function(p, q) return p + q end)
V.__sub = lift(function(p, q) return p - q end)
V.__mul = lift(function(p, q) return p * q end)
V.__div = lift(function(p, q) return p / q end)
V.__mod = lift(function(p, q) return p % q end)
V.__pow = lift(function(p, q) return p ^ q end)
V.__idiv = lift(function(p, q) return p // q end)
V.__unm = function(a, b) return vec(-a.x, -a.y), rawequal(a, b) end

local a, b = vec(7, 8), vec(2, 3)
print(str(a + b), str(a - b), str(a * b), str(a / b))
print(str(a % b), str(a ^ b), str(a // b), str(-a))

-- A number on either side: the table's handler gets operands in source order.
print(str(a + 1), str(1 + a), str(10 - a), str(a - 10), str(2 ^ b))

-- __unm receives the operand twice in 5.3; only the first result is used.
local unm_args
local U = setmetatable({}, { __unm = function(x, y) unm_args = rawequal(x, y) return "neg", "extra" end })
print(-U, unm_args)

-- The left operand's handler wins; otherwise the right operand's is used.
local L = setmetatable({}, { __add = function() return "left" end })
local R = setmetatable({}, { __add = function() return "right" end })
print(L + R, R + L, L + 1, 1 + R)
local plain = {}
print(plain + L, L + plain)

-- Handlers may return any value, including nil and multiple values (truncated).
local any = setmetatable({}, {
  __mul = function() return nil end,
  __div = function() return 1, 2, 3 end,
  __mod = function() return false end,
})
print(any * 1, any / 1, any % 1)

-- A numeric string next to a table is passed to the handler unconverted.
local T = setmetatable({}, { __sub = function(x, y) return type(x) .. "-" .. type(y) end })
print("10" + 5, T - "2", "2" - T)

-- An operand without a handler is an error naming the operand.
local function try(fn)
  local ok, err = pcall(fn)
  print(ok, err)
end
try(function() local t = {} return t + 1 end)
try(function() local t = setmetatable({}, {}) return 1 - t end)
try(function() return -{} end)
try(function() local s = "abc" return s * 2 end)
try(function() local m = setmetatable({}, { __add = 5 }) return m + 1 end)

-- Metamethods are looked up raw in the metatable (__index on it is ignored).
local mtbase = { __add = function() return "inherited" end }
local mt = setmetatable({}, { __index = mtbase })
local o = setmetatable({}, mt)
try(function() return o + 1 end)

-- Metamethods in expressions with precedence and on both sides.
local n = 0
local C = {}
C.__add = function(x, y)
  n = n + 1
  local xv = type(x) == "table" and x.v or x
  local yv = type(y) == "table" and y.v or y
  return setmetatable({ v = xv + yv }, C)
end
local c1 = setmetatable({ v = 1 }, C)
local r = c1 + 2 + c1 + 3
print(r.v, n)
