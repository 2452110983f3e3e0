-- Loops: numeric for (integer and float, steps, limits, evaluation once),
-- while, repeat, break, and the numeric-for errors.

local function collect(a, b, c)
  local t = {}
  if c then for i = a, b, c do t[#t + 1] = tostring(i) end
  else for i = a, b do t[#t + 1] = tostring(i) end end
  return table.concat(t, " ")
end

print(collect(1, 5))
print(collect(5, 1))
print(collect(5, 1, -1))
print(collect(1, 10, 3))
print(collect(10, 1, -4))
print(collect(1, 1))
print(collect(0, -1))

-- Integer start and step with a float limit: the loop stays integer.
print(collect(1, 3.5), collect(3, 0.5, -1), math.type((function() for i = 1, 2.9 do return i end end)()))
-- Any float among start/step makes a float loop.
print(collect(1.0, 3), collect(1, 2, 0.5), collect(0.1, 0.35, 0.1))
-- Huge limits.
print(collect(math.maxinteger - 2, math.maxinteger - 1), collect(math.mininteger, math.mininteger + 1))
-- (a 5.3 integer loop whose limit is maxinteger never ends, so none here)
print(collect(2^62, -1e19, -2^62), collect(1, -math.huge))
local cnt = 0
for _ = 1, math.huge do cnt = cnt + 1 if cnt == 1000 then break end end
print(cnt)

-- Start, limit and step are evaluated once, before the loop.
local calls = 0
local function lim() calls = calls + 1 return 3 end
for _ = 1, lim() do end
print(calls)
local limit = 3
local iters = 0
for _ = 1, limit do limit = 10 iters = iters + 1 end
print(iters)

-- Numeric strings are accepted and converted (to floats) in 5.3.
print(collect("1", 3), collect(1, "2"), collect(1, 3, "1"))

-- Errors.
local function try(fn)
  local ok, err = pcall(fn)
  print(ok, err)
end
try(function() for _ = nil, 1 do end end)
try(function() for _ = 1, {} do end end)
try(function() for _ = 1, 2, "x" do end end)
try(function() for _ = "a", 2 do end end)

-- while and repeat.
local w = 0
while w < 5 do w = w + 1 end
print(w)
local r = 10
repeat r = r - 3 until r < 0
print(r)
-- repeat runs at least once.
local once = 0
repeat once = once + 1 until true
print(once)
-- The until-condition sees the body's locals.
local x = 0
repeat local y = x x = x + 1 until y >= 2
print(x)

-- break in every loop kind, including from inside nested blocks.
for i = 1, 10 do if i == 4 then print("for break", i) break end end
local j = 0
while true do j = j + 1 do if j > 2 then break end end end
print("while break", j)
repeat do break end until false
print("repeat break")
for _, v in ipairs({ "a", "b", "c" }) do if v == "b" then print("generic break", v) break end end

-- Generic for with a custom stateless iterator and state values.
local function range(n)
  return function(s, c) if c < s then return c + 1 end end, n, 0
end
local sum = 0
for v in range(100) do sum = sum + v end
print(sum)
-- Generic for passes state and control; extra iterator results go to extra vars.
for a, b, c in function(_, k) if k < 2 then return k + 1, "b", "c" end end, nil, 0 do print(a, b, c) end
