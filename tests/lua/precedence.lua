-- Operator precedence and associativity, from lowest to highest:
--   or < and < comparison < | < ~ < & < shift < .. (right) < + - < * / // %
--   < unary (not # - ~) < ^ (right)

print(1 or 2 and nil, (1 or 2) and nil, nil and 1 or 2)
print(1 < 2 == true, "a" .. "b" == "ab", not 1 == 2)
print(1 | 2 ~ 3, 1 | (2 ~ 3), (1 | 2) ~ 3)
print(6 ~ 3 & 5, 6 ~ (3 & 5), (6 ~ 3) & 5)
print(1 & 3 << 1, 1 & (3 << 1), (1 & 3) << 1)
print(1 << 2 .. "", pcall(load("return 1 << 2 .. 3")))
print(1 .. 2 + 3, "x" .. 2 * 3, 2 + 3 .. "")
print(2 + 3 * 4, 2 * 3 + 4, 10 - 4 - 3, 10 - (4 - 3), 2 * 3 % 4, 2 * (3 % 4))
print(7 // 2 * 2, 7 // (2 * 2), 9 / 3 / 3, 9 / (3 / 3))
print(-2 ^ 2, (-2) ^ 2, -2 ^ -2, 2 ^ -1)
print(2 ^ 3 ^ 2, (2 ^ 3) ^ 2)
print(not nil == true, not (nil == true), #"abc" + 1, -#"abc", ~0 + 1, - - 3, not not nil)
print(#"ab" .. "c", -3 ^ 2 + 1, 2 ^ -3 ^ 0)
-- Concatenation is right-associative (observable via __concat order).
local order = {}
local M = { __concat = function(a, b)
  local sa = type(a) == "table" and a.n or a
  local sb = type(b) == "table" and b.n or b
  order[#order + 1] = sa .. "+" .. sb
  return sa .. sb
end }
local A, B, C = setmetatable({ n = "A" }, M), setmetatable({ n = "B" }, M), setmetatable({ n = "C" }, M)
local _ = A .. B .. C
print(table.concat(order, " "))
-- Comparison operators are non-associative in effect: (1 < 2) < 3 is an error.
print(pcall(load("return 1 < 2 < 3")))
-- Unary operators chain.
print(- -2, not not 0, ~~5, - ~5, ~-5)
-- Long mixed expression.
local a, b, c, d = 2, 3, 4, 5
print(a + b * c ^ 2 // d - -a % b .. "|" .. (a < b and c or d) .. "|" .. (a | b & c ~ d << 1))
