-- tonumber: numerals as the lexer reads them (with surrounding spaces and
-- a sign), bases 2..36, and every way of getting nil back.

local function show(v)
  if math.type(v) == "integer" then return "i" .. tostring(v) end
  if math.type(v) == "float" then return "f" .. string.format("%.17g", v) end
  return tostring(v)
end

-- Without a base.
local inputs = {
  "10", "  10  ", "\t\n10\r\f\v", "-10", "+10", "10.5", "-.5", "5.", "1e3", "1E-3", "0x1F", "-0x10",
  "0X1p4", "0x.8", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
  "0xffffffffffffffff", "1e500", "-1e500", "0", "-0", "-0.0", "00017",
  "", " ", "abc", "10a", "1 0", "1e", "0x", "--1", "+-1", "1..2", ".", "- 1", "0x-1", "nan", "inf",
  "1\0", "infinity",
}
for _, s in ipairs(inputs) do
  io.write(string.format("%q", s), " -> ", show(tonumber(s)), "\n")
end

-- Numbers pass through; other types give nil (with one argument).
print(show(tonumber(5)), show(tonumber(5.5)), tonumber(nil), tonumber(true), tonumber({}))
print(pcall(tonumber))

-- With a base: integer digits only, letters for digits above 9, case-insensitive.
print(tonumber("ff", 16), tonumber("FF", 16), tonumber("777", 8), tonumber("1010", 2))
print(tonumber("z", 36), tonumber("Zz", 36), tonumber("10", 36), tonumber("9", 10))
print(tonumber("  11  ", 2), tonumber("-11", 2), tonumber("+7", 8))
print(tonumber("2", 2), tonumber("8", 8), tonumber("g", 16), tonumber("1.0", 10), tonumber("", 10))
print(tonumber("0x10", 16), tonumber("1e1", 10), tonumber(" ", 10), tonumber("- 1", 10))
-- Every base from 2 to 36 reads "10" as the base itself.
local bases = {}
for b = 2, 36 do bases[#bases + 1] = tonumber("10", b) end
print(table.concat(bases, ","))
-- Large values wrap around like integer arithmetic.
print(tonumber("ffffffffffffffff", 16), tonumber("10000000000000000", 16))
print(tonumber("7fffffffffffffff", 16) == math.maxinteger)

-- With a base the first argument must be a string; the base must be in range.
print(pcall(tonumber, 10, 16))
print(pcall(tonumber, "10", 1))
print(pcall(tonumber, "10", 37))
print(pcall(tonumber, "10", 2.5))
print(tonumber("10", 16.0))

-- tonumber of a float-looking string keeps the float subtype.
print(math.type(tonumber("1")), math.type(tonumber("1.0")), math.type(tonumber("1e0")))
