-- Arithmetic on strings. Lua 5.3 (unlike 5.4) converts a string operand of an
-- arithmetic operator to a FLOAT, even when it reads as an integer:
-- "10" + 1 is 11.0. Bitwise operators convert strings to integers instead.
-- Strings that are not numerals raise errors.

local function show(x)
  if math.type(x) == "integer" then return "i:" .. tostring(x) end
  if math.type(x) == "float" then return "f:" .. string.format("%.17g", x) end
  return type(x) .. ":" .. tostring(x)
end
local function row(...)
  local t = {}
  for i = 1, select("#", ...) do t[i] = show((select(i, ...))) end
  print(table.concat(t, " "))
end

row("10" + 1, "10" + 1.0, "10.0" + 1, "0x10" + 0, "1e1" + 0, " 5 " * "2")
row("10" - "4", "3" * "4", "7" / "2", "7" // "2", "7" % "2", -"3", -"3.0")
row("\t12\n" + 0, "0X1P4" + 0, "9223372036854775807" + 0, "9223372036854775808" + 0)
row("-0x1" + 0, "  -7  " // 1, "1e308" * 10)

-- Errors: strings that are not numerals.
local function try(f, ...)
  local ok, err = pcall(f, ...)
  print(ok, err)
end
try(function() return "abc" + 1 end)
try(function() return 1 + "1x" end)
try(function() local s = "" return s * 2 end)
try(function() local s = "1 2" return -s end)
try(function() return {} + 1 end)
try(function() return 1 + nil end)
try(function() return true * 2 end)

-- Numbers are never converted by comparison or equality.
print("10" == 10, 10 == "10", "1" ~= 1)
try(function() return "10" < 20 end)
try(function() return 1 <= "x" end)

-- tonumber and the arithmetic conversion agree.
for _, s in ipairs({ "0x7fffffffffffffff", "0xffffffffffffffff", "1e2", ".5", "5.", "0x.1" }) do
  print(s, show(tonumber(s)), show(s + 0))
end

-- The float conversion applies to every arithmetic operator, including unary
-- minus; bitwise operators give integers; concatenation keeps the text.
print(math.type("3" + 4), math.type(-"3"), math.type("3" // 1), "10" + 1)
print(math.type("3" | 0), "3" | 0, "0x10" & 0xff, 10 .. "", "10" .. 1)
