-- Scopes: locals, shadowing, blocks, 'local function' vs 'local f = function',
-- globals, and multiple assignment evaluating all values before assigning.

x = "global x"
local x = "local x"
print(x, _G.x, _ENV.x)
do
  local x = "inner x"
  print(x)
  do local x = x .. " shadowed again" print(x) end
  print(x)
end
print(x)

-- A local is in scope only after its declaration statement.
local y = "outer y"
do
  local y = y .. " (initialized from outer)"
  print(y)
end

-- Declaring the same name twice in one statement: the last one wins.
local a, a = 1, 2
print(a)

-- 'local function' makes the name visible inside its own body; 'local f = function' does not.
local function rec(n) if n == 0 then return "rec done" end return rec(n - 1) end
print(rec(3))
local notrec = nil
do
  local notrec = function(n) if n == 0 then return "inner" end return notrec(n - 1) end
  print(pcall(notrec, 1))
end

-- Multiple assignment: evaluate all right-hand sides, then assign.
local p, q = 1, 2
p, q = q, p
print(p, q)
local t = { 1, 2, 3 }
local i = 1
i, t[i] = i + 1, "set"
print(i, t[1], t[2])

-- Extra values are dropped, missing ones are nil.
local m1, m2, m3 = 1, 2
print(m1, m2, m3)
local n1 = 1, 2, 3
print(n1)
-- Extra expressions are still evaluated.
local side = 0
local s1 = 1, (function() side = side + 1 end)()
print(s1, side)

-- Globals: unknown names read as nil; assignment creates them.
print(undefined_global_name)
newglobal = 5
print(newglobal, _G.newglobal, rawget(_G, "newglobal"))
newglobal = nil
print(rawget(_G, "newglobal"))

-- Functions defined with dotted and colon names.
local obj = { inner = {} }
function obj.inner.f(v) return "dotted " .. v end
function obj.inner:g(v) return self == obj.inner, v end
print(obj.inner.f(1), obj.inner:g(2))

-- Global function statements assign to globals.
function globalfn() return "global function" end
print(globalfn(), type(_G.globalfn))

-- Block-local variables do not leak.
do local hidden = 1 end
print(hidden)

-- Limits: deeply nested blocks and many locals within the limit.
local src = {}
for k = 1, 150 do src[#src + 1] = "local v" .. k .. " = " .. k end
src[#src + 1] = "return v1 + v150"
print(load(table.concat(src, "\n"))())
