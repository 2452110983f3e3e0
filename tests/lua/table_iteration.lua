-- Table traversal: next, pairs and ipairs. Hash order is unspecified, so
-- keys are collected and sorted before printing.

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b)
    if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
    return type(a) < type(b)
  end)
  return ks
end

local t = { 10, 20, 30, x = "ex", y = "why", [100] = "hundred", [2.5] = "float" }
local ks = sorted_keys(t)
for _, k in ipairs(ks) do print(k, t[k]) end

-- next: nil for an empty table, walks every key once, ends with nil.
print(next({}))
local count, seen = 0, {}
local k, v = next(t)
while k ~= nil do
  count = count + 1
  seen[k] = v
  k, v = next(t, k)
end
print(count, seen.x, seen[100])

-- next with an explicit nil starts over; the second result is the value.
local single = { only = 1 }
print(next(single), next(single, nil), next(single, "only"))

-- ipairs stops at the first nil and visits in order.
local seq = { "a", "b", nil, "d" }
for i, x in ipairs(seq) do print("ipairs", i, x) end

-- pairs returns next, the table and nil.
local f, s, init = pairs(t)
print(f == next, s == t, init)
local g, s2, i0 = ipairs(t)
print(type(g), s2 == t, i0)

-- Assigning to existing fields (including clearing them) during traversal is allowed.
local m = { a = 1, b = 2, c = 3, d = 4 }
for key in pairs(m) do m[key] = nil end
print(next(m))
local m2 = { a = 1, b = 2, c = 3 }
for key, val in pairs(m2) do m2[key] = val * 10 end
print(m2.a, m2.b, m2.c)

-- next with a key that is not in the table is an error.
print(pcall(next, {}, "nokey"))
print(pcall(next, { 1 }, 2))

-- pairs/ipairs of a non-table.
-- pairs(nil) itself succeeds in 5.3 (it only checks that an argument exists);
-- the error comes from the first call of the iterator.
print(select("#", pairs(nil)), pcall(pairs))
print(pcall(function() for _ in pairs(nil) do end end))
print(pcall(ipairs))
print(pcall(next, 1))

-- Sum a large mixed table: every key is visited exactly once.
local big = {}
for i = 1, 1000 do big[i] = i; big["k" .. i] = i end
local sum, n = 0, 0
for _, val in pairs(big) do sum = sum + val; n = n + 1 end
print(n, sum)

-- ipairs over a proxy uses __index (Lua 5.3 ipairs respects metamethods).
local proxy = setmetatable({}, { __index = function(_, i) if i <= 3 then return i * i end end })
for i, x in ipairs(proxy) do print("proxy", i, x) end
