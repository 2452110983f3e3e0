-- Lexer: decimal and hexadecimal numerals, integers vs floats, exponents,
-- hex floats, overflow rules, and malformed numbers.

local function show(x)
  if math.type(x) == "integer" then return "integer " .. tostring(x) end
  return math.type(x) .. " " .. string.format("%.17g", x)
end

-- Decimal integers and floats.
print(show(0), show(42), show(3.0), show(3.), show(.5), show(1e2), show(1E-2), show(2e+3))
print(show(0.0), show(00012), show(1.5e1), show(123456789012))

-- Decimal integers that do not fit in 64 bits become floats.
print(show(9223372036854775807))
print(show(9223372036854775808))
print(show(18446744073709551616))
print(show(-9223372036854775808))   -- unary minus applied to a float
print(math.mininteger == -9223372036854775807 - 1)

-- Hexadecimal integers wrap around modulo 2^64.
print(show(0x10), show(0xff), show(0XA), show(0xDeadBeef))
print(show(0x7fffffffffffffff), show(0xffffffffffffffff), show(0x8000000000000000))
print(show(0x10000000000000000), show(0x1ffffffffffffffff))

-- Hexadecimal floats: a '.' or a binary exponent 'p' makes a float.
print(show(0x1p4), show(0x.8), show(0xA.8p0), show(0x1P-2), show(0x.1p4), show(0xff.0))

-- Numerals via load, including the malformed ones.
local srcs = {
  "3", "3.", ".3", "3e", "3e+", "0x", "0xg", "1..2", "1.2.3", "3x", "0x1p", "08",
  "1e1000", "0x1e", "0x1E+1", "3.e2", ".e1", "0x.p1", "1_000", "0b101", "3f", "3g", "0x1.8",
  "0xA.", "1e-400", "-0", "-0.0",
}
for _, s in ipairs(srcs) do
  local f, err = load("return " .. s)
  if f then print(s, "->", show(f())) else print(s, "->", err) end
end

-- The numeral scanner consumes hex digits, '.', and exponent signs, so a
-- numeral followed by letters a-f is one malformed token, while other letters
-- start a new token.
print(load("return 12abc"))
print(load("local x = 0xz"))
