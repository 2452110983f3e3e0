-- error(): levels 1, 2 and 0, non-string error values, and what pcall and
-- xpcall return.

-- Level 1 (default): position of the function that called error.
local function lvl1() error("at level 1") end
print(pcall(lvl1))
-- Level 2: position of the caller of that function.
local function lvl2() error("at level 2", 2) end
local function caller() lvl2() end   -- this line is reported
print(pcall(caller))
-- Level 0: no position.
print(pcall(function() error("no position", 0) end))
-- Level 3 and a level beyond the stack.
local function l3() error("level three", 3) end
local function mid() l3() end
local function top() mid() end       -- reported for level 3
print(pcall(top))
print(pcall(function() error("far", 50) end))

-- Only strings get a position; other values pass through unchanged.
local errt = { code = 42 }
local ok, e = pcall(error, errt)
print(ok, e == errt, e.code)
print(pcall(error, nil))
print(pcall(error))
print(pcall(error, 42))
print(pcall(function() error(42) end))
print(pcall(function() error(true) end))
print(select("#", pcall(error)))

-- A number is not a string here: error() adds a position only to strings.
print(pcall(function() error(3.5, 1) end))

-- pcall returns true plus all results on success.
print(pcall(function(...) return ... end, 1, nil, 3))
print(select("#", pcall(function() end)))
-- pcall of a non-function.
print(pcall(42))
print(pcall(pcall))

-- xpcall: the handler receives the error value and its result is returned.
print(xpcall(function() error("oops") end, function(m) return "handled: " .. m end))
-- (only the handler's first result is kept)
print(xpcall(function() error({ 1, 2 }) end, function(m) return type(m), #m end))
print(xpcall(function(a, b) return a + b end, print, 3, 4))
-- The handler runs before the stack unwinds (it can see the erroring level).
print(xpcall(function() local x = nil; return x.y end, function(m) return "H:" .. m end))
-- An error inside the handler.
local hok, herr = xpcall(function() error("first") end, function() error("second") end)
print(hok, herr)
-- The handler must be given.
print(pcall(xpcall, function() end))

-- Nested pcalls: inner errors do not escape.
print(pcall(function()
  local ok1, e1 = pcall(error, "inner", 0)
  return "outer ok", ok1, e1
end))

-- error with a table that has __tostring keeps the table.
local E = setmetatable({}, { __tostring = function() return "custom error" end })
local ok2, e2 = pcall(error, E)
print(ok2, e2 == E, tostring(e2))

-- Rethrowing preserves the value and (with level 0) the message text.
local ok3, e3 = pcall(function()
  local ok4, e4 = pcall(error, "deep")
  error(e4, 0)
end)
print(ok3, e3)
