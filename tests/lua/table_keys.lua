-- Table keys of every type, the nil/NaN key errors, and the raw access
-- functions rawget, rawset, rawequal and rawlen.

local f = function() end
local co = coroutine.create(f)
local tk = {}
local t = {}
t[true] = "true"; t[false] = "false"; t[f] = "function"; t[co] = "thread"
t[tk] = "table"; t["s"] = "string"; t[1] = "int"; t[1.5] = "float"
print(t[true], t[false], t[f], t[co], t[tk], t.s, t[1], t[1.5])

-- Reading a nil or NaN key is allowed and gives nil.
print(t[nil], t[0 / 0])

-- Writing with a nil or NaN key is an error.
local function try(fn)
  local ok, err = pcall(fn)
  print(ok, err)
end
try(function() t[nil] = 1 end)
try(function() t[0 / 0] = 1 end)
try(function() local k; t[k] = 1 end)
try(function() return { [nil] = 1 } end)
try(function() rawset(t, nil, 1) end)
try(function() rawset(t, 0 / 0, 1) end)

-- Assigning nil removes a key (no error even if it was absent).
t.s = nil
t.absent = nil
print(t.s, t.absent)

-- rawget / rawset bypass metamethods.
local mt = {
  __index = function(_, k) return "meta " .. tostring(k) end,
  __newindex = function(tt, k, v) rawset(tt, k, "via meta " .. tostring(v)) end,
}
local p = setmetatable({}, mt)
print(p.x, rawget(p, "x"))
p.y = 1
rawset(p, "z", 2)
print(rawget(p, "y"), rawget(p, "z"), p.z)
print(rawset(p, "w", 3) == p, rawget(p, "w"))

-- rawequal compares without __eq.
local eqmt = { __eq = function() return true end }
local a, b = setmetatable({}, eqmt), setmetatable({}, eqmt)
print(a == b, rawequal(a, b), rawequal(a, a), rawequal(1, 1.0), rawequal("x", "x"))

-- rawlen: tables and strings only, without __len.
local lenobj = setmetatable({ 1, 2, 3 }, { __len = function() return 99 end })
print(#lenobj, rawlen(lenobj), rawlen("abcd"))

-- Argument errors.
try(function() return rawget(1, 2) end)
try(function() return rawset({}, 1) end)
try(function() return rawlen(5) end)
try(function() return rawequal(1) end)
try(function() return rawget("str", 1) end)
