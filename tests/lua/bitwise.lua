-- Bitwise operators: & | ~ << >> and unary ~ on integers, on floats with an
-- exact integer value, on numeric strings, and the errors for everything else.

local function hex(x) return string.format("0x%x", x) end

print(5 & 3, 5 | 3, 5 ~ 3, ~5, ~0, ~-1)
print(hex(0xF0F0 & 0xFF00), hex(0xF0F0 | 0x0F0F), hex(0xFFFF ~ 0x0F0F))
print(-1 & 0xFF, hex(-1), hex(math.mininteger), math.maxinteger & -1)

-- Shifts are logical; shifting by >= 64 gives 0; negative shifts reverse.
print(1 << 0, 1 << 1, 1 << 62, 1 << 63, 1 << 64, 1 << 100)
print(-1 >> 1 == math.maxinteger, -1 >> 63, -1 >> 64, 256 >> 4, 256 >> -4)
print(1 << -1, 2 << -1, 8 >> 3, 8 >> 4, hex(-1 << 4), -1 << -64)
print(1 << math.mininteger, 1 >> math.mininteger, 1 << math.maxinteger)

-- Precedence: shifts bind tighter than &, which is tighter than ~, then |;
-- all are looser than concatenation and arithmetic.
print(1 | 2 ~ 3 & 4, (1 | 2) ~ (3 & 4), 1 << 2 + 1, 6 & 3 == 2)
print(2 .. 3 & 0xff, ~2 ^ 2 == ~4)

-- Floats with an exact integer value are converted; the result is an integer.
print(3.0 & 1, math.type(3.0 | 0), 2^53 | 0, -0.0 | 0, 1e3 >> 1)

-- Numeric strings are converted too (to integers, even "3.0").
print("3" & 1, "0xff" | 0, "3.0" << 1, " 12 " ~ 0, math.type("3.0" | 0))

-- Values without an integer representation are errors.
local function try(f)
  local ok, err = pcall(f)
  print(ok, err)
end
try(function() return 1.5 & 1 end)
try(function() local x = 2^63 return x | 0 end)
try(function() return math.huge >> 1 end)
try(function() local nan = 0/0 return ~nan end)
try(function() return "1.5" | 0 end)
try(function() return "abc" | 0 end)
try(function() local t = {} return t & 1 end)
try(function() return 1 << nil end)
try(function() local s = "x" return ~s end)
