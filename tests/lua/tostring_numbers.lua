-- Number to string conversion: integers print as-is, floats use "%.14g" and
-- get a ".0" suffix when the result looks like an integer.

local vals = {
  0, 1, -1, 42, math.maxinteger, math.mininteger,
  0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 100.0, 1e14, 1e15, 1e16, 1e100, 1e-5,
  123456789012345.0, 1234567890123456.0, 2^53, 2^63, -2^63, 2^64,
  1/3, 2/3, 3.14159265358979, 1e308, 5e-324, 1e-310, 12.5e3, 0x10p-1,
}
for _, v in ipairs(vals) do
  print(tostring(v), math.type(v))
end

-- inf and -inf.
print(1/0, -1/0, tostring(math.huge), tostring(-math.huge))
-- NaN prints with a platform-dependent sign; only check it is "nan" or "-nan".
local n = tostring(0/0)
print(n == "nan" or n == "-nan")

-- print and .. use the same conversion.
print(1.0 .. "", 1e15 .. "|" .. 1e16, -0.0 .. "", 2^63 .. "")
-- io.write is different: it formats floats with plain "%.14g", so 1.0 is "1".
io.write(1.0, " ", 1e100, " ", 7, " ", -0.0, "\n")

-- string.format("%.14g") is the underlying conversion (without the ".0").
print(string.format("%.14g", 1.0), string.format("%.14g", 0.1), string.format("%.14g", 2^63))
print(string.format("%.14g", 1e15), string.format("%.14g", 123456789012345678))

-- Integer-valued floats vs integers in output.
print(3 / 1, 3 // 1, 3.0 // 1, 2^2, 7 % 4.0, 10 // 3.0)
print(math.floor(3.7), math.ceil(3.2), math.floor(-0.0), math.tointeger(5.0))

-- tostring never changes the value.
local x = 0.1 + 0.2
print(x, x == 0.3, tostring(x) == "0.3", string.format("%.17g", x))
