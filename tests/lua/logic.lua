-- Truthiness, 'and'/'or'/'not' (short-circuit, returning operands), and
-- if/elseif/else chains.

-- Only nil and false are false; 0, "" and empty tables are true.
for _, v in ipairs({ 0, "", "false", 0.0, -0.0 }) do io.write(tostring(not not v), " ") end
print(not nil, not false, not {}, not print)

-- and/or return one of their operands, not a boolean.
print(1 and 2, nil and 2, false and nil, 1 or 2, nil or 2, false or nil, nil or false)
print(0 and "zero is true", "" or "never", nil and nil or "default")

-- Short-circuit: the right operand is evaluated only when needed.
local evaluated = {}
local function mark(name, v) evaluated[#evaluated + 1] = name return v end
local _ = mark("a", false) and mark("b", true)
_ = mark("c", true) or mark("d", true)
_ = mark("e", nil) or mark("f", 1) and mark("g", false) or mark("h", "x")
print(table.concat(evaluated, ","))

-- Precedence: not > and > or; comparisons bind tighter than and/or.
print(not 1 == 2, not (1 == 2), 1 < 2 and 2 < 3, false or true and false)
print(nil == false, not nil == not false)

-- The ternary idiom and its pitfall with false values.
local function pick(c, a, b) return c and a or b end
print(pick(true, "yes", "no"), pick(false, "yes", "no"), pick(true, false, "fallback"))

-- Multiple results are truncated to one inside and/or.
local function two() return 1, 2 end
print(two() and two(), (two()), two() or 5)

-- if / elseif / else.
local function classify(n)
  if n < 0 then return "negative"
  elseif n == 0 then return "zero"
  elseif n < 10 then return "small"
  else return "large" end
end
print(classify(-5), classify(0), classify(3), classify(42))

-- Conditions use truthiness, not equality with true.
local function truthy(v) if v then return "T" else return "F" end end
print(truthy(0), truthy(""), truthy(nil), truthy(false), truthy({}))

-- Nested conditions and empty branches.
local n = 0
if n == 0 then
  if n ~= 1 then n = n + 1 end
else
end
if false then elseif false then else n = n + 10 end
print(n)

-- Comparisons inside conditions with constant folding candidates.
if 1 + 1 == 2 and "a" .. "b" == "ab" and not (2 ^ 2 ~= 4) then print("constants ok") end
