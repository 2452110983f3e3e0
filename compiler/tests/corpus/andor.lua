-- and/or chains in value and jump contexts, not, comparisons
local a, b, c, d = ...
local x = a and b
local y = a or b
local z = a and b or c
local w = a or b and c or d
local v = (a or b) and (c or d)
local u = not a and b
local t = not (a and b)
local s = a == b and c or d
local r = a < b or c >= d
local q = nil and a
local p = false or a
local o = 1 and 2
local n = nil or false
local m = a and nil
local l = (a == b) == (c == d)
if a and b then print(1) end
if a or b then print(2) end
if not a then print(3) end
if a and (b or c) then print(4) elseif d then print(5) else print(6) end
if a == 1 or b ~= 2 and c < 3 then print(7) end
while a and not b do a = a - 1 end
repeat b = b or c until b and c
print(a and b, a or b, not a, a and b or c, a == b, a ~= b)
local f = function() return a and b end
x = a and b and c and d
y = a or b or c or d
z = (a and b) or (c and d)
t = {a and b, a or b, x = a and 1 or 2}
print(a and 1 or 2, a and "x" or "y", true and false, nil and nil, 1 or error())
if x then elseif y then else end
if true then print(8) end
if false then print(9) end
if nil then print(10) else print(11) end
if 1 then print(12) end
local g = a and a.b and a.b.c
local h = a > 0 and a or -a
return a and b or c
