-- debug.getupvalue / setupvalue / upvalueid / upvaluejoin: names (including _ENV and the
-- empty name of Rust closures), shared upvalues, joining, and PUC's argument checks.

local function fmt(v)
  local t = type(v)
  if t == "function" or t == "table" or t == "thread" or t == "userdata" then return t end
  return tostring(v)
end

local function upvalues(f)
  local out = {}
  local i = 1
  while true do
    local name, value = debug.getupvalue(f, i)
    if not name then break end
    out[#out + 1] = "[" .. name .. "]=" .. fmt(value)
    i = i + 1
  end
  return table.concat(out, " ")
end

-- Names and values, in the order the function first uses them.
local a, b, c = 1, "two", { 3 }
local function uses() return c, a, b end
print(upvalues(uses))
local function global_user() return print end
print(upvalues(global_user))
print(upvalues(load("x = 1")))
print(upvalues(function() end))
print(upvalues(print))
print(select("#", debug.getupvalue(uses, 0)), select("#", debug.getupvalue(uses, 4)),
  select("#", debug.getupvalue(uses, -1)), select("#", debug.getupvalue(print, 1)))

-- setupvalue changes the variable itself (shared with the enclosing function).
print(debug.setupvalue(uses, 2, "new a"), a)
print(debug.setupvalue(uses, 9, "none"), select("#", debug.setupvalue(uses, 9, "none")))
print(select("#", debug.setupvalue(print, 1, 0)))

-- _ENV of a loaded chunk can be replaced.
local chunk = load("return who")
print(debug.getupvalue(chunk, 1) == "_ENV", chunk())
debug.setupvalue(chunk, 1, { who = "sandbox" })
print(chunk())

-- A Rust closure's upvalues are named "".
local gen = coroutine.wrap(function() coroutine.yield(1) end)
local n, v = debug.getupvalue(gen, 1)
print(n == "", fmt(v), debug.getupvalue(gen, 2))

-- Upvalues of closures created in a loop: fresh per iteration.
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
print(debug.getupvalue(fs[1], 1), debug.getupvalue(fs[3], 1))

-- upvalueid: equal exactly when the upvalue is shared.
local shared = 0
local function inc() shared = shared + 1 return shared end
local function get() return shared end
local function other() return a end
print(debug.upvalueid(inc, 1) == debug.upvalueid(get, 1))
print(debug.upvalueid(inc, 1) == debug.upvalueid(other, 1))
print(type(debug.upvalueid(inc, 1)), type(debug.upvalueid(gen, 1)))
print(debug.upvalueid(gen, 1) == debug.upvalueid(gen, 1))
print(debug.upvalueid(fs[1], 1) == debug.upvalueid(fs[2], 1))

-- upvaluejoin: the first closure's upvalue becomes the second's.
local x, y = "x", "y"
local function fx() return x end
local function fy() return y end
local function fx2() return x end
debug.upvaluejoin(fx, 1, fy, 1)
print(fx(), fy(), fx2(), debug.upvalueid(fx, 1) == debug.upvalueid(fy, 1))
y = "y changed"
print(fx(), fy(), fx2())
debug.setupvalue(fx, 1, "via fx")
print(fx(), fy(), y, x)
debug.upvaluejoin(fx, 1, fx, 1)
print(fx())
-- joining with a closed upvalue
local function make(v) return function() return v end end
local m1, m2 = make("m1"), make("m2")
debug.upvaluejoin(m1, 1, m2, 1)
print(m1(), m2())

-- Argument checks.
print(pcall(debug.getupvalue))
print(pcall(debug.getupvalue, uses))
print(pcall(debug.getupvalue, {}, 1))
print(pcall(debug.getupvalue, uses, "x"))
print(pcall(debug.setupvalue, uses, 1))
print(pcall(debug.setupvalue, 1, 1, 1))
print(pcall(debug.upvalueid, uses))
print(pcall(debug.upvalueid, uses, 0))
print(pcall(debug.upvalueid, uses, 4))
print(pcall(debug.upvalueid, print, 1))
print(pcall(debug.upvalueid, {}, 1))
print(pcall(debug.upvaluejoin, fx, 1, fy))
print(pcall(debug.upvaluejoin, fx, 2, fy, 1))
print(pcall(debug.upvaluejoin, fx, 1, fy, 2))
print(pcall(debug.upvaluejoin, gen, 1, fy, 1))
print(pcall(debug.upvaluejoin, fx, 1, gen, 1))
print(pcall(debug.upvaluejoin, print, 1, fy, 1))
print(pcall(debug.upvaluejoin, 1, 1, fy, 1))
