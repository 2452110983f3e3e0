-- The hash part under collisions, removals and reinsertions: string, integer, float,
-- boolean and table keys; traversal while clearing; weak keys whose entries die.

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

-- 1. many string keys: insert, look up (hits and misses), remove half, reinsert
local t = {}
for i = 1, 2000 do t["k" .. i] = i end
local hits, misses = 0, 0
for i = 1, 4000 do
  if t["k" .. i] then hits = hits + 1 else misses = misses + 1 end
end
print("strings", count(t), hits, misses)
for i = 1, 2000, 2 do t["k" .. i] = nil end
print("after removal", count(t), t.k1, t.k2, t.k1999, t.k2000)
for i = 1, 2000, 4 do t["k" .. i] = -i end
local s = 0
for k, v in pairs(t) do s = s + v end
print("reinserted", count(t), s)

-- 2. integer keys outside the array part, with many collisions
local h = {}
for i = 1, 500 do h[i * 1024] = i; h[-i] = -i; h[i + 0.5] = i end
local sum = 0
for k, v in pairs(h) do sum = sum + v end
print("ints", count(h), sum, h[1024], h[-500], h[250.5], h[3])
for i = 1, 500, 3 do h[i * 1024] = nil; h[i + 0.5] = nil end
sum = 0
for k, v in pairs(h) do sum = sum + v end
print("ints after removal", count(h), sum)

-- 3. clearing every field during a traversal (allowed by the manual)
local c = {}
for i = 1, 300 do c["x" .. i] = i; c[i * 7.25] = i end
local visited = 0
for k in pairs(c) do c[k] = nil; visited = visited + 1 end
print("cleared", visited, next(c))
-- the table is reusable afterwards
for i = 1, 300 do c["y" .. i] = i end
print("refilled", count(c), c.y300)

-- 4. mixed key types in one table
local m = {}
local keys = { true, false, 1.5, -7, "s", m, print, 2^60, -0.25 }
for i, k in ipairs(keys) do m[k] = i end
local ok = true
for i, k in ipairs(keys) do ok = ok and m[k] == i end
print("mixed", count(m), ok, m[2^60], m[-0.25])
m[true] = nil; m[m] = nil
print("mixed after removal", count(m), m[true], m[false])

-- 5. tables as keys, many of them, then dropped (weak keys)
local weak = setmetatable({}, { __mode = "k" })
local strong = {}
for i = 1, 1000 do
  local k = {}
  weak[k] = i
  if i % 10 == 0 then strong[#strong + 1] = k end
end
collectgarbage()
collectgarbage()
print("weak keys left", count(weak))
for i = 1, 1000 do weak[{}] = i end
for _, k in ipairs(strong) do weak[k] = weak[k] * 2 end
collectgarbage()
local ws = 0
for k, v in pairs(weak) do ws = ws + v end
print("weak after reuse", count(weak), ws)

-- 6. rawget/rawset and next on a table grown one key at a time
local g = {}
for i = 1, 100 do rawset(g, "f" .. i, i) end
local k, v = next(g)
local steps = 0
while k do steps = steps + 1; k, v = next(g, k) end
print("next", steps, rawget(g, "f100"), rawget(g, "f101"))
