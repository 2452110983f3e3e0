-- upvalues: several levels, shared, in loops and repeat conditions, _ENV
local a, b = 1, 2
local function level1()
  local c = 3
  local function level2()
    local d = 4
    return function()
      a = a + b + c + d
      return function() return a, b, c, d, level1, level2 end
    end
  end
  return level2
end
for i = 1, 3 do
  local captured = i
  repeat
    local inner = captured
    local f = function() return inner + captured + i end
  until inner
end
local k = 0
repeat
  local z = k
  k = k + 1
until (function() return z > 3 end)()
local x = 1
do
  local x = 2
  local function g() return x end
end
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
do
  local _ENV = {print = print}
  y = 1
  print(y)
  local function h() z = 2 return z end
end
local function setenv(env)
  local _ENV = env
  return function() return w end
end
local upper = _ENV
local function useenv() return upper.print, _ENV.print end
return counter, setenv, useenv
