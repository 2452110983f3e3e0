-- Loop variables are fresh per iteration: closures created in numeric for,
-- generic for, while and repeat bodies each capture their own variable.

local function run(fs)
  local out = {}
  for i = 1, #fs do out[i] = tostring(fs[i]()) end
  return table.concat(out, " ")
end

-- Numeric for: each iteration has its own 'i'.
local fs = {}
for i = 1, 5 do fs[#fs + 1] = function() return i end end
print(run(fs))

-- Assigning to the loop variable inside the body affects only that copy.
fs = {}
for i = 1, 3 do
  fs[#fs + 1] = function() return i end
  i = i * 10
end
print(run(fs))

-- Generic for: key and value are per-iteration.
fs = {}
for idx, v in ipairs({ "a", "b", "c" }) do fs[#fs + 1] = function() return idx .. v end end
print(run(fs))

-- Locals declared inside a while body are fresh each time.
fs = {}
local n = 0
while n < 4 do
  n = n + 1
  local captured = n * n
  fs[#fs + 1] = function() return captured end
end
print(run(fs))

-- repeat: the body's locals are visible in the 'until' condition.
fs = {}
local k = 0
repeat
  k = k + 1
  local mine = k
  fs[#fs + 1] = function() mine = mine + 100 return mine end
until mine >= 3
print(run(fs), run(fs))

-- A closure can modify its own iteration's variable without affecting others.
fs = {}
local gets = {}
for i = 1, 3 do
  fs[i] = function() i = i + 1 return i end
  gets[i] = function() return i end
end
fs[1](); fs[1](); fs[3]()
print(run(gets))

-- Nested loops: inner and outer variables captured together.
fs = {}
for i = 1, 2 do
  for j = 1, 2 do fs[#fs + 1] = function() return i .. ":" .. j end end
end
print(run(fs))

-- break leaves a loop; captured variables stay valid.
fs = {}
for i = 1, 10 do
  local sq = i * i
  fs[#fs + 1] = function() return sq end
  if i == 3 then break end
end
print(run(fs))

-- Float loops produce float loop variables.
fs = {}
for x = 0.5, 1.5, 0.5 do fs[#fs + 1] = function() return x end end
print(run(fs))
