-- table.concat (separators, ranges, numbers, errors) and table.unpack /
-- table.pack (ranges, nils, limits).

local t = { "a", "b", "c", "d" }
print(table.concat(t), table.concat(t, ", "), table.concat(t, "", 2, 3), table.concat(t, "-", 3))
print(table.concat({}), table.concat({}, "x"), table.concat(t, "x", 3, 2), table.concat(t, "x", 4, 4))
-- Numbers are converted like tostring (floats keep ".0").
print(table.concat({ 1, 2.5, 3.0, -0.0, 2^63, math.mininteger }, " "))
print(table.concat({ "a", "b" }, 3), table.concat({ 1, 2, 3 }, 0.5))

-- Errors name the first bad index.
print(pcall(table.concat, { "a", {}, "c" }))
print(pcall(table.concat, { {} }))
print(pcall(table.concat, { 1, 2 }, ",", 1, 3))
print(pcall(table.concat, { true }))
print(pcall(table.concat, nil))
print(pcall(table.concat, { "a" }, {}))

-- unpack: all elements by default, or a range; nils inside ranges.
print(table.unpack({ 1, 2, 3 }))
print(table.unpack({ 1, 2, 3 }, 2))
print(table.unpack({ 1, 2, 3 }, 2, 5))
print(table.unpack({ 1, 2, 3 }, -1, 1))
print(select("#", table.unpack({}, 1, 0)), select("#", table.unpack({ 1, 2 }, 3)))
print(table.unpack({ "x" }, 1, 1), table.unpack({ n = 1 }))
print(pcall(table.unpack, {}, 1, 1e8))
print(pcall(table.unpack, {}, math.mininteger, math.maxinteger))
print(pcall(table.unpack))

-- unpack uses __index (lua_geti) and # respects __len.
local proxy = setmetatable({}, { __index = function(_, i) return i * 10 end, __len = function() return 3 end })
print(table.unpack(proxy))

-- pack records the count in 'n' and keeps nils.
local p = table.pack(1, nil, 3, nil)
print(p.n, p[1], p[2], p[3], p[4])
print(table.pack().n, next(table.pack(), nil))
-- pack and unpack round-trip with n.
local q = table.pack("a", nil, nil)
print(select("#", table.unpack(q, 1, q.n)))

-- unpack of a table with integer-like float keys.
local fl = {}
fl[1.0], fl[2.0] = "one", "two"
print(table.unpack(fl))
