-- Comparison: mixed integer/float ordering (exact, not via conversion to
-- float), string ordering by bytes, equality across types, and errors.

print(1 < 2, 1 < 1.5, 1.5 < 2, 2 <= 2.0, 2.0 >= 2, 3 > 2.9999)
print(1 == 1.0, -0.0 == 0, 0.0 == -0, 1 ~= 1.0000000000000002)

-- Comparisons between integers and floats are exact even where the float
-- conversion of the integer would round.
local big = math.maxinteger          -- 2^63 - 1
local bigf = 2.0 ^ 63                -- exactly 2^63
print(big < bigf, big == bigf, big + 0.0 == bigf, big <= bigf)
print(2^53 == 2^53 + 1, (1 << 53) + 1 == 2^53, (1 << 53) + 1 > 2^53)
print(math.mininteger == -2^63, math.mininteger < -2^63, math.mininteger <= -2^63)
print(big < math.huge, math.mininteger > -math.huge)

-- NaN is unordered and unequal to everything, including itself.
local nan = 0 / 0
print(nan == nan, nan ~= nan, nan < 1, nan > 1, nan <= nan, 1 < nan, not (nan < nan))

-- Strings compare byte by byte (the C locale here); a prefix is smaller.
print("a" < "b", "a" < "ab", "" < "a", "Z" < "a", "abc" < "abd", "10" < "9")
print("a\0b" < "a\0c", "a\0" > "a", "\255" > "\1", "abc" <= "abc", "b" >= "abc")

-- Equality never converts: numbers and strings are different values.
print(1 == "1", "1" == 1, nil == false, {} == {}, "x" == "x")
local t = {}
print(t == t, print == print, math.type == math.type)

-- Ordering between different types (or non-numbers, non-strings) is an error.
local function try(f)
  local ok, err = pcall(f)
  print(ok, err)
end
try(function() return 1 < "2" end)
try(function() return "2" > 1 end)
try(function() return {} < {} end)
try(function() return nil < 1 end)
try(function() return 1 <= nil end)
try(function() return true < false end)
try(function() local a, b = {}, 1 return a >= b end)
try(function() return print < print end)

-- Comparison results are booleans and can be chained with 'and'/'or'.
local x = 5
print(1 < x and x < 10, x > 10 or x < 0, type(x == 5))
