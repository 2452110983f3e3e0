-- Arithmetic: floor division '//' and modulo '%' with every sign combination,
-- integer vs float results, and division by zero.

local function show(x)
  if math.type(x) == "integer" then return tostring(x) end
  return string.format("%.17g", x) .. "f"
end

-- Floor division rounds toward minus infinity.
for _, a in ipairs({ 7, -7, 6, -6, 0 }) do
  for _, b in ipairs({ 2, -2, 3, -3 }) do
    io.write(a, "//", b, "=", show(a // b), "  ", a, "%", b, "=", show(a % b), "\n")
  end
end

-- Float operands give float results with the same rounding rule.
print(show(7.0 // 2), show(-7 // 2.0), show(7.5 // 2), show(-7.5 // 2), show(7 // 0.5))
print(show(7.0 % 2), show(-7 % 2.0), show(7.5 % 2), show(-7.5 % 2), show(5.5 % -2))
print(show(5 % 1.5), show(-5 % 1.5), show(0.3 % 0.1 < 0.1 and 1 or 0))

-- The sign of a modulo result follows the divisor.
print(show(3 % -2), show(-3 % 2), show(3 % 2), show(-3 % -2))
print(show(3.0 % -2), show(-3.0 % 2), show(-0.0 % 2))

-- Extremes: mininteger // -1 wraps, mininteger % -1 is 0.
print(show(math.mininteger // -1), show(math.mininteger % -1))
print(show(math.maxinteger // 1), show(math.maxinteger % 2), show(math.mininteger % 3))

-- Integer division or modulo by zero is an error.
local function try(f)
  local ok, err = pcall(f)
  print(ok, err)
end
try(function() return 1 // 0 end)
try(function() return 1 % 0 end)
try(function() local z = 0; return 10 // z end)
try(function() local z = 0; return 10 % z end)
try(function() return math.mininteger // 0 end)

-- Float division and float modulo by zero give inf / nan, never an error.
print(1 / 0, -1 / 0, 1.0 // 0, -1 // 0.0, 0.0 / 0 ~= 0.0 / 0)
local m = 1 % 0.0
print(m ~= m, 1.0 % math.huge, -1.0 % math.huge, 1 % -math.huge)
local fi = math.huge % 2
print(fi ~= fi)

-- '/' of integers that divide exactly still gives a float.
print(show(4 / 2), show(-9 / 3), show(0 / -3))

-- Operands from strings follow the same rules.
print(show("7" // 2), show("7" % "-2"), show("7.0" // "2"))
