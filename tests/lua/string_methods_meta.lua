-- methods of strings through the strings' metatable, and what happens when it changes
print(("abc"):upper(), ("abc"):len(), #("x"):rep(3))
print(pcall(function() return ("x"):nosuch() end))
local mt = getmetatable("")
local saved = mt.__index
mt.__index = nil
print(pcall(function() return ("x"):upper() end))
print(pcall(function() local s = "x"; return s.upper end))
mt.__index = function(s, k) return function(self, a) return "fn:" .. k .. ":" .. self .. ":" .. tostring(a) end end
print(("x"):foo(1))
mt.__index = setmetatable({}, { __index = saved })
print(("chain"):upper())
mt.__index = saved
print(("x"):upper())
local t = setmetatable({}, { __index = "abc" })
print(pcall(function() return t:upper() end))
