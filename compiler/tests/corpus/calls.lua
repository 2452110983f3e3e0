-- call forms: string/table args, method chains, nested calls, parenthesized
print "hello"
print [[long]]
print { 1, 2 }
print('x'):gsub('a', 'b')
local s = ("abc"):upper():lower():rep(3)
local t = {f = function(...) return ... end}
t.f(1)(2)(3)
t:f "x" :f {y = 1} :f()
local r = t.f(t.f(t.f(1)))
print((t.f(1, 2, 3)))
print(t.f(1, 2, 3), t.f(4, 5, 6))
print(#t.f({}), -t.f(1), not t.f())
string.format("%d %s", 1, "x")
local m = {}
function m.a.b.c(x) return x end
function m:method() return self end
function m.plain() end
local o = setmetatable({}, {__index = m})
o:method():method()
o.method(o)
print(select('#', nil, nil), select(-1, 1, 2, 3))
;(print)(1)
;(t.f)(2)
return t:f(1, 2)
