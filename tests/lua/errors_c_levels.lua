-- PUC's limit of 200 C levels: nested pcall/xpcall, metamethods, resumes, the parser

local function count(...)
  local n, last = 0, nil
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    if v == true then n = n + 1 else last = v end
  end
  return n, last
end

-- nested pcall: the innermost one catches "C stack overflow"
local function f() return pcall(f) end
print(count(f()))

-- nested xpcall with a handler
local function g() return xpcall(g, function(m) return "handled: " .. m end) end
print(count(g()))

-- an __index function that recurses through itself
local mt = {}
mt.__index = function(t, k) return t[k] end
print(pcall(function() return setmetatable({}, mt).x end))

-- __eq, __lt and __concat recursion
local e = setmetatable({}, {__eq = function(a, b) return a == b end})
print(pcall(function() return e == setmetatable({}, getmetatable(e)) end))
local l = setmetatable({}, {__lt = function(a, b) return a < b end})
print(pcall(function() return l < l end))
local c = setmetatable({}, {__concat = function(a, b) return a .. b end})
print(pcall(function() return c .. "x" end))

-- __call chains through pcall
local callee = setmetatable({}, {__call = function(self) return pcall(self) end})
print(count(callee()))

-- nested coroutines
local function r() local w = coroutine.wrap(r); return w() end
local ok, msg = pcall(r)
print(ok, select(2, string.gsub(msg, "C stack overflow", "")), #msg > 1000)

-- the parser's nesting
local s = string.rep("(", 300) .. "1" .. string.rep(")", 300)
print(load("return " .. s))
print(load("return " .. string.rep("(", 150) .. "1" .. string.rep(")", 150)) ~= nil)

-- after all that, everything still works
print(pcall(function() return 1 + 1 end))
