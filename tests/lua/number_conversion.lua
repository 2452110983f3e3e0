-- Conversions at library boundaries: integral floats accepted where
-- integers are expected, numeric strings accepted for numbers, numbers
-- accepted for strings, and the exact argument errors otherwise.

-- Integral floats and numeric strings as integer arguments.
print(("x"):rep(3.0), ("abcdef"):sub(2.0, 4.0), string.char(72.0, 105), ("abc"):byte(2.0))
print(("x"):rep("3"), ("abcdef"):sub("2", "-2"), select("2", "a", "b"), ({ 10, 20 })[2.0])
print(math.type(math.tointeger(3.0)), ("%d"):format(2.0), ("%x"):format("255"))

-- Non-integral floats and non-numeric strings are rejected.
local function try(...) print(pcall(...)) end
try(string.rep, "x", 1.5)
try(string.sub, "abc", "x")
try(string.char, 65.5)
try(select, 1.5, "a")
try(string.format, "%d", 2^63)
try(string.rep, "x", 2^63)
try(table.concat, { 1, 2 }, "", 1.5)

-- Numbers as string arguments are converted with tostring's rules.
print(string.len(123), string.len(1.5), string.len(-0.0), ("x"):rep(2, 0), string.upper(1e100))
print(string.find(1234, 23), string.gsub(1.25, "%.", ","), string.format("%s|%s", 1, 1.0))

-- Numbers where strings are required but conversion is not allowed.
try(string.len, nil)
try(string.len, {})
try(string.len, true)

-- Float to integer conversion in table indexing and comparisons is exact.
local t = { [3] = "three" }
print(t[3.0], t[3 + 0.0], t[2.9999999999999996], t[3.0000000000000004])
print(2^53 == 2^53 + 1, math.tointeger(2^53), math.tointeger(2^53 + 1.0))

-- Integer overflow in tonumber/tointeger-style conversions.
print(math.tointeger(2^63), math.tointeger(-(2^63)), math.tointeger(2^63 - 1024))
print(tonumber("9223372036854775807"), tonumber("9223372036854775808"), tonumber("-9223372036854775809"))

-- String -> number -> string round trips.
for _, s in ipairs({ "10", "10.0", "1e2", "0x1A", "  7  ", "-0", "3.14159" }) do
  local n = tonumber(s)
  io.write(s, " => ", tostring(n), " (", math.type(n), ")  ")
end
print()
