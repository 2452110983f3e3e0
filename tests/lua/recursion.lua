-- Deep recursion: 150000 nested Lua calls must work (PUC 5.3 allows about
-- 500000 for a small function with its default 1,000,000-slot stack), and
-- unbounded recursion is a catchable "stack overflow" error.

local function depth(n)
  if n == 0 then return 0 end
  return 1 + depth(n - 1)
end
print(depth(150000))

-- Recursion with more locals per frame.
local function sum(n, a, b, c)
  if n == 0 then return a + b + c end
  local x, y, z = n, n * 2, n * 3
  return sum(n - 1, a + 1, b, c) + (x + y + z) * 0
end
print(sum(50000, 0, 0, 0))

-- Unbounded recursion.
local function forever(n) return 1 + forever(n + 1) end
local ok, msg = pcall(forever, 1)
print(ok, type(msg), msg:find("stack overflow") ~= nil)
print(msg:match("^recursion%.lua:%d+: ") ~= nil)

-- The interpreter is fully usable after a stack overflow.
print(depth(1000))
ok, msg = pcall(forever, 1)
print(ok, msg:find("stack overflow") ~= nil)

-- Stack overflow inside a coroutine is caught by resume.
local co = coroutine.create(function() return forever(1) end)
local cok, cmsg = coroutine.resume(co)
print(cok, cmsg:find("stack overflow") ~= nil, coroutine.status(co))

-- Mutual recursion (non-tail).
local ping, pong
function ping(n) if n == 0 then return "ping" end return (pong(n - 1)) end
function pong(n) if n == 0 then return "pong" end return (ping(n - 1)) end
print(ping(100001), ping(100000))

-- Deep recursion with varargs.
local function va(n, ...)
  if n == 0 then return select("#", ...) end
  return (va(n - 1, ...))
end
print(va(100000, 1, 2, 3))

-- Recursive data structure building and walking.
local function build(n) if n == 0 then return nil end return { next = build(n - 1), v = n } end
local list = build(20000)
local function len(l) if l == nil then return 0 end return 1 + len(l.next) end
print(len(list), list.v)

-- Error thrown from deep inside unwinds all frames.
local function thrower(n) if n == 0 then error("bottom", 0) end return (thrower(n - 1)) end
print(pcall(thrower, 100000))
