-- math.random and math.randomseed: only ranges and argument rules are
-- checked (the generator itself is implementation-defined).

math.randomseed(42)
local okf, oki, okr = true, true, true
for _ = 1, 1000 do
  local f = math.random()
  if not (math.type(f) == "float" and f >= 0 and f < 1) then okf = false end
  local i = math.random(6)
  if not (math.type(i) == "integer" and i >= 1 and i <= 6) then oki = false end
  local r = math.random(-3, 3)
  if not (math.type(r) == "integer" and r >= -3 and r <= 3) then okr = false end
end
print(okf, oki, okr)

-- All values of a small range eventually appear.
local seen = {}
for _ = 1, 2000 do seen[math.random(1, 4)] = true end
print(seen[1], seen[2], seen[3], seen[4], seen[0], seen[5])

-- Degenerate and extreme ranges.
print(math.random(1, 1), math.random(5, 5), math.random(math.maxinteger, math.maxinteger))
-- 5.3 refuses intervals wider than maxinteger.
print(pcall(math.random, math.mininteger, math.maxinteger))
print(pcall(math.random, -1, math.maxinteger))
local p = math.random(0, math.maxinteger)
print(p >= 0)

-- The same seed gives the same sequence.
math.randomseed(123)
local a = { math.random(1000), math.random(1000), math.random() }
math.randomseed(123)
local b = { math.random(1000), math.random(1000), math.random() }
print(a[1] == b[1], a[2] == b[2], a[3] == b[3])

-- Argument errors.
print(pcall(math.random, 0))
print(pcall(math.random, 2, 1))
print(pcall(math.random, 1, 2, 3))
print(pcall(math.random, 1.5))
print(math.random(3.0) <= 3)
