-- The length operator on tables: for a sequence it is the number of
-- elements; for a table with holes it is any border (checked, not printed).

local function is_border(t, n)
  return (n == 0 or t[n] ~= nil) and t[n + 1] == nil
end

-- Sequences.
print(#{}, #{ 1 }, #{ 1, 2, 3 }, #{ n = 1 }, #{ nil }, #{ 1, 2, nil })
local t = {}
for i = 1, 100 do t[i] = i end
print(#t)
t[#t + 1] = "append"
print(#t, t[101])
t[#t] = nil
print(#t)
for i = 100, 51, -1 do t[i] = nil end
print(#t)

-- Building from the end backwards still gives a sequence.
local r = {}
for i = 10, 1, -1 do r[i] = i end
print(#r)

-- Sequences stored only in the hash part (keys added out of order).
local h = {}
h[3] = "c"; h[1] = "a"; h[2] = "b"
print(#h)
local g = { [1] = 1, [2] = 2, [3] = 3, [4] = 4 }
print(#g)

-- Non-sequences: the result must be a border.
local holes = { 1, 2, nil, 4 }
print(is_border(holes, #holes))
local sparse = { [1] = 1, [2] = 2, [100] = 100 }
print(is_border(sparse, #sparse))
local mid = {}
for i = 1, 20 do mid[i] = i end
mid[10] = nil
print(is_border(mid, #mid))
local only_big = { [5] = 5 }
print(is_border(only_big, #only_big))

-- Float keys with integer values count as integer keys.
local f = {}
f[1.0] = "a"; f[2.0] = "b"
print(#f)

-- Strings use the byte length, not a metamethod.
print(#"abc", #("x"):rep(1000))

-- Length of non-tables, non-strings is an error.
local function try(f2)
  local ok, err = pcall(f2)
  print(ok, err)
end
try(function() return #5 end)
try(function() local n = nil return #n end)
try(function() return #print end)
local up = true
try(function() return #up end)
try(function() local x = { y = {} } return #x.y.z end)
