-- print, type and tostring.

-- print separates arguments with tabs, ends with a newline, converts with tostring.
print(1, "two", 3.0, nil, true, false)
print()
print(nil)
print("")
print("a", "", "b")
print("embedded\nnewline", "tab\tinside")
print(("x"):rep(3), -0.0, 1e308 * 10, math.mininteger)

-- print uses __tostring (and __name).
local T = setmetatable({}, { __tostring = function() return "I am T" end })
print(T, "and", T)

-- In 5.3, print looks up the global 'tostring' on every call, so replacing
-- that global changes print's output.
local saved = tostring
tostring = function(v) return "<" .. saved(v) .. ">" end
print(1, "x", nil)
tostring = saved
print(1, "x", nil)

-- type returns one of eight names.
local co = coroutine.create(function() end)
print(type(nil), type(true), type(0), type(0.5), type(""), type({}), type(print), type(type), type(co))
print(type(io.stdout))
print(type(type(1)), type(function() end))
print(pcall(type))

-- tostring on every type (addresses are not printed, only prefixes).
print(tostring(nil), tostring(false), tostring(10), tostring(10.5), tostring("str"))
print(tostring({}):match("^table: ") ~= nil, tostring(print):match("^function: ") ~= nil)
print(tostring(co):match("^thread: ") ~= nil, tostring(io.stdout):match("^file %(") ~= nil)
-- tostring returns the same string for the same table.
local t = {}
print(tostring(t) == tostring(t), tostring(t) ~= tostring({}))
