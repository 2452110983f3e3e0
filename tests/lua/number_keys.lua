-- Table keys: floats with an exact integer value are normalized to integers,
-- so t[1.0] and t[1] are the same slot; other floats are distinct keys.

local t = {}
t[1] = "int one"
print(t[1.0], rawget(t, 1.0))
t[2.0] = "float two"
local kt
for key in pairs(t) do if key == 2 then kt = math.type(key) end end
print(t[2], kt, #t)

-- The key stored is the integer: next/pairs return integer keys.
local u = {}
u[3.0] = true
local k = next(u)
print(k, math.type(k))

-- Non-integral floats stay float keys.
t[1.5] = "one and a half"
print(t[1.5], t[3 / 2], t[1])

-- 2^53 as float and as integer are the same key; 2^63 (float) is not an integer.
local w = {}
w[2^53] = "f"
print(w[1 << 53], math.type(next(w)))
w = {}
w[2^63] = "big"
print(w[2^63], math.type(next(w)), w[math.mininteger])

-- -0.0 is the key 0.
local z = {}
z[-0.0] = "zero"
print(z[0], math.type(next(z)))

-- Strings are never converted to numbers for indexing.
local s = {}
s["1"] = "string key"
s[1] = "number key"
print(s["1"], s[1], s[1.0])

-- Keys computed by arithmetic.
local a = {}
for i = 1, 3 do a[i / 1] = i end   -- 1.0, 2.0, 3.0 normalize
print(#a, a[1], a[2], a[3])
print(a[6 / 2], a[2^1], a["2"])

-- The array part and the constructor use the same normalization.
local c = { [1.0] = "a", [2] = "b" }
print(c[1], c[2.0], #c)

-- Integer and float loop indices reach the same slots.
local sum = 0
for x = 1.0, 3.0 do sum = sum + a[x] end
print(sum)
