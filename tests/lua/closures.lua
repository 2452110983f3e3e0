-- Closures and upvalues: shared upvalues, counters, upvalues of upvalues,
-- closing upvalues when a scope ends, and recursion through upvalues.

-- A counter factory: each closure has its own state.
local function counter()
  local n = 0
  return function() n = n + 1 return n end
end
local c1, c2 = counter(), counter()
print(c1(), c1(), c1(), c2(), c1(), c2())

-- Two closures sharing one upvalue see each other's writes.
local function pair()
  local v = 0
  local function get() return v end
  local function set(x) v = x end
  return get, set
end
local get, set = pair()
set(42)
print(get())
set("changed")
print(get())

-- The enclosing function also shares the variable while it is active.
local function shared()
  local x = 1
  local inc = function() x = x + 1 end
  inc(); inc()
  local before = x
  x = 100
  inc()
  return before, x
end
print(shared())

-- Upvalues of upvalues (three levels).
local function outer()
  local a = "a"
  return function()
    local b = "b"
    return function()
      a = a .. "!"
      return a .. b
    end
  end
end
local mk = outer()
local f1, f2 = mk(), mk()
print(f1(), f2(), f1())

-- Closing: a closure keeps the value the variable had when the block ended.
local fs = {}
do
  local x = "first"
  fs[1] = function() return x end
  x = "second"
end
do
  local x = "other block"
  fs[2] = function() return x end
end
print(fs[1](), fs[2]())

-- Parameters are locals too.
local function adder(n) return function(m) return n + m end end
local add5 = adder(5)
print(add5(1), adder(10)(20))

-- Recursive local functions refer to themselves through an upvalue.
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(20))
local fib
fib = function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20))

-- A closure created in a loop over a shared outer variable shares it.
local acc = 0
local adders = {}
for i = 1, 3 do adders[i] = function() acc = acc + i return acc end end
print(adders[1](), adders[2](), adders[3](), acc)

-- Many upvalues in one closure.
local u1, u2, u3, u4, u5, u6, u7, u8 = 1, 2, 3, 4, 5, 6, 7, 8
local function sum8() return u1 + u2 + u3 + u4 + u5 + u6 + u7 + u8 end
u8 = 80
print(sum8())

-- Closures as objects: private state.
local function account(balance)
  local self = {}
  function self.deposit(v) balance = balance + v end
  function self.balance() return balance end
  return self
end
local acct = account(100)
acct.deposit(50)
print(acct.balance())

-- Upvalues survive after a pcall error unwinds the creating frame.
local saved
pcall(function()
  local secret = "kept"
  saved = function() return secret end
  error("unwind")
end)
print(saved())
