-- debug.getlocal / debug.setlocal: named locals at the frame's pc, block scopes, loop
-- control variables, temporaries, varargs (negative indices), parameter names of a
-- function value, other threads, and the argument errors.

-- Values that print the same under any VM (no addresses).
local function fmt(v)
  local t = type(v)
  if t == "function" or t == "table" or t == "thread" or t == "userdata" then return t end
  return tostring(v)
end

-- All locals of the frame at `level` (relative to the caller).
local function locals(level)
  local out = {}
  local i = 1
  while true do
    local name, value = debug.getlocal(level + 1, i)
    if not name then break end
    out[#out + 1] = name .. "=" .. fmt(value)
    i = i + 1
  end
  return table.concat(out, " ")
end

local function scopes(a, b)
  local c = a + b
  print(locals(1))
  do
    local inner = "in"
    print(locals(1))
  end
  print(locals(1))
  for i = 1, 2 do print(locals(1)) end
  for k, v in pairs({ key = "value" }) do print(locals(1)) end
  local late = true
  print(locals(1))
end
scopes(1, 2)

-- A local is visible only after its declaration completes.
local function before_after()
  local first = debug.getlocal(1, 1)
  local second = 2
  return first, debug.getlocal(1, 2)
end
print(before_after())

-- Parameter names of a function value (no values: it is not running).
local function params(alpha, beta, ...) local gamma = 1 end
print(debug.getlocal(params, 1), debug.getlocal(params, 2), debug.getlocal(params, 3))
print(debug.getlocal(params, 0), debug.getlocal(params, -1))
print(debug.getlocal(print, 1), select("#", debug.getlocal(print, 1)))

-- Varargs: negative indices, "(*vararg)"; setlocal changes them.
local function va(fixed, ...)
  local out = {}
  for i = 1, select("#", ...) + 1 do
    local n, v = debug.getlocal(1, -i)
    out[#out + 1] = tostring(n) .. "=" .. fmt(v)
  end
  print(table.concat(out, " "))
  print(debug.setlocal(1, -1, "changed"), debug.setlocal(1, -5, "no"), ...)
end
va(0)
va(0, "a", nil, 3)
local function not_va(x) return debug.getlocal(1, -1) end
print(not_va(1, 2, 3))

-- Temporaries: the rest of a frame's live slots.
local function temps()
  local named = "n"
  local r = { debug.getlocal(1, 2) }
  print(r[1], fmt(r[2]))
  print(debug.getlocal(1, 0))
  print(debug.getlocal(1, 50))
end
temps()

-- A Rust function's own arguments are temporaries (level 0 is getlocal itself).
print(debug.getlocal(0, 1))
print(debug.getlocal(0, 2))
print(debug.getlocal(0, 3))
print(select(2, pcall(function() return debug.getlocal(2, 1) end)))

-- The caller's temporaries (operands of an expression being evaluated).
local function peek() local n, v = debug.getlocal(2, 3) return v end
local function host(a, b) local r = (a * 10) + peek() return r end
print(pcall(host, 4, 5))

-- setlocal: the variable changes; out-of-range locals are not set.
local function setter()
  local x, y = 1, 2
  local r1, r2, r3 = debug.setlocal(1, 1, "one"), debug.setlocal(1, 2, "two"), debug.setlocal(1, 9, "nine")
  print(r1, r2, r3)
  print(x, y)
  local function change_caller() debug.setlocal(2, 1, "from callee") end
  change_caller()
  print(x)
end
setter()

-- Other threads: a suspended coroutine's locals and varargs, then resumed.
local co = coroutine.create(function(p, ...)
  local q = p * 2
  local r1, r2 = coroutine.yield(q)
  return p, q, r1, r2, ...
end)
print(coroutine.resume(co, 10, "v1", "v2"))
print(debug.getlocal(co, 1, 1))
print(debug.getlocal(co, 1, 2))
print(debug.getlocal(co, 1, 3))
print(debug.getlocal(co, 1, -1))
print(debug.getlocal(co, 1, -2))
print(debug.getlocal(co, 1, -3))
print(debug.setlocal(co, 1, 2, 99), debug.setlocal(co, 1, -2, "V2"), debug.setlocal(co, 1, 9, 0))
print(debug.getlocal(co, 0, 1))
print(coroutine.resume(co, "r1", "r2"))
print(pcall(debug.getlocal, co, 1, 1))
print(pcall(debug.getlocal, co, 0, 1))

-- The main thread seen from inside a coroutine.
local main_local = "main's"
local main = coroutine.running()
coroutine.wrap(function()
  local level = 1
  while true do
    local i = debug.getinfo(main, level, "S")
    if not i or i.what == "main" then break end
    level = level + 1
  end
  local out = {}
  for i = 1, 200 do
    local n, v = debug.getlocal(main, level, i)
    if not n then break end
    if n == "main_local" then out[#out + 1] = n .. "=" .. fmt(v) end
  end
  print(table.concat(out, " "))
end)()

-- A fresh coroutine has no levels.
local fresh = coroutine.create(print)
print(pcall(debug.getlocal, fresh, 0, 1))

-- Errors.
print(pcall(debug.getlocal))
print(pcall(debug.getlocal, 1))
print(pcall(debug.getlocal, 100, 1))
print(pcall(debug.getlocal, -1, 1))
print(pcall(debug.getlocal, "x", 1))
print(pcall(debug.getlocal, 1, "x"))
print(pcall(debug.getlocal, 1, 1.5))
print(pcall(debug.getlocal, co))
print(pcall(debug.setlocal))
print(pcall(debug.setlocal, 1))
print(pcall(debug.setlocal, 1, 1))
print(pcall(debug.setlocal, 100, 1, 1))
print(pcall(debug.setlocal, co, 5, 1, 1))
print(pcall(debug.setlocal, co, 1, 1))
