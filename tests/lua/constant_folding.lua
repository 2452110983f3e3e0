-- Expressions made only of constants must give the same results as at run
-- time, including the cases a compiler must NOT fold (errors, -0.0, NaN).

-- Folded and unfolded versions of the same operations agree.
local one, zero, two = 1, 0, 2
print(1 + 2, one + two, 7 // 2, 7 // two, 7 % -3, 7 % -(two + 1), 2 ^ 10, two ^ 10)
print(1 / 0, one / zero, -1 / 0, -one / zero, 1 // 0.0, one // 0.0)
print(0.0 / 0 ~= 0.0 / 0, math.type(0.0 / 0))

-- Integer division/modulo by a constant zero must raise at run time, not
-- at compile time: this chunk compiles fine and only fails when called.
local f = load("return 1 // 0")
print(type(f), pcall(f))
print(pcall(load("return 1 % 0")))
print(pcall(load("local x = 10 if x > 100 then return 1 // 0 end return 'not evaluated'")))

-- Negative zero survives folding.
print(-0.0, 0.0 * -1, -(0.0), 1 / -0.0, 0 * -1)
-- Integer overflow wraps in folded expressions too.
print(9223372036854775807 + 1, -9223372036854775807 - 2, 4611686018427387904 * 2)
print(math.mininteger // -1, math.mininteger % -1, -(-9223372036854775807 - 1))
-- Shifts and bitwise constants.
print(1 << 63, 1 << 64, -1 >> 1, ~0, 3 & 5.0, 0xFF ~ 0x0F)
-- Bitwise on non-integral constants must be a run-time error.
print(pcall(load("return 1.5 | 0")))
print(pcall(load("return 1 << 0.5")))
-- String constants are converted at run time (to floats in 5.3).
print("10" + 1, "3" * "4", -"2", "0x10" + 0, math.type("1" + 1))
-- Arithmetic on non-numeric constants fails at run time.
print(pcall(load("return 'a' + 1")))
print(pcall(load("return -{}")))
-- Comparisons and logic of constants.
print(1 < 2, 2 <= 1, "a" < "b", 1 == 1.0, nil == false, not nil, 1 and nil, false or "x")
-- Large folded expression.
print(((1 + 2) * 3 - 4) // 2 % 3 ^ 2, 2 ^ 53 + 1 == 2 ^ 53, (2 ^ 53 | 0) + 1)
-- Float results that look like integers keep their subtype.
print(3 / 1, 2 ^ 2, 10 // 2.0, 7.0 % 2, 1e2, 0x10p0)
