-- Coroutine switches: while a coroutine runs, the threads that resumed it
-- (status "normal") keep their stacks, locals, hooks and values alive; values of
-- every count cross a switch in both directions; resumers' stacks may move.

local weak = setmetatable({}, { __mode = "k" })
local function weak_count()
  local n = 0
  for _ in pairs(weak) do n = n + 1 end
  return n
end

-- 1. Objects only a resumer's stack holds survive collections run by the
-- coroutines it resumed (main thread -> a -> b).
do
  local in_main = {}
  weak[in_main] = true
  local b = coroutine.create(function()
    collectgarbage()
    collectgarbage()
    coroutine.yield(weak_count())
    collectgarbage()
    return weak_count()
  end)
  local a = coroutine.create(function()
    local in_a = {}
    weak[in_a] = true
    local ok, n = coroutine.resume(b)
    local ok2, m = coroutine.resume(b)
    return n, m, in_a ~= nil
  end)
  print("kept alive", coroutine.resume(a))
  collectgarbage() -- a is dead: only main's table is left
  print("main's local", in_main ~= nil, weak_count())
  in_main = nil
end
collectgarbage()
print("all collected", weak_count())

-- 2. The debug library sees a normal thread's frames, locals and hook.
local main = coroutine.running()
local co_a
local function show_normal(th, label)
  local info = debug.getinfo(th, 1, "Sl")
  print(label, info and info.short_src, info and info.currentline)
  local name, value = debug.getlocal(th, 1, 1)
  print(label, "local 1", name, value)
end

local b2 = coroutine.create(function()
  print("status of a", coroutine.status(co_a))
  show_normal(co_a, "a:")
  -- change a local of the normal thread: it sees the new value when resumed
  print("setlocal", debug.setlocal(co_a, 1, 1, "changed"))
  -- a hook set on a normal thread is its own, kept until it runs again
  debug.sethook(co_a, function() end, "c")
  print("hook of a", select(2, debug.gethook(co_a)))
  print("hook of b", debug.gethook())
  print(debug.traceback(co_a, "a's traceback"))
  print(debug.traceback(main, "main's traceback"))
  coroutine.yield()
end)
co_a = coroutine.create(function()
  local marker = "original"
  coroutine.resume(b2)
  print("a's local after resume", marker)
  print("a's hook mask", select(2, debug.gethook()))
  debug.sethook()
  return "a done"
end)
print(coroutine.resume(co_a))

-- 3. Many values both ways (stacks grow on either side of the switch).
do
  local co = coroutine.wrap(function(...)
    local n = select("#", ...)
    local t = { coroutine.yield(n, ...) }
    return #t, t[1], t[#t]
  end)
  local args = {}
  for i = 1, 3000 do args[i] = i end
  local r = { co(table.unpack(args)) }
  print("out", #r, r[1], r[2], r[#r])
  local back = {}
  for i = 1, 2500 do back[i] = -i end
  print("in", co(table.unpack(back)))
end

-- 4. A resumer's stack is reallocated between switches (deep recursion in
-- it); values and upvalues of both sides stay right.
do
  local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
  local shared = 0
  local gen = coroutine.wrap(function(a)
    for i = 1, 5 do
      shared = shared + a
      a = coroutine.yield(shared, i)
    end
    return "end"
  end)
  local outs = {}
  for i = 1, 6 do
    local x, y = gen(i)
    outs[#outs + 1] = tostring(x) .. ":" .. tostring(y)
    deep(2000 * i)
  end
  print(table.concat(outs, " "))
end

-- 5. A chain of nested resumes, each level passing values down and up.
do
  local function level(n)
    return coroutine.create(function(v)
      while true do
        if n == 0 then
          v = coroutine.yield(v + 1)
        else
          local _, r = coroutine.resume(level(n - 1), v * 2)
          v = coroutine.yield(r)
        end
      end
    end)
  end
  local top = level(20)
  local out = {}
  for i = 1, 3 do
    local _, r = coroutine.resume(top, i)
    out[#out + 1] = r
  end
  print("chain", table.concat(out, " "))
end

-- 6. Errors at depth come back through every level; the threads stay usable.
do
  local inner = coroutine.create(function() local x = nil; return x.field end)
  local outer = coroutine.create(function()
    local ok, msg = coroutine.resume(inner)
    coroutine.yield(ok, msg)
    return "outer fine", coroutine.status(inner)
  end)
  print(coroutine.resume(outer))
  print(coroutine.resume(outer))
  print(coroutine.resume(outer))
end
