-- Table constructors: positional, named and bracketed fields, separators,
-- trailing multi-value expansion, and nesting.

local t = { 10, 20, 30 }
print(#t, t[1], t[2], t[3], t[4])

local n = { x = 1, y = 2, ["z w"] = 3, [1 + 1] = "two" }
print(n.x, n.y, n["z w"], n[2], #n == 0 or #n == 2)

-- Separators ',' and ';' mix freely, and a trailing separator is allowed.
local s = { 1; 2, 3; }
print(#s, s[3])
local e = {}
print(#e, next(e))

-- Positional fields are numbered from 1, ignoring named fields in between.
local m = { "a", k = "v", "b", [10] = "ten", "c" }
print(m[1], m[2], m[3], m.k, m[10])

-- A call or '...' as the LAST field expands to all its values;
-- anywhere else it is truncated to one value.
local function three() return 1, 2, 3 end
local last = { three() }
local mid = { three(), "end" }
local paren = { (three()) }
print(#last, #mid, mid[1], mid[2], #paren)
local function va(...) return { ... }, { ..., "x" } end
local a, b = va(7, 8, 9)
print(#a, a[3], #b, b[1], b[2])
local none = { three(), three() }
print(#none, none[4])

-- Nested constructors and values of every type.
local nest = { { 1, 2 }, { k = { deep = "yes" } }, f = function() return "fn" end, [true] = "T" }
print(nest[1][2], nest[2].k.deep, nest.f(), nest[true])

-- Expressions in keys and values are evaluated.
local i = 0
local function nexti() i = i + 1 return i end
local ev = { [nexti()] = nexti(), [nexti()] = nexti() }
print(i, ev[1] ~= nil or ev[2] ~= nil, ev[3] ~= nil or ev[4] ~= nil)

-- Large constructors (more than one batch of array stores).
local big = {}
local src = "return {" .. string.rep("1,", 1000) .. "}"
big = load(src)()
print(#big, big[1000], big[1001])
local bigmix = load("return {" .. string.rep("'v', ", 60) .. "x = 1," .. string.rep("'w', ", 60) .. "}")()
print(#bigmix, bigmix[60], bigmix[61], bigmix[120], bigmix.x)

-- A nil among positional fields is stored as a missing key.
local holes = { 1, nil, 3 }
print(holes[1], holes[2], holes[3])
