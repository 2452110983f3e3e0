-- multiple assignment, conflicts, adjustments
local a, b, c = 1, 2
local d, e = 1, 2, 3
local f, g, h = (function() return 1, 2, 3 end)()
local i, j = ...
a, b = b, a
a, b, c = c, a
a, b = 1, 2, 3, 4
local t = {}
t[a], a = 1, 2
a, t[a] = 3, 4
t.x, t.y, t.z = 1, 2
t[1], t[2], t[3] = ...
local u = {}
a, t[a], u[b], b = 1, 2, 3, 4
t, t.x = {}, 1
t.x, t = 1, {}
x, y, z = 1, 2, 3
x, y = y, x
x.y, x = 1, 2
local function up()
  a, t[a] = 5, 6
  t[a], a = 7, 8
  a, b, t.x = b, a, a
  t[b], b = b, t[b]
end
a = a
a = b
a = a + 1
a = (a)
a, b = f()
a, b, c = 1, f()
a, b, c = f(), 1
a = f(), 2
t[1] = t[2]
t.a.b.c = t.d.e.f
t[a][b][c] = 1
up()
return a, b, c
