-- loops, goto, break, labels, repeat scoping, nested blocks
for i = 1, 10 do print(i) end
for i = 10, 1, -1 do if i == 5 then break end end
for i = 1.0, 2.0, 0.5 do end
for k, v in pairs({}) do print(k, v) end
for k in next, {} do end
for a, b, c, d, e in ipairs({}) do end
local n = 0
while true do
  n = n + 1
  if n > 10 then break end
  if n % 2 == 0 then goto continue end
  print(n)
  ::continue::
end
repeat
  local x = n
  n = n - 1
until x < 3
do
  local a = 1
  do
    local b = 2
    print(a + b)
  end
end
goto skip
print("skipped")
::skip::
do
  ::top::
  n = n + 1
  if n < 20 then goto top end
end
for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto next_i end
    local f = function() return i + j end
  end
  ::next_i::
end
while n > 0 do
  local c = n
  local f = function() return c end
  if c == 5 then break end
  n = n - 1
end
repeat
  local z = 1
  local g = function() return z end
until z
if n then goto done end
n = 0
::done::
do goto l1; local q; ::l1:: end
for i = 1, 2 do
  local x
  if i then goto cont end
  x = 1
  ::cont::
end
while false do end
repeat until true
for i = 1, 0 do end
::a:: ::b:: ;;;
