-- Arithmetic: exponentiation '^' always produces a float; it is
-- right-associative and binds tighter than unary minus.

local function show(x) return math.type(x) .. ":" .. string.format("%.17g", x) end

print(show(2 ^ 2), show(2 ^ 0), show(2 ^ -1), show(4 ^ 0.5), show(2.0 ^ 3))
print(show(0 ^ 0), show(0 ^ 1), show(10 ^ 15), show(10 ^ 16), show(2 ^ 63))
local r = (-8) ^ (1 / 3)  -- a negative base with a fractional exponent is NaN
print(r ~= r, math.type(r))
print(show(-2 ^ 2), show((-2) ^ 2), show(2 ^ -2 ^ 2), show(-2 ^ -2))
print(show(2 ^ 3 ^ 2), show((2 ^ 3) ^ 2))
print(show(1 ^ math.huge), show(2 ^ math.huge), show(0.5 ^ math.huge), show(2 ^ -math.huge))
print(show("2" ^ 3), show(2 ^ "3"), show("0x10" ^ 2))

-- Large exponents overflow to inf rather than wrapping.
print(2 ^ 1024, -(2 ^ 1024), 2 ^ 1023 < math.huge)

-- Result printed via tostring uses %.14g and marks integral floats with ".0".
print(2 ^ 10, 2 ^ 53, 2 ^ 63, 2 ^ 64, 3 ^ 0.5)

-- Negative bases with integral exponents are fine; zero to negative powers is inf.
print(show((-2) ^ 3), show((-2) ^ -1), show((-1) ^ 0.5 ~= (-1) ^ 0.5 and 0 or 1))
print(show(0 ^ -1), show((-0.0) ^ -1), show(0.0 ^ 0))

-- Integer operands still give floats, even for exact powers of two.
local acc = {}
for e = 0, 4 do acc[#acc + 1] = math.type(2 ^ e) .. ":" .. tostring(2 ^ e) end
print(table.concat(acc, " "))

-- Square roots and cube roots through fractional exponents.
print(show(81 ^ 0.5), show(27 ^ (1 / 3)), show(2 ^ 0.5 * 2 ^ 0.5))

-- Operands from strings and errors on other types.
print(pcall(function() return {} ^ 2 end))
print(pcall(function() local s = "x" return 2 ^ s end))
