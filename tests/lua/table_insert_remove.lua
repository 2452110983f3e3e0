-- table.insert and table.remove: appending, inserting/removing at
-- positions, the valid position ranges, and errors.

local function show(t) return "{" .. table.concat(t, ",") .. "}#" .. #t end

local t = {}
table.insert(t, "a")
table.insert(t, "b")
table.insert(t, 1, "first")
table.insert(t, 3, "mid")
table.insert(t, #t + 1, "last")
print(show(t))

-- remove: last element by default, returns it; shifts down from a position.
print(table.remove(t), show(t))
print(table.remove(t, 1), show(t))
print(table.remove(t, 2), show(t))

-- Edge cases of remove: empty tables and position #t+1.
local e = {}
print(table.remove(e), #e, select("#", table.remove(e)))
print(table.remove(e, 0), table.remove(e, 1))
local one = { "x" }
print(table.remove(one, 2), table.remove(one, 1), #one)
local holes = { 1, 2, 3 }
print(table.remove(holes, #holes + 1), show(holes))

-- Position errors. (5.3 blames argument #1 for a bad remove position.)
local function try(...)
  local ok, err = pcall(...)
  print(ok, err)
end
try(table.insert, { 1, 2 }, 0, "x")
try(table.insert, { 1, 2 }, 4, "x")
try(table.insert, { 1, 2 }, -1, "x")
try(table.remove, { 1, 2 }, 4)
try(table.remove, { 1, 2 }, -1)
try(table.insert, { 1 }, 1, 2, 3)
try(table.insert, { 1 })
try(table.insert, nil, 1)
try(table.remove, "str")
try(table.insert, { 1 }, 1.5, "x")

-- Non-integer-valued float positions are errors, integral floats are fine.
local f = { "a", "b" }
table.insert(f, 2.0, "mid")
print(show(f))

-- insert/remove respect __index/__newindex (5.3 uses lua_geti/lua_seti).
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "get" .. k return nil end,
  __newindex = function(tt, k, v) log[#log + 1] = "set" .. k rawset(tt, k, v) end,
  __len = function() return 2 end,
})
table.insert(proxy, "v")
print(rawget(proxy, 3), table.concat(log, " "))

-- A queue built on insert/remove.
local q = {}
for i = 1, 5 do table.insert(q, i) end
local out = {}
while #q > 0 do out[#out + 1] = table.remove(q, 1) end
print(table.concat(out, " "), #q)

-- Inserting nil is allowed as a value argument.
local n = { 1, 2, 3 }
table.insert(n, 1, nil)
print(n[1], n[2], n[4])
