-- Runtime error messages name the variable involved, exactly as PUC 5.3's
-- ldebug.c does: global, local, field, upvalue, method, constant.

local function try(f, ...)
  local ok, msg = pcall(f, ...)
  print(msg)
end

-- Calling nil / non-functions.
try(function() undefined_fn() end)
try(function() local lf; lf() end)
try(function() local t = {} t.field() end)
try(function() local t = { sub = {} } t.sub.deeper() end)
try(function() local t = {} t["str key"]() end)
try(function() local t = {} t[1]() end)
local upf
try(function() upf() end)
try(function() local obj = {} obj:method() end)
try(function() local s = "x" s:nomethod() end)
try(function() ("lit")() end)
try(function() local r = (function() end)() r() end)
try(function() local f = function() end f()() end)
try(function() local n = 5 n() end)
try(function() math.nosuch() end)
try(function(param) param() end)

-- Indexing non-tables.
try(function() local n = 1 return n.x end)
try(function() return undefined_tbl.x end)
try(function() local t = {} return t.a.b end)
try(function() local t = {} t.a.b = 1 end)
local upn = 3
try(function() return upn.x end)
try(function() return upn[1] end)
try(function() local s = "str" s.x = 1 end)
try(function() local b = true return b[1] end)
try(function() return ("x").y.z end)

-- Arithmetic.
try(function() local t = {} return t.x + 1 end)
try(function() return undefined_num * 2 end)
try(function() local v return -v end)
local upv
try(function() return upv / 2 end)
try(function() local t = {} return 1 - t end)
try(function() return {} % 2 end)
try(function() local s = "abc" return s + 1 end)
try(function() local obj = {} return obj:m() + 1 end)

-- Concatenation.
try(function() local t = {} return "a" .. t end)
try(function() return "a" .. undefined_str end)
try(function() local t = {} return t.f .. "x" end)
try(function() return 1 .. {} end)

-- Comparison (no names, just types).
try(function() return 1 < nil end)
try(function() return {} < {} end)
try(function() return "a" <= 1 end)
try(function() local a, b = {}, "x" return a > b end)

-- Length.
try(function() local n = 1 return #n end)
try(function() return #undefined_len end)
try(function() local t = {} return #t.x end)

-- Bitwise.
try(function() local f = 1.5 return f & 1 end)
try(function() local t = {} return t.x | 1 end)
try(function() return 2^64 ~ 1 end)

-- A local named _ENV changes what counts as a global.
try(function() local _ENV = { print = print } return undefined_in_env() end)
try(function() local _ENV = {} return x.y end)

-- Upvalue of an upvalue.
local outer_nil
try(function() return (function() return outer_nil.field end)() end)
