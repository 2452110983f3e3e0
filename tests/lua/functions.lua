-- Functions and calls: argument adjustment, multiple returns in every
-- position, call syntax sugar, method calls, and functions as values.

-- Missing arguments are nil; extra ones are dropped.
local function three(a, b, c) return a, b, c end
print(three(1))
print(three(1, 2, 3, 4, 5))

-- Multiple results: all in the last position, one elsewhere.
local function mr() return 1, 2, 3 end
print(mr())
print(mr(), "x")
print("x", mr())
print((mr()))
print(({ mr() })[3], #{ mr(), mr() })
print(select("#", mr(), mr()))
local t = {}
t[1], t[2], t[3], t[4] = mr()
print(t[1], t[2], t[3], t[4])
print(math.max(mr()), string.format("%d-%d-%d", mr()))

-- Returning nothing vs returning nil.
local function none() end
local function onenil() return nil end
print(select("#", none()), select("#", onenil()), none(), (none()))

-- Call sugar: f"str", f[[long]], f{table}.
local function echo(x) return type(x) == "table" and "table:" .. #x or x end
print(echo"short", echo[[long]], echo{ 1, 2 })

-- Method calls: obj:m(...) passes obj as the first argument.
local obj = { name = "obj" }
function obj:hello(greeting) return greeting .. ", " .. self.name end
function obj.static(v) return "static " .. tostring(v) end
print(obj:hello("hi"), obj.hello(obj, "hey"), obj.static(1))
local other = { name = "other", hello = obj.hello }
print(other:hello("yo"))
-- Method call on an expression result.
print(("%s=%d"):format("k", 3), ({ f = function(s) return s.v end, v = 9 }):f())

-- Functions are first-class values.
local ops = { add = function(x, y) return x + y end, mul = function(x, y) return x * y end }
local function apply(f, ...) return f(...) end
print(apply(ops.add, 2, 3), apply(ops.mul, 2, 3), apply(apply, ops.add, 1, 1))
local function compose(f, g) return function(...) return f(g(...)) end end
print(compose(tostring, ops.add)(20, 22) .. "!")

-- Function equality: same closure equal, closures over different variables
-- unequal. (5.3 may reuse a closure without fresh upvalues, so mk() == mk()
-- for upvalue-less closures is unspecified and not tested.)
local function mk(v) return function() return v end end
local f1 = mk(1)
print(f1 == f1, mk(1) == mk(1))

-- Evaluation order: the function expression is evaluated before its arguments.
local order = {}
local function fexpr() order[#order + 1] = "fn" return function() end end
local function arg(n) order[#order + 1] = "arg" .. n end
fexpr()(arg(1), arg(2))
print(table.concat(order, " "))

-- Calls in statements discard all results; parentheses in expressions truncate.
local cnt = 0
local function inc() cnt = cnt + 1 return cnt, cnt end
inc(); inc()
print(cnt, (inc()))

-- Deep argument lists.
local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + select(i, ...) end
  return s
end
print(sum(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20))
