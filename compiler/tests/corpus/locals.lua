-- local scopes, shadowing, many locals and registers
local a = 1
local a = a + 1
do local a = a * 2 print(a) end
local function rec(n) if n > 0 then return rec(n - 1) end return n end
local rec2 = function(n) return rec2 end
local l1, l2, l3, l4, l5, l6, l7, l8, l9, l10 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
local l11, l12, l13, l14, l15, l16, l17, l18, l19, l20
local x
= nil
print(l1 + l2 * l3 - l4 / l5 % l6 ^ l7 // l8 & l9 | l10)
local n1 n1 = 1
local n2; n2 = 2
local s = nil
local b1, b2 = true, false
local nilseq1, nilseq2 = nil, nil
local z1 local z2 local z3
do local q1, q2 end
for i = 1, 2 do local i = i + 1 end
local function shadow(a, b, a) return a end
local _ENV = {print = print}
print(a)
local function g() return undefinedglobal end
return l20
