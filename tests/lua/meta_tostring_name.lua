-- __tostring (used by tostring and print) and __name (used by tostring and
-- by argument error messages when there is no __tostring).

local P = { __tostring = function(p) return "P(" .. p.x .. ")" end }
local p = setmetatable({ x = 1 }, P)
print(p, tostring(p), tostring(p) == "P(1)")
print(string.format("%s|%s", p, 5))

-- __tostring must return a string.
local bad = setmetatable({}, { __tostring = function() return 42 end })
-- (a number counts as a string here, as everywhere in the C API)
print(pcall(tostring, bad))
local badnil = setmetatable({}, { __tostring = function() end })
print(pcall(print, badnil))

-- An error inside __tostring propagates.
local boom = setmetatable({}, { __tostring = function() error("no text", 0) end })
print(pcall(tostring, boom))

-- __name: "NAME: address" from tostring when __tostring is absent.
local N = setmetatable({}, { __name = "MyType" })
print((tostring(N):match("^MyType: ")))
-- __name must be a string to be used.
local N2 = setmetatable({}, { __name = 7 })
print((tostring(N2):match("^table: ")))

-- __name appears in "bad argument" messages.
print(pcall(math.floor, N))
print(pcall(string.rep, N, 1))
print(pcall(setmetatable, N, 1))

-- Default tostring formats: only the type prefix is deterministic.
print((tostring({}):match("^table: ")), (tostring(print):match("^function: ")))
print((tostring(coroutine.create(print)):match("^thread: ")))
print(tostring(nil), tostring(true), tostring(false), tostring(12), tostring(-1.5), tostring("s"))

-- tostring requires an argument.
print(pcall(tostring))
