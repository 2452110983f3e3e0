-- Coroutine errors: errors inside the body, resuming dead / running /
-- normal coroutines, yield outside a coroutine, yield across pcall (allowed
-- in 5.3), and errors in metamethods or C functions interacting with yield.

-- An error kills the coroutine; resume returns false and the message.
local co = coroutine.create(function() local x = nil; return x.field end)
print(coroutine.resume(co))
print(coroutine.status(co), coroutine.resume(co))
-- Non-string error values come back unchanged.
local cot = coroutine.create(function() error({ tag = "E" }) end)
local ok, e = coroutine.resume(cot)
print(ok, type(e), e.tag)

-- Resuming a running or normal coroutine is an error (returned, not raised).
local self_co
self_co = coroutine.create(function() return coroutine.resume(self_co) end)
print(coroutine.resume(self_co))
local parent
parent = coroutine.create(function()
  local child = coroutine.create(function() return coroutine.resume(parent) end)
  return coroutine.resume(child)
end)
print(coroutine.resume(parent))

-- Yield from the main thread.
print(pcall(coroutine.yield, 1))

-- Bad arguments.
print(pcall(coroutine.resume, 42))
print(pcall(coroutine.create, "not a function"))
print(pcall(coroutine.status, {}))

-- yield across pcall: allowed in 5.3; the pcall stays active after resuming.
local cp = coroutine.create(function()
  local ok1, v = pcall(function()
    local got = coroutine.yield("from inside pcall")
    if got == "raise" then error("raised after resume", 0) end
    return got
  end)
  coroutine.yield("pcall returned", ok1, v)
  local ok2, v2 = pcall(function()
    coroutine.yield("second pcall")
    error("raised after resume", 0)
  end)
  return "end", ok2, v2
end)
print(coroutine.resume(cp))
print(coroutine.resume(cp, "value"))
print(coroutine.resume(cp))
print(coroutine.resume(cp))
print(coroutine.status(cp))

-- yield inside xpcall with a handler.
local cx = coroutine.create(function()
  return xpcall(function() coroutine.yield(1) error("x", 0) end, function(m) return "handled " .. m end)
end)
print(coroutine.resume(cx))
print(coroutine.resume(cx))

-- yield inside a metamethod called from Lua code (allowed in 5.3).
local Y = setmetatable({}, { __index = function(_, k) return coroutine.yield("index " .. k) end })
local cm = coroutine.create(function() return "got " .. Y.key end)
print(coroutine.resume(cm))
print(coroutine.resume(cm, "V"))

-- yield inside a generic-for iterator.
local ci = coroutine.create(function()
  local sum = 0
  for v in function(_, c) c = (c or 0) + 1 if c <= 3 then coroutine.yield(c) return c end end do sum = sum + v end
  return sum
end)
for _ = 1, 4 do print(coroutine.resume(ci)) end

-- yield across a C function that does not support it (table.sort comparator).
local cs = coroutine.create(function()
  table.sort({ 3, 2, 1 }, function(a, b) coroutine.yield() return a < b end)
end)
print(coroutine.resume(cs))

-- An error after yields still reports the right line.
local cl = coroutine.create(function()
  coroutine.yield()
  error("late error")
end)
coroutine.resume(cl)
print(coroutine.resume(cl))
