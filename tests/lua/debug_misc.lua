-- debug.traceback (messages, levels, threads), raw metatables of every type,
-- getregistry, user values, and sethook/gethook (stored settings; no hook fires here).

-- Tracebacks: the message, then "stack traceback:" and one line per level.
local function lvl3() return debug.traceback("in lvl3") end
local function lvl2() local r = lvl3() return r end
local function lvl1() local r = lvl2() return r end
print(lvl1())
print(debug.traceback())
print(debug.traceback("level 0", 0))
print(debug.traceback("level 2", 2))
print(debug.traceback("too deep", 50))
print(debug.traceback("negative", -1))
print(debug.traceback(42))
print(debug.traceback(1.5, 1))
print(debug.traceback(nil, 1))
print(debug.traceback("nil level", nil))
local t = {}
print(debug.traceback(t) == t, debug.traceback(print) == print, debug.traceback(true))
print(select("#", debug.traceback(false)))
print(pcall(debug.traceback, "x", "y"))

-- Tail calls and Rust functions in a traceback; names from package.loaded.
local function tail() return debug.traceback("tail") end
local function calls_tail() return tail() end
print((calls_tail()))
print(select(2, pcall(debug.traceback, "through pcall")))
print(select(2, xpcall(function() local x = nil; return x.field end, debug.traceback)))
local mt = { __index = function(_, k) return debug.traceback("index " .. k, 1) end }
print(setmetatable({}, mt).key)
print(table.concat({ "sorted" }, debug.traceback("", 1):sub(1, 0)))

-- Long stacks are cut: 10 levels, "...", then the last 11.
local function recurse(n) if n == 0 then return debug.traceback("deep") end local r = recurse(n - 1) return r end
print(recurse(30))
print(recurse(19))

-- Threads: a suspended coroutine, a dead one (error keeps its frames), a fresh one.
local co = coroutine.create(function(x)
  local function inner() coroutine.yield(x) end
  inner()
  error("failed here")
end)
coroutine.resume(co, 1)
print(debug.traceback(co))
print(debug.traceback(co, "with message"))
print(debug.traceback(co, "from level 1", 1))
print(debug.traceback(co, nil, 2))
print(coroutine.resume(co))
print(debug.traceback(co, "dead"))
print(debug.traceback(coroutine.create(print), "fresh"))
local main = coroutine.running()
print(debug.traceback(main, "main thread"))
print(coroutine.wrap(function() return debug.traceback(main, "main from a coroutine") end)())
print(coroutine.wrap(function() return debug.traceback("inside a coroutine") end)())

-- getmetatable ignores __metatable; setmetatable works on any type.
local locked = setmetatable({}, { __metatable = "locked", __index = { k = "v" } })
print(getmetatable(locked), type(debug.getmetatable(locked)), debug.getmetatable(locked).__metatable)
print(debug.setmetatable(locked, nil) == locked, getmetatable(locked), locked.k)
print(debug.getmetatable("").__index == string)
print(debug.getmetatable(1), debug.getmetatable(nil), debug.getmetatable(true), debug.getmetatable(print))

local nmt = { __index = { double = function(n) return n * 2 end }, __call = function(n, m) return n + m end }
print(debug.setmetatable(21, nmt))
print((21):double(), (1.5):double(), (10)(5), debug.getmetatable(7) == nmt)
debug.setmetatable(0, nil)
print(debug.getmetatable(7), pcall(function() return (1):double() end))

debug.setmetatable(nil, { __index = function(_, k) return "nil." .. k end, __len = function() return 0 end })
local nothing
print(nothing.field, #nothing)
debug.setmetatable(nil, nil)
print(pcall(function() return nothing.field end))

debug.setmetatable(true, { __concat = function(a, b) return tostring(a) .. "&" .. tostring(b) end })
print(true .. false, false .. "s")
debug.setmetatable(false, nil)

debug.setmetatable(print, { __index = { kind = "function" } })
print(print.kind, (function() end).kind)
debug.setmetatable(print, nil)

local co2 = coroutine.create(function() end)
debug.setmetatable(co2, { __index = { kind = "thread" } })
print(co2.kind, coroutine.running().kind)
debug.setmetatable(co2, nil)

local strmt = debug.getmetatable("")
debug.setmetatable("", { __index = { shout = function(s) return string.upper(s) .. "!" end } })
print(("hey"):shout())
debug.setmetatable("", strmt)
print(("abc"):upper())

print(pcall(debug.setmetatable, 1))
print(pcall(debug.setmetatable, 1, 2))
print(pcall(debug.getmetatable))

-- The registry holds the loaded modules, the main thread and the globals.
local reg = debug.getregistry()
print(type(reg), reg._LOADED.debug == debug, reg._LOADED._G == _G, reg[2] == _G, type(reg[1]))
print(reg[1] == main, debug.getregistry() == reg)

-- User values: only full userdata have one.
local light = debug.upvalueid(lvl1, 1)
print(type(light), debug.getuservalue(light), debug.getuservalue(1), debug.getuservalue())
print(pcall(debug.setuservalue, light, {}))
print(pcall(debug.setuservalue, {}, 1))
print(pcall(debug.setuservalue))

-- Hooks: stored per thread; the function, the mask letters "crl" and the count.
print(debug.gethook())
local function hook() end
debug.sethook(hook, "", 1000000000)
local h, m, c = debug.gethook()
print(h == hook, m, c)
debug.sethook()
print(debug.gethook())
debug.sethook(hook, "")
print(debug.gethook())
local sleeper = coroutine.create(function() end)
debug.sethook(sleeper, hook, "lrc", 7)
h, m, c = debug.gethook(sleeper)
print(h == hook, m, c)
print(debug.gethook())
debug.sethook(sleeper, hook, "x")
print(debug.gethook(sleeper))
debug.sethook(sleeper)
print(debug.gethook(sleeper))
debug.sethook(main, hook, "", 2 ^ 24 - 1)
h, m, c = debug.gethook(main)
print(h == hook, m, c)
local child = coroutine.create(function() end)
print(debug.gethook(child))
debug.sethook(main)
print(debug.gethook(main))
print(select("#", debug.sethook()))
print(pcall(debug.sethook, hook))
print(pcall(debug.sethook, 1, "c"))
print(pcall(debug.sethook, hook, "c", "many"))
print(pcall(debug.sethook, sleeper, {}, "c"))
print(debug.gethook())
