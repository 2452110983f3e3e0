-- __newindex: called only for absent keys; tables and functions; chains;
-- rawset inside the handler; read-only tables.

-- As a function: receives table, key, value; the table is not modified.
local log = {}
local t = setmetatable({ existing = 1 }, {
  __newindex = function(tt, k, v) log[#log + 1] = k .. "=" .. tostring(v) end,
})
t.new = 10
t.existing = 2           -- present: plain assignment, no metamethod
print(rawget(t, "new"), t.existing, table.concat(log, " "))

-- Assigning to a key whose value is nil again goes through __newindex.
rawset(t, "tmp", 1)
t.tmp = nil              -- present key: raw assignment removes it
t.tmp = 5                -- now absent: metamethod
print(rawget(t, "tmp"), table.concat(log, " "))

-- As a table: the assignment is redirected (and may chain further).
local store = {}
local proxy = setmetatable({}, { __newindex = store })
proxy.a = "A"
print(rawget(proxy, "a"), store.a)

local inner = {}
local middle = setmetatable({}, { __newindex = inner })
local outer = setmetatable({}, { __newindex = middle })
outer.x = "deep"
print(rawget(outer, "x"), rawget(middle, "x"), inner.x)

-- A function at the end of a table chain.
local seen
local tail = setmetatable({}, { __newindex = function(_, k, v) seen = k .. ":" .. v end })
local head = setmetatable({}, { __newindex = tail })
head.key = "val"
print(seen, rawget(tail, "key"))

-- rawset inside the handler stores the value.
local upper = setmetatable({}, {
  __newindex = function(tt, k, v) rawset(tt, k, type(v) == "string" and v:upper() or v) end,
})
upper.name = "lua"
upper.n = 1
print(upper.name, upper.n)

-- Read-only table pattern.
local function readonly(src)
  return setmetatable({}, {
    __index = src,
    __newindex = function(_, k) error("attempt to update a read-only table (key " .. tostring(k) .. ")", 2) end,
  })
end
local ro = readonly({ a = 1 })
print(ro.a, pcall(function() ro.b = 2 end))

-- Metamethods receive the key exactly as written: 2.0 stays a float there
-- (only raw storage normalizes it to the integer 2).
local keys = {}
local nk = setmetatable({}, {
  __newindex = function(tt, k, v) keys[#keys + 1] = math.type(k) rawset(tt, k, v) end,
  __index = function(_, k) keys[#keys + 1] = "get " .. math.type(k) end,
})
nk[1] = true; nk[2.0] = true; nk[2.5] = true
local _ = nk[3.0]
local stored = 0
for k in pairs(nk) do if math.type(k) == "integer" then stored = stored + 1 end end
print(table.concat(keys, ","), stored)

-- Both __index and __newindex together: a tracking proxy.
local function track(obj)
  local reads, writes = 0, 0
  local p = setmetatable({}, {
    __index = function(_, k) reads = reads + 1 return obj[k] end,
    __newindex = function(_, k, v) writes = writes + 1 obj[k] = v end,
  })
  return p, function() return reads, writes end
end
local tp, counts = track({})
tp.x = 1; tp.y = tp.x + 1; tp.x = tp.y * 2
print(tp.x, tp.y, counts())

-- Indexing assignment on a non-table without __newindex is an error.
local function try(fn)
  local ok, err = pcall(fn)
  print(ok, err)
end
try(function() local s = "str" s.x = 1 end)
try(function() undefinedvar.field = 1 end)
try(function() local a = {} a.b.c = 1 end)
try(function() local t2 = setmetatable({}, { __newindex = true }) t2.x = 1 end)
