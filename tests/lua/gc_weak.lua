-- weak tables: __mode "k", "v", "kv"; weak keys are ephemerons; strings, numbers and
-- booleans are values (never removed); collected entries are gone for next/pairs

local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  return table.concat(ks, " ")
end

-- weak values
local keep = {}
local wv = setmetatable({}, {__mode = "v"})
local function fill_values(t)
  t[1] = keep
  t[2] = {}                       -- garbage
  t[3] = string.rep("x", 100)     -- long string: a value
  t.short = "short string"        -- interned string: a value
  t.n = 42
  t.b = false
  t.f = function() return keep end
  t.g = {}                        -- garbage, hash part
  t.co = coroutine.create(print)  -- garbage
end
fill_values(wv)
collectgarbage()
print("weak values:", count(wv), sorted_keys(wv))
print(wv[1] == keep, wv[2], #wv[3], wv.short, wv.n, wv.b, wv.g, wv.co)

-- weak keys
local wk = setmetatable({}, {__mode = "k"})
local k1 = {}
local function fill_keys(t)
  t[k1] = "kept"
  t[{}] = "gone"
  t["str"] = {}          -- string key: the value stays
  t[10] = {}             -- number key
  t[true] = {}
  t[function() end] = 1
end
fill_keys(wk)
collectgarbage()
print("weak keys:", count(wk), wk[k1], type(wk.str), type(wk[10]), type(wk[true]))

-- both
local wkv = setmetatable({}, {__mode = "kv"})
local function fill_both(t)
  t[k1] = keep        -- both alive
  t[k1 and {}] = keep -- key dies
  t.x = {}            -- value dies
  t.y = "y"           -- strings stay
  t[1] = 1
end
fill_both(wkv)
collectgarbage()
print("weak kv:", count(wkv), wkv[k1] == keep, wkv.x, wkv.y, wkv[1])

-- ephemerons: a value that refers only to its own key does not keep it alive
local eph = setmetatable({}, {__mode = "k"})
local function fill_eph()
  local a = {}
  eph[a] = {self = a}
  local b = {}
  eph[b] = {self = b, other = k1}
end
fill_eph()
collectgarbage()
print("self-referring entries:", count(eph))

-- a chain of ephemerons: each key is reachable only through the previous value
local chain = setmetatable({}, {__mode = "k"})
local head = {}
local function build_chain(n)
  local x = head
  for i = 1, n do
    local nx = {i = i}
    chain[x] = nx
    x = nx
  end
end
build_chain(50)
collectgarbage()
print("chain while head lives:", count(chain))
local n, x = 0, head
while chain[x] do x = chain[x]; n = n + 1 end
print("walked", n, x.i)
head = nil
collectgarbage()
print("chain after head dies:", count(chain), next(chain))

-- __mode read at each collection: set after setmetatable
local mt = {}
local late = setmetatable({}, mt)
local function fill_late() late[1] = {}; late[2] = keep end
fill_late()
collectgarbage()
print("before __mode:", count(late))
mt.__mode = "v"
collectgarbage()
print("after __mode:", count(late), late[2] == keep)

-- next over a weak table while entries die
local wt = setmetatable({}, {__mode = "v"})
local function fill_many()
  for i = 1, 100 do wt[i] = (i % 2 == 0) and keep or {} end
  for i = 1, 100 do wt["k" .. i] = (i % 4 == 0) and keep or {} end
end
fill_many()
collectgarbage()
local seen = 0
for k, v in pairs(wt) do
  assert(v == keep)
  seen = seen + 1
end
print("survivors:", seen)

-- assigning to a weak table after collection
wt.new = keep
collectgarbage()
print(wt.new == keep)

-- collecting in the middle of a traversal
local wt2 = setmetatable({}, {__mode = "k"})
local held = {}
for i = 1, 20 do
  local k = {}
  wt2[k] = i
  if i % 2 == 0 then held[#held + 1] = k end
end
for k, v in pairs(wt2) do collectgarbage() end
print("traversal survived:", count(wt2))

-- clearing fields of a strong table while traversing it, with collections between
-- (the removed keys die; `next` still finds the current one)
local st = {}
for i = 1, 20 do st[{}] = i end
for i = 1, 20 do st["s" .. i] = i end
local cleared = 0
for k in pairs(st) do
  st[k] = nil
  cleared = cleared + 1
  collectgarbage()
end
print("cleared:", cleared, next(st))

print("ok")
