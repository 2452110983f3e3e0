-- nested functions, upvalues (also in loops), varargs, method calls, tail calls
local function outer(a, b, ...)
  local n = select('#', ...)
  local t = {...}
  local function inner(x)
    a = a + x
    return a, b, n
  end
  return inner, ...
end

local obj = {v = 0}
function obj.get(self) return self.v end
function obj:set(v) self.v = v; return self end
function obj.nested.deep:method(a, b) return a + b end
obj:set(10):set(20)
print(obj:get(), obj.get(obj))

local closures = {}
for i = 1, 10 do
  local j = i * 2
  closures[i] = function() return i + j end
end
for k, v in pairs(closures) do
  local w = v
  closures[k] = function() return w() + k end
end
local i = 1
while i < 5 do
  local x = i
  closures[#closures + 1] = function() x = x + 1; return x end
  i = i + 1
end
repeat
  local y = i
  closures[#closures + 1] = function() return y end
  i = i - 1
until y < 2

local function va(...)
  local a, b = ...
  local c = ... 
  print(...)
  print(..., 1)
  print(1, ...)
  local t = {..., n = select('#', ...)}
  local u = {...}
  local v = {(...)}
  return ...
end
local function tail(n)
  if n == 0 then return "done" end
  return tail(n - 1)
end
local function notail(n) return (tail(n)) end
local function multi() return 1, 2, 3 end
local p, q, r, s = multi()
local x1, x2 = multi(), 10
print(multi(), multi())
print((multi()))
local function deep1()
  local u1 = 1
  return function()
    local u2 = 2
    return function()
      local u3 = 3
      return function() return u1 + u2 + u3 end
    end
  end
end
local f = function(...) return select(2, ...) end
string.format("%d", 1):upper()
return outer, va, tail, deep1
