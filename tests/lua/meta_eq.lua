-- __eq: only consulted when both operands are tables (or both userdata) and
-- they are not primitively equal; the result is converted to a boolean.

local calls = 0
local E = { __eq = function(a, b) calls = calls + 1 return a.id == b.id end }
local function obj(id) return setmetatable({ id = id }, E) end
local a1, a2, b = obj(1), obj(1), obj(2)

print(a1 == a2, a1 == b, a1 ~= a2, a1 ~= b, calls)

-- Identical tables never call __eq.
calls = 0
print(a1 == a1, a1 ~= a1, calls)

-- Different types never call __eq, even with a handler.
calls = 0
print(a1 == 1, a1 == "x", a1 == nil, 1 == a1, calls)

-- Only one operand needs the handler (the first operand's is tried first).
local plain = { id = 1 }
calls = 0
print(a1 == plain, plain == a1, calls)
local first
local X = setmetatable({}, { __eq = function() first = "X" return true end })
local Y = setmetatable({}, { __eq = function() first = "Y" return true end })
print(X == Y, first, Y == X, first)

-- The result is converted to boolean: any truthy value is true.
local T = { __eq = function() return "yes" end }
local F = { __eq = function() return nil end }
print(setmetatable({}, T) == setmetatable({}, T), setmetatable({}, F) == setmetatable({}, F))
print(setmetatable({}, T) ~= setmetatable({}, T))

-- __eq is not used for table keys: equal-by-__eq tables are different keys.
local t = {}
t[a1] = "a1"
print(t[a2], t[a1])

-- Nor by rawequal.
print(rawequal(a1, a2))

-- Errors in __eq propagate.
local bad = { __eq = function() error("eq failed") end }
print(pcall(function() return setmetatable({}, bad) == setmetatable({}, bad) end))

-- Comparisons with numbers of both subtypes do not involve metamethods.
print(1 == 1.0, math.maxinteger == math.maxinteger + 0.0, "1" == 1)
