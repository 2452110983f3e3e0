-- Bitwise metamethods: __band __bor __bxor __shl __shr __bnot, and when
-- they are tried instead of the integer conversion.

local B = {}
local function box(v) return setmetatable({ v = v }, B) end
local function val(x) return type(x) == "table" and x.v or x end
local names = {}
for _, ev in ipairs({ "band", "bor", "bxor", "shl", "shr" }) do
  B["__" .. ev] = function(a, b)
    names[#names + 1] = ev
    local x, y = val(a), val(b)
    if ev == "band" then return box(x & y) elseif ev == "bor" then return box(x | y)
    elseif ev == "bxor" then return box(x ~ y) elseif ev == "shl" then return box(x << y)
    else return box(x >> y) end
  end
end
B.__bnot = function(a, b) names[#names + 1] = "bnot" return box(~a.v), b end

local x, y = box(12), box(10)
print((x & y).v, (x | y).v, (x ~ y).v, (x << 2).v, (x >> 2).v, (~x).v)
print((3 & x).v, (1 << box(4)).v, (256 >> box(4)).v)
print(table.concat(names, ","))

-- Floats without an integer value and non-numeric strings fall back to the
-- metamethod of the other operand.
print(select(2, pcall(function() return 1.5 & box(1) end)))
local S = setmetatable({}, { __bor = function(a, b) return type(a) .. "|" .. type(b) end })
print(S | "x", "x" | S, S | 1.5, 2^70 | S)

-- Without a handler the error distinguishes the two cases.
local function try(fn)
  local ok, err = pcall(fn)
  print(ok, err)
end
try(function() local t = {} return t & 1 end)
try(function() local f = 1.5 return f | 1 end)
try(function() local t = setmetatable({}, { __band = function() return 0 end }) return ~t end)
try(function() return 1 << {} end)
