-- goto and labels: continue, nested loops, closing upvalues, backward jumps
for i = 1, 3 do
  for j = 1, 3 do
    if i == j then goto continue end
    print(i, j)
    ::continue::
  end
end
do
  local k = 0
  ::again::
  k = k + 1
  local f = function() return k end
  if k < 3 then goto again end
end
do
  local x = 1
  goto l
  ::l::
end
while true do
  local v = 1
  local f = function() return v end
  goto out
end
::out::
do
  goto e
  local a = 1
  ::e::
end
repeat
  local r = 1
  if r then goto cont end
  print(r)
  ::cont::
until true
for i = 1, 2 do
  local c = i
  local f = function() return c end
  if i == 1 then goto next end
  print(f())
  ::next::
end
do
  ::a:: ::b::
  if false then goto a end
  if false then goto b end
end
local function fn()
  goto done
  do return 1 end
  ::done::
  return 2
end
for i = 1, 10 do
  if i > 5 then break end
  local z = i
  local g = function() return z end
  if i == 3 then break end
end
while false do break end
repeat local q = 1; local g = function() return q end; if q then break end until q
