-- debug.getinfo: levels and functions, every option of "nSltufL", names from the
-- calling code, tail calls, coroutines (thread argument), argument errors.

-- Print a getinfo table with sorted keys; functions and tables print as their type.
local function show(t)
  if t == nil then return "nil" end
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  local out = {}
  for _, k in ipairs(ks) do
    local v = t[k]
    if type(v) == "function" or type(v) == "table" then v = type(v) end
    out[#out + 1] = k .. "=" .. tostring(v)
  end
  return table.concat(out, " ")
end

-- Default options ("flnStu") at the main chunk and for functions.
print(show(debug.getinfo(1)))
print(show(debug.getinfo(print)))
local function plain(a, b) return a end
print(show(debug.getinfo(plain)))
print(show(debug.getinfo(function(x, ...) return plain end)))

-- Each option alone.
for _, opt in ipairs({ "n", "S", "l", "t", "u", "f", "L", "" }) do
  print(opt, show(debug.getinfo(1, opt)))
end

-- Source names: file, string chunks, '=' and '@' names, long names.
local function src(chunk, name)
  local f = load("return function() return debug.getinfo(1, 'Sl') end", name)()
  local i = f()
  return i.source:sub(1, 30), i.short_src, i.what, i.linedefined, i.lastlinedefined, i.currentline
end
print(src(nil, nil))
print(src(nil, "=custom name"))
print(src(nil, "@path/to/file.lua"))
print(src(nil, "@" .. string.rep("d/", 40) .. "end.lua"))
print(src(nil, "=" .. string.rep("x", 80)))
print(src(nil, "line one\nline two"))
print(src(nil, ""))
local main = load("local a = 1\nlocal b = 2\nreturn debug.getinfo(1, 'Sl')", "=chunk")()
print(main.what, main.linedefined, main.lastlinedefined, main.currentline, main.short_src)

-- linedefined / lastlinedefined of a multi-line function, current lines as it runs.
local function lines()
  local a = debug.getinfo(1, "l").currentline
  local b = debug.getinfo(1, "l").currentline
  return a, b
end
print(debug.getinfo(lines, "S").linedefined, debug.getinfo(lines, "S").lastlinedefined, lines())
print(debug.getinfo(lines, "l").currentline, debug.getinfo(print, "l").currentline)

-- activelines: the lines with code, nothing for Rust functions.
local al = debug.getinfo(lines, "L").activelines
local ls = {}
for l, v in pairs(al) do ls[#ls + 1] = l .. "=" .. tostring(v) end
table.sort(ls)
print(table.concat(ls, " "))
print(debug.getinfo(print, "L").activelines, debug.getinfo(1, "L").activelines ~= nil)

-- 'u': upvalues, parameters, varargs.
local up1, up2 = 1, 2
local function uses(a, b, c) return up1 + up2 end
print(show(debug.getinfo(uses, "u")))
print(show(debug.getinfo(print, "u")))
print(show(debug.getinfo(coroutine.wrap(function() end), "u")))
print(show(debug.getinfo(1, "u")))

-- 'f': the running function itself.
local function me() return debug.getinfo(1, "f").func end
print(me() == me, debug.getinfo(me, "f").func == me)

-- Names from the calling instruction (each caller keeps its frame: no tail calls).
local function name_of(level)
  local i = debug.getinfo(level + 1, "n")
  return i.namewhat .. " " .. tostring(i.name)
end
local function loc() local r = name_of(1) return r end
print("local:", loc())
function glob() local r = name_of(1) return r end
print("global:", glob())
local t = { field = function() local r = name_of(1) return r end, sub = {} }
t.sub.deep = function() local r = name_of(1) return r end
print("field:", t.field())
print("field:", t.sub.deep())
print("field:", t["field"]())
local key = "field"
print("field with a variable key:", t[key]())
function t:meth() local r = name_of(1) return r end
print("method:", t:meth())
print("caller:", (function() local r = name_of(2) return r end)())
local upf = loc
print("upvalue:", (function() local r = upf() return r end)())
print("tail-called:", (function() return loc() end)())
print("pcall'd:", select(2, pcall(name_of, 0)))
for _ in function(_, c) if not c then print("iterator:", name_of(1)) return 1 end end do end
print("level 0:", name_of(0))
print("level 0 via local:", (function() local gi = debug.getinfo return gi(0, "n").namewhat, gi(0, "n").name end)())
print("main chunk:", name_of(1))

-- Metamethods called by instructions are named after the event.
local mt = {}
local events = { "__index", "__newindex", "__add", "__sub", "__mul", "__div", "__mod", "__pow",
  "__unm", "__idiv", "__band", "__bor", "__bxor", "__shl", "__shr", "__bnot", "__concat",
  "__len", "__eq", "__lt", "__le", "__call" }
local seen = {}
for _, e in ipairs(events) do
  mt[e] = function(...)
    local i = debug.getinfo(1, "n")
    seen[#seen + 1] = tostring(i.namewhat) .. ":" .. tostring(i.name)
    if e == "__eq" or e == "__lt" or e == "__le" then return true end
    return 1
  end
end
local a, b = setmetatable({}, mt), setmetatable({}, mt)
local _ = a.x; a.y = 1
_ = a + 1; _ = a - 1; _ = a * 1; _ = a / 1; _ = a % 1; _ = a ^ 1; _ = -a; _ = a // 1
_ = a & 1; _ = a | 1; _ = a ~ 1; _ = a << 1; _ = a >> 1; _ = ~a; _ = a .. "s"
_ = #a; _ = a == b; _ = a < b; _ = a <= b; _ = a()
print(table.concat(seen, " "))

-- Tail calls: no name, istailcall, the traceback marks them.
local function tail_target() return show(debug.getinfo(1, "nt")), show(debug.getinfo(2, "Snt")) end
local function tail_caller() return tail_target() end
print(tail_caller())
local function deep_tail(n) if n == 0 then return debug.getinfo(1, "t").istailcall end return deep_tail(n - 1) end
print(deep_tail(0), deep_tail(3))

-- Levels: out of range gives nil; levels are C ints.
print(debug.getinfo(100), debug.getinfo(-1), type(debug.getinfo(2 ^ 53)))
print(debug.getinfo(2 ^ 32, "S").what, debug.getinfo(2 ^ 32 + 1, "S").what)
local depth = 0
while debug.getinfo(depth + 1) do depth = depth + 1 end
print("depth from main:", depth)

-- Coroutines: levels of another thread.
local co = coroutine.create(function(x)
  local y = x
  coroutine.yield(debug.getinfo(1, "l").currentline)
  return y
end)
print(debug.getinfo(co, 0), debug.getinfo(co, 1))
local _, line = coroutine.resume(co, 5)
print(show(debug.getinfo(co, 0, "nSlt")))
print(debug.getinfo(co, 1, "l").currentline == line, debug.getinfo(co, 1, "S").what)
print(debug.getinfo(co, 2), debug.getinfo(co, 1, "f").func ~= nil)
coroutine.resume(co)
print(coroutine.status(co), debug.getinfo(co, 0))
local running = coroutine.running()
print(debug.getinfo(running, 0, "n").name, debug.getinfo(running, 1, "S").what)
local inner = coroutine.wrap(function()
  return debug.getinfo(running, 0, "n").name, debug.getinfo(running, 1, "l").currentline,
    debug.getinfo(1, "S").what, debug.getinfo(2)
end)
print(inner())

-- Errors.
print(pcall(debug.getinfo))
print(pcall(debug.getinfo, "x"))
print(pcall(debug.getinfo, {}))
print(pcall(debug.getinfo, 1, "X"))
print(pcall(debug.getinfo, print, "nSX"))
print(pcall(debug.getinfo, print, ">S"))
print(pcall(debug.getinfo, 1, {}))
print(pcall(debug.getinfo, co))
print(pcall(debug.getinfo, co, 0, "?"))
print(pcall(debug.getinfo, 1.5))
print(select("#", debug.getinfo(100)))
print(show(debug.getinfo(1, ">S")))
