-- Varargs: '...', select('#') and negative select, table.pack/unpack,
-- {...} with nils, expansion at the end of lists vs truncation elsewhere.

local function count(...) return select("#", ...) end
print(count(), count(nil), count(nil, nil), count(1, nil, 3, nil))

local function args(...)
  local t = table.pack(...)
  local out = {}
  for i = 1, t.n do out[i] = tostring(t[i]) end
  return t.n .. ":" .. table.concat(out, ",")
end
print(args(), args(1), args(nil, 2), args(1, nil), args(nil, nil, nil))

-- select with positive, negative and out-of-range indices.
print(select(1, "a", "b", "c"))
print(select(2, "a", "b", "c"))
print(select(-1, "a", "b", "c"))
print(select(-3, "a", "b", "c"))
print(select(4, "a", "b", "c"))
print(select("#"), select(2, "only"))
print(pcall(select, 0, "a"))
print(pcall(select, -4, "a", "b", "c"))
print(pcall(select, "x"))

-- '...' at the end of a list expands; elsewhere it is one value.
local function mid(...) return ..., "end" end
local function last(...) return "start", ... end
print(mid(1, 2, 3))
print(last(1, 2, 3))
print((last(1, 2, 3)))
local function wrapped(...) return (...) end
print(wrapped(7, 8, 9), wrapped())

-- {...} keeps positions; trailing nils are not counted by '#' but by pack.
local function tbl(...) local t = { ... } return #t, t[1], t[2], t[3] end
print(tbl(1, 2, 3))
print(table.pack(nil, nil).n, select("#", table.unpack({ 1, 2, nil, 4 }, 1, 4)))

-- Adjustment in multiple assignment and local declarations.
local function three() return 1, 2, 3 end
local a, b, c, d = three()
print(a, b, c, d)
local e, f = three(), 10
print(e, f)
local g, h, i = 0, three()
print(g, h, i)
local j, k = (three())
print(j, k)

-- Varargs passed through several levels, including nils.
local function pass(...) return ... end
local function passall(...) return pass(pass(...)) end
print(count(passall(nil, 2, nil)), passall(nil, 2, nil))

-- Varargs in the main chunk are the script arguments (none here).
print(select("#", ...))

-- Large numbers of values.
local big = {}
for n = 1, 250 do big[n] = n end
print(count(table.unpack(big)), select(-1, table.unpack(big)))
local function sum(...) local s = 0 for _, v in ipairs({ ... }) do s = s + v end return s end
print(sum(table.unpack(big)))

-- Named parameters and varargs together.
local function named(p1, p2, ...) return p1, p2, select("#", ...) end
print(named(1), named(1, 2, 3, 4))

-- Varargs captured by a closure need a table (cannot use ... in a nested function).
local function capture(...)
  local saved = table.pack(...)
  return function() return table.unpack(saved, 1, saved.n) end
end
print(capture(1, nil, 3)())
