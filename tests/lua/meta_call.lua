-- __call: calling tables (and other values), the object passed as the first
-- argument, multiple results, chained callable objects, and errors.

local C = setmetatable({ name = "C" }, {
  __call = function(self, a, b) return self.name, a, b end,
})
print(C(1, 2))
print(C())
print(select("#", C(nil, nil)))

-- Multiple results and varargs pass through.
local V = setmetatable({}, { __call = function(_, ...) return select("#", ...), ... end })
print(V(1, nil, 3, nil))

-- A callable used as a method, with pcall and gsub. (table.sort insists on a
-- real function as comparator.)
local obj = { f = C }
print(obj.f("x"), (select(3, obj:f("y"))), select(2, obj:f()) == obj)
print(pcall(C, "p"))
local cmp = setmetatable({}, { __call = function(_, a, b) return a > b end })
print(pcall(table.sort, { 3, 1, 2 }, cmp))
-- gsub treats any table replacement as a lookup table, never as a function.
local rep = setmetatable({ b = "B" }, { __call = function(_, m) return m:upper() end })
print((string.gsub("abc", "%w", rep)))

-- Chained calls: each call returns another callable object that collects
-- its argument.
local function collector(acc)
  return setmetatable({}, {
    __call = function(_, x)
      if x == nil then return table.concat(acc, "+") end
      local nxt = { table.unpack(acc) }
      nxt[#nxt + 1] = x
      return collector(nxt)
    end,
  })
end
print(collector({})(1)(2)(3)(), collector({ "a" })("b")())
local cc = collector({})
print(cc "s" "t" { } == nil, cc "x" "y" ())

-- Tail calls through __call.
local countdown
countdown = setmetatable({}, { __call = function(self, n) if n == 0 then return "done" end return self(n - 1) end })
print(countdown(10000))

-- Calling non-callable values names the culprit.
local function try(fn)
  local ok, err = pcall(fn)
  print(ok, err)
end
try(function() local t2 = {} t2() end)
try(function() local t2 = setmetatable({}, {}) t2() end)
try(function() local t2 = setmetatable({}, { __call = 42 }) t2() end)
try(function() local n = 1 n() end)
try(function() ("str")() end)
-- In 5.3 __call must be a function: a callable table there is not followed.
local inner = setmetatable({}, { __call = function() return "inner" end })
local outer = setmetatable({}, { __call = inner })
try(function() return outer("a", "b") end)
