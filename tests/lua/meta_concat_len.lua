-- __concat and __len.

local calls = {}
local C = {}
C.__concat = function(a, b)
  local function s(x) return type(x) == "table" and ("<" .. x.name .. ">") or tostring(x) end
  calls[#calls + 1] = s(a) .. "+" .. s(b)
  return s(a) .. s(b)
end
local function obj(name) return setmetatable({ name = name }, C) end
local A, B = obj("A"), obj("B")

print(A .. "x", "x" .. A, A .. B, 1 .. A, A .. 2.5)

-- A chain is evaluated right to left; plain strings/numbers on the right are
-- joined first, then the metamethod sees the partial result.
calls = {}
print("a" .. "b" .. A .. "c" .. "d")
print(table.concat(calls, " | "))
calls = {}
print(A .. B .. "z")
print(table.concat(calls, " | "))

-- The handler may return a non-string, which then feeds the next '..'.
local N = setmetatable({}, { __concat = function(a, b) return 42 end })
print(N .. "x", "x" .. N, "<" .. (N .. N) .. ">", math.type(N .. 1))

-- __concat is also used for booleans/nil on the other side.
print(A .. true, nil .. A)

-- Without a handler: error.
print(pcall(function() local t = {} return "a" .. t .. "b" end))

-- __len: called by '#' for tables; its first result is used as is.
local L = setmetatable({ 1, 2, 3 }, { __len = function(t) return rawlen(t) * 10, "ignored" end })
print(#L, rawlen(L))
local S = setmetatable({}, { __len = function() return "not a number" end })
print(#S)
local args
local W = setmetatable({}, { __len = function(a, b) args = { rawequal(a, b), type(b) } return 0 end })
print(#W, args[1], args[2])

-- A __len handler that fails propagates the error.
local E = setmetatable({}, { __len = function() error("no length here") end })
print(pcall(function() return #E end))

-- Strings ignore __len (their length is primitive).
print(#"four")
