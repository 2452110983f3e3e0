-- coroutine.wrap and generators: iterators built from coroutines,
-- passing values, errors propagating through the wrapper.

-- A wrap'd function resumes on each call and returns the yielded values.
local gen = coroutine.wrap(function(a)
  local b = coroutine.yield(a * 2)
  local c = coroutine.yield(a + b)
  return "end", c
end)
print(gen(5))
print(gen(10))
print(gen("x"))

-- Calling a dead wrap'd function is an error.
print(pcall(gen))

-- Generators as for-loop iterators.
local function range(n, step)
  return coroutine.wrap(function()
    for i = 1, n, step or 1 do coroutine.yield(i) end
  end)
end
local out = {}
for i in range(10, 3) do out[#out + 1] = i end
print(table.concat(out, " "))

-- Recursive generator: in-order traversal of a tree.
local function node(v, l, r) return { v = v, l = l, r = r } end
local tree = node(4, node(2, node(1), node(3)), node(6, node(5), node(7)))
local function walk(t)
  if t then walk(t.l) coroutine.yield(t.v) walk(t.r) end
end
local vals = {}
for v in coroutine.wrap(function() walk(tree) end) do vals[#vals + 1] = v end
print(table.concat(vals, " "))

-- Permutations generator.
local function permgen(a, n)
  n = n or #a
  if n <= 1 then coroutine.yield(a) return end
  for i = 1, n do
    a[n], a[i] = a[i], a[n]
    permgen(a, n - 1)
    a[n], a[i] = a[i], a[n]
  end
end
local perms = {}
for p in coroutine.wrap(function() permgen({ "a", "b", "c" }) end) do perms[#perms + 1] = table.concat(p) end
table.sort(perms)
print(#perms, table.concat(perms, " "))

-- Pipelines: filter and map stages chained with wrap.
local function source(t) return coroutine.wrap(function() for _, v in ipairs(t) do coroutine.yield(v) end end) end
local function filter(pred, it) return coroutine.wrap(function() for v in it do if pred(v) then coroutine.yield(v) end end end) end
local function map(f, it) return coroutine.wrap(function() for v in it do coroutine.yield(f(v)) end end) end
local res = {}
for v in map(function(x) return x * x end, filter(function(x) return x % 2 == 0 end, source({ 1, 2, 3, 4, 5, 6 }))) do
  res[#res + 1] = v
end
print(table.concat(res, " "))

-- Errors inside a wrap'd function propagate to the caller (with position).
local bad = coroutine.wrap(function() error("inside wrap") end)
print(pcall(bad))
-- When the wrapper is called from Lua code, 5.3 prefixes a string error with
-- the caller's position too (so it appears twice here).
local bad2 = coroutine.wrap(function() error("inside wrap") end)
print(pcall(function() return bad2() end))
print(pcall(function() local g2 = coroutine.wrap(function() end) g2() return g2() end))
local badobj = coroutine.wrap(function() error({ code = 7 }) end)
local ok, e = pcall(badobj)
print(ok, type(e), e.code)

-- wrap requires a function.
print(pcall(coroutine.wrap, 1))
