-- goto and labels: the 'continue' idiom, leaving nested loops, backward
-- jumps that create fresh locals, and label visibility rules.

-- continue: skip odd numbers.
local evens = {}
for i = 1, 10 do
  if i % 2 == 1 then goto continue end
  evens[#evens + 1] = i
  ::continue::
end
print(table.concat(evens, " "))

-- continue in while and repeat loops.
local i, out = 0, {}
while i < 6 do
  i = i + 1
  if i == 3 then goto next end
  out[#out + 1] = i
  ::next::
end
print(table.concat(out, " "))

-- Leaving nested loops at once.
local found
for a = 1, 5 do
  for b = 1, 5 do
    if a * b == 12 then found = a .. "x" .. b goto done end
  end
end
::done::
print(found)

-- A backward goto forms a loop; each pass creates a fresh local.
local fs = {}
do
  local n = 1
  ::top::
  local x = n * 10
  fs[#fs + 1] = function() return x end
  n = n + 1
  if n <= 3 then goto top end
end
print(fs[1](), fs[2](), fs[3]())

-- A label at the end of a block may be jumped to even with locals before it
-- (the label is considered outside their scope since 5.2's "void statement" rule).
do
  goto finish
  local unused = 1
  print(unused)
  ::finish::
end
print("jumped over a local to the block end")

-- Labels are per block: the same name in sibling blocks is fine.
for round = 1, 2 do
  do goto l end
  print("not printed")
  ::l::
  do
    goto l
    print("not printed either")
    ::l::
  end
  print("round", round)
end

-- goto out of a function body is not allowed (label not visible).
print(load("::outside:: local function f() goto outside end"))
-- Jumping into a nested block is not allowed.
print(load("goto inner do ::inner:: end"))

-- break is a jump to the end of the innermost loop.
local count = 0
for _ = 1, 3 do
  while true do
    count = count + 1
    break
  end
end
print(count)

-- A state machine with gotos.
local function machine(input)
  local pos, trace = 1, {}
  ::start::
  local c = input:sub(pos, pos)
  pos = pos + 1
  if c == "" then goto finish end
  if c == "a" then trace[#trace + 1] = "A" goto start end
  trace[#trace + 1] = "?"
  goto start
  ::finish::
  return table.concat(trace)
end
print(machine("abca"))
