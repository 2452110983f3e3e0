-- Arithmetic: + - * / with integer and float operands, result subtypes,
-- and integer wraparound on overflow.

local function show(x)
  if math.type(x) == "integer" then return "i:" .. tostring(x) end
  return "f:" .. string.format("%.17g", x)
end
local function row(...)
  local t = {}
  for i = 1, select("#", ...) do t[i] = show((select(i, ...))) end
  print(table.concat(t, " "))
end

-- int op int stays integer for + - *.
row(3 + 4, 3 - 4, 3 * 4, -3 * 4, 0 * -5)
-- Any float operand makes a float.
row(3 + 4.0, 3.0 - 4, 3.5 * 2, 0.1 + 0.2, 1e308 * 10, -1e308 * 10)
-- '/' always gives a float.
row(6 / 2, 7 / 2, -7 / 2, 1 / 3, 6.0 / 2.0, 0 / 5)

-- Integer overflow wraps around (two's complement).
local maxi, mini = math.maxinteger, math.mininteger
row(maxi + 1, mini - 1, maxi * 2, mini * -1, -mini, maxi + maxi)
print(maxi + 1 == mini, mini - 1 == maxi, 2^62 * 4 == 2^64)
row(0x7fffffff * 0x7fffffff, 1 << 62, (1 << 62) * 4)

-- Float arithmetic on large integer-valued floats stays float.
row(maxi + 1.0, mini + 0.0, 2^53 + 1, 2^53 + 1.0)

-- Unary minus.
row(-0, -0.0, -(-7), -maxi, -(1.5))

-- Precedence and associativity.
row(2 + 3 * 4, (2 + 3) * 4, 2 - 3 - 4, 2 * 3 % 4, 10 - 2 ^ 2, -2 ^ 2)
row(2 ^ 3 ^ 2, (2 ^ 3) ^ 2, 3 - -3, 7 // 2 * 2, 100 / 10 / 2)

-- Results of arithmetic used as table keys and for loops.
local t = {}
t[1 + 1] = "two"; t[4 / 2] = "float two is key 2"
print(t[2])

-- NaN and infinities.
local inf, nan = 1 / 0, 0 / 0
print(inf, -inf, inf - inf ~= inf - inf, nan ~= nan, inf == math.huge)
print(math.type(inf), math.type(nan), inf > maxi, -inf < mini)
print(string.format("%.1f %.1f", inf * 0 ~= inf * 0 and 1 or 0, 1 / inf))
