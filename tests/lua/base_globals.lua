-- The global environment: _G, _ENV, _VERSION, and the standard names that
-- must exist in a fresh state.

print(_VERSION)
print(_G._G == _G, _ENV == _G, type(_G))

-- Globals are fields of _ENV.
gv = 1
print(_G.gv, _ENV.gv, rawget(_G, "gv"))
_G.gv2 = "via _G"
print(gv2)

-- The standard base functions and libraries are present.
local names = {
  "assert", "collectgarbage", "dofile", "error", "getmetatable", "ipairs", "load", "loadfile",
  "next", "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "require",
  "select", "setmetatable", "tonumber", "tostring", "type", "xpcall",
}
for _, n in ipairs(names) do io.write(n, "=", type(_G[n]), " ") end
print()
local libs = { "coroutine", "debug", "io", "math", "os", "package", "string", "table", "utf8" }
for _, n in ipairs(libs) do io.write(n, "=", type(_G[n]), " ") end
print()
-- Functions removed in 5.3 are absent.
print(rawget(_G, "unpack"), rawget(_G, "setfenv"), rawget(_G, "getfenv"), rawget(_G, "loadstring"))

-- A local _ENV redirects global accesses in its scope.
do
  local _ENV = { print = print, tostring = tostring }
  newvar = "in custom env"
  print(newvar, tostring(rawget ~= nil))
end
print(rawget(_G, "newvar"))

-- _ENV as a function parameter (sandboxing).
local function sandboxed(_ENV) return a + b end
print(sandboxed({ a = 1, b = 2 }))

-- Setting _ENV to a table with a metatable inherits globals.
local function withdefaults()
  local _ENV = setmetatable({}, { __index = _G })
  local x = math.max(1, 2)
  localglobal = x
  return localglobal, rawget(_G, "localglobal")
end
print(withdefaults())

-- A metatable on _G affects undefined globals (strict mode pattern).
setmetatable(_G, {
  __index = function(_, k) error("undefined global '" .. tostring(k) .. "'", 2) end,
  __newindex = function(t, k, v) rawset(t, k, v) end,
})
print(pcall(function() return not_declared end))
declared = 5
print(declared)
setmetatable(_G, nil)
print(not_declared)
