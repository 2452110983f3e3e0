-- setmetatable / getmetatable: argument rules, return values, the
-- __metatable protection field, and metatables of non-table types.

local t = {}
local mt = {}
print(setmetatable(t, mt) == t, getmetatable(t) == mt)
print(setmetatable(t, nil) == t, getmetatable(t))

-- Only tables get metatables from Lua; other types report their shared one.
print(getmetatable(1), getmetatable(nil), getmetatable(print), getmetatable(true))
print(getmetatable("abc").__index == string, getmetatable("a") == getmetatable("b"))

-- __metatable hides the real metatable and forbids changing it.
local prot = setmetatable({}, { __metatable = "locked" })
print(getmetatable(prot))
print(pcall(setmetatable, prot, {}))
print(pcall(setmetatable, prot, nil))
local prot2 = setmetatable({}, { __metatable = false })
print(getmetatable(prot2), pcall(setmetatable, prot2, {}))

-- The string metatable is protected only if someone sets __metatable; its
-- __index is the string table.
print(type(getmetatable("")), getmetatable("").__metatable)

-- Argument errors.
local function try(...)
  print(pcall(...))
end
try(setmetatable, nil, {})
try(setmetatable, 1, {})
try(setmetatable, {}, 1)
try(setmetatable, {})
try(getmetatable)
try(function() return setmetatable("s", {}) end)

-- A metatable can be its own metatable, and be shared by many tables.
local selfmt = {}
selfmt.__index = selfmt
setmetatable(selfmt, selfmt)
selfmt.value = 5
local a, b = setmetatable({}, selfmt), setmetatable({}, selfmt)
print(a.value, b.value, getmetatable(a) == getmetatable(b))

-- Fields added to the metatable after setmetatable take effect.
local late = {}
local obj = setmetatable({}, late)
late.__index = function() return "late" end
late.__add = function() return "added" end
print(obj.anything, obj + 1)
