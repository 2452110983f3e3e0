-- math library: floor/ceil (integer results), abs, max/min, fmod, modf,
-- sqrt, exp/log, trig, huge/pi, maxinteger/mininteger, tointeger, type, ult.

local function show(x)
  if math.type(x) == "integer" then return "i" .. tostring(x) end
  if math.type(x) == "float" then return "f" .. string.format("%.14g", x) end
  return tostring(x)
end
local function row(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = show(t[i]) end
  print(table.concat(t, " ", 1, t.n))
end

-- floor/ceil return integers when the result fits, floats otherwise.
row(math.floor(3.7), math.floor(-3.7), math.floor(5), math.floor(-0.0), math.floor(2^62 + 0.0))
row(math.ceil(3.2), math.ceil(-3.2), math.ceil(5), math.ceil(-0.5), math.floor(2^70), math.ceil(-2^70))
row(math.floor(1e308), math.floor(math.huge), math.ceil(-math.huge), math.floor("3.5"))

-- abs keeps the subtype; abs(mininteger) wraps.
row(math.abs(-5), math.abs(5), math.abs(-5.5), math.abs(-0.0), math.abs(math.mininteger))

-- max/min keep the subtype of the chosen argument.
row(math.max(1, 2.5, -3), math.max(3, 2.0), math.min(1, 2.5, -3), math.min(1.0, 1), math.max(7))
print(pcall(math.max))
-- They compare with the '<' operator and do not check types (5.3), so
-- strings work among themselves and mixing raises a comparison error.
print(pcall(math.min, 1, "x"))
print(math.max("a", "c", "b"), math.min("b", "a"))

-- fmod: integer fmod for integers (sign of the dividend), float otherwise.
row(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(-7, -3), math.fmod(7.5, 2), math.fmod(-7.5, 2))
row(math.fmod(math.mininteger, -1), math.fmod(5, math.huge), math.fmod(1, 0.0) ~= math.fmod(1, 0.0))
print(pcall(math.fmod, 1, 0))

-- modf: the integral part (rounded toward zero) comes back as an integer
-- when it fits in one, else as a float; the fraction is always a float
-- (0.0 for integers and infinities).
row(math.modf(3.7))
row(math.modf(-3.7))
row(math.modf(5))
row(math.modf(math.huge))
row(math.modf(-math.huge))

-- sqrt, exp, log with bases.
row(math.sqrt(16), math.sqrt(2), math.exp(0), math.log(1), math.log(8, 2), math.log(100, 10), math.log(27, 3))
row(math.log(0), math.sqrt(-1) ~= math.sqrt(-1), math.log(2.718281828459045))

-- Trigonometry.
row(math.sin(0), math.cos(0), math.tan(0), math.asin(1) * 2 == math.pi, math.acos(1), math.atan(1) * 4 == math.pi)
row(math.atan(1, 1) * 4 == math.pi, math.atan(0, -1) == math.pi, math.atan(-0.0, 1))

-- Constants.
row(math.pi, math.huge, -math.huge, math.maxinteger, math.mininteger)
print(math.maxinteger + 1 == math.mininteger, math.mininteger - 1 == math.maxinteger, math.huge > math.maxinteger)

-- tointeger: integral floats and integers; in 5.3 a string convertible to an
-- integer is accepted too; anything else gives nil (no error).
row(math.tointeger(3.0), math.tointeger(3.5), math.tointeger(2^63), math.tointeger(-2^63), math.tointeger(7))
row(math.tointeger("8"), math.tointeger({}), math.tointeger(-0.0))

-- type.
print(math.type(1), math.type(1.0), math.type("1"), math.type(nil), math.type({}))
print(pcall(math.type))

-- ult: unsigned comparison.
print(math.ult(1, 2), math.ult(-1, 2), math.ult(2, -1), math.ult(math.maxinteger, math.mininteger))
print(pcall(math.ult, 1.5, 2))

-- Argument errors.
print(pcall(math.floor, "x"))
print(pcall(math.sqrt))
print(pcall(math.abs, nil))
