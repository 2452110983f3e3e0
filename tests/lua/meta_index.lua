-- __index: tables and functions, chains of several levels, rawget bypass,
-- and __index on non-table values (strings).

-- __index as a table: lookups fall through to it only for absent keys.
local base = { greet = "hello", shared = "base" }
local obj = setmetatable({ shared = "own" }, { __index = base })
print(obj.greet, obj.shared, obj.missing, rawget(obj, "greet"))

-- Chains: each level's __index is consulted in turn.
local a = { a = "A" }
local b = setmetatable({ b = "B" }, { __index = a })
local c = setmetatable({ c = "C" }, { __index = b })
local d = setmetatable({}, { __index = c })
print(d.a, d.b, d.c, d.zzz)

-- __index as a function receives the original table and the key.
local log = {}
local fobj = setmetatable({}, {
  __index = function(t, k)
    log[#log + 1] = tostring(k)
    return k == "self" and t or (type(k) == "number" and k * 2 or nil)
  end,
})
print(fobj[21], fobj.nothing, fobj.self == fobj, table.concat(log, ","))

-- A function in the middle of a chain.
local mid = setmetatable({}, { __index = function(_, k) return "mid:" .. k end })
local top = setmetatable({}, { __index = mid })
print(top.key)

-- Present keys, even false, stop the chain; nil values do not.
local withfalse = setmetatable({ flag = false }, { __index = { flag = true, other = true } })
print(withfalse.flag, withfalse.other)

-- Classes with methods via __index.
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({ x = x, y = y }, Point) end
function Point:len2() return self.x * self.x + self.y * self.y end
function Point.__tostring(p) return "(" .. p.x .. "," .. p.y .. ")" end
local p = Point.new(3, 4)
print(p:len2(), tostring(p), getmetatable(p) == Point)

-- Inheritance.
local Point3 = setmetatable({}, { __index = Point })
Point3.__index = Point3
Point3.__tostring = Point.__tostring
function Point3.new(x, y, z) local o = Point.new(x, y); o.z = z; return setmetatable(o, Point3) end
function Point3:len2() return Point.len2(self) + self.z * self.z end
local q = Point3.new(1, 2, 2)
print(q:len2(), tostring(q))

-- The string metatable: s:method() and s.field.
print(("abc"):upper(), ("x").len == string.len, ("abc").nonexistent)

-- Changing the metatable or the __index field takes effect immediately.
local mt = { __index = { v = 1 } }
local o = setmetatable({}, mt)
print(o.v)
mt.__index = { v = 2 }
print(o.v)
setmetatable(o, nil)
print(o.v)

-- Indexing a non-table without __index is an error.
local function try(fn)
  local ok, err = pcall(fn)
  print(ok, err)
end
try(function() local n = 5 return n.x end)
try(function() return nothing.x end)
try(function() local t = {} return t.a.b end)
try(function() return (true).x end)
try(function() local t = setmetatable({}, { __index = 5 }) return t.x end)

-- Deep __index chains are fine (no loop detection needed for 50 levels).
local chain = { deep = "bottom" }
for _ = 1, 50 do chain = setmetatable({}, { __index = chain }) end
print(chain.deep)

-- A loop of __index tables is detected.
local loop = setmetatable({}, {})
getmetatable(loop).__index = loop
try(function() return loop.x end)
