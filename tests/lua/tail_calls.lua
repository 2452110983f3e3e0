-- Proper tail calls: 'return f(args)' reuses the frame, so tail-recursive
-- loops of any length run in constant stack space.

local function loop(n, acc)
  if n == 0 then return acc end
  return loop(n - 1, acc + 1)
end
print(loop(1000000, 0))

-- Mutual tail recursion.
local is_even, is_odd
function is_even(n) if n == 0 then return true end return is_odd(n - 1) end
function is_odd(n) if n == 0 then return false end return is_even(n - 1) end
print(is_even(1000001), is_odd(1000001))

-- Tail calls through method calls and varargs.
local obj = { n = 0 }
function obj:step(k, ...)
  if k == 0 then return self.n, select("#", ...) end
  self.n = self.n + 1
  return self:step(k - 1, ...)
end
print(obj:step(500000, "a", "b"))

-- A tail call returns all results of the callee.
local function many() return 1, 2, 3 end
local function tail() return many() end
local function nottail() return (many()) end
print(tail())
print(nottail())

-- A tail call to a Rust/C function also works.
local function tailc(s) return string.upper(s) end
print(tailc("abc"))
local function tailselect(...) return select("#", ...) end
print(tailselect(nil, nil, nil))

-- Tail calls via __call.
local callable = setmetatable({}, { __call = function(self, n) if n == 0 then return "called out" end return self(n - 1) end })
local function via(n) return callable(n) end
print(via(300000))

-- Non-tail recursion of moderate depth works too.
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(10000))

-- A "tail call" inside parentheses or followed by more work is not a tail call,
-- but results are still right.
local function addone(n) if n == 0 then return 0 end return depth(0) + addone(n - 1) + 1 end
print(addone(1000))
