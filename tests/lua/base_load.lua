-- load: string and function sources, chunk names, the mode argument,
-- the env argument (first upvalue _ENV), and error returns.

-- String source: the chunk is a vararg function.
local f = load("return 1 + 1")
print(f())
local g = load("local a, b = ... return b, a, select('#', ...)")
print(g("x", "y", "z"))

-- Syntax errors return nil plus the message; nothing is raised.
print(load("return +"))
print(select("#", load("return +")))

-- Function source: pieces are concatenated until nil or "".
local parts = { "return ", "'pie", "ces'", " .. ", "'!'" }
local i = 0
local fromfn = load(function() i = i + 1 return parts[i] end)
print(fromfn())
i = 0
local pieces2 = { "return 1", "", "+ 100" }
print(load(function() i = i + 1 return pieces2[i] end)())
-- Pieces may split tokens anywhere.
local src = "return 'split' .. 12345"
local pos = 0
print(load(function() pos = pos + 1 return src:sub(pos, pos) end)())
-- The default chunk name for function sources is "=(load)".
print(load(function() return nil end) ~= nil, load(coroutine.wrap(function() coroutine.yield("x = = 1") end)))
-- A reader returning a non-string is an error. (Numbers count as strings, so
-- a reader returning 1 forever would never end.)
-- (Only the first line of these messages is checked: PUC runs the reader
-- under the caller's message handler, so lua.c appends a traceback.)
local function firstline(fn, msg) return fn, (msg:match("^[^\n]*")) end
print(firstline(load(function() return true end)))
print(firstline(load(function() return {} end)))
-- A reader that raises an error.
print(firstline(load(function() error("reader broke") end)))

-- Chunk names.
print(pcall(load("error('e')", "=custom")))
print(pcall(load("error('e')", "@path/to/file.lua")))
print(pcall(load("error('e')", "a name")))
print(pcall(load("\n\nerror('on line 3')")))

-- mode: "t" text only, "b" binary only, "bt" both (default).
print(load("return 1", "txt", "t")())
print(load("return 1", "txt", "b"))
print(load("return 1", "txt", "bt")())
local bin = string.dump(function() return "from binary" end)
print(load(bin, "bin", "b")())
print(load(bin, "bin", "t"))
print(load(bin)())
print(pcall(load, "return 1", "x", "q"))

-- env: the chunk's _ENV upvalue; globals are fields of that table.
local env = { y = 10 }
local h = load("x = y * 2 return x", "env chunk", "t", env)
print(h(), env.x, rawget(_G, "x"))
print(load("return print", "=e", "t", {})())
-- env = nil explicitly gives a chunk with a nil _ENV.
print(pcall(load("return anything", "=nilenv", "t", nil)))
-- Without env, the chunk sees the global table.
print(load("return _ENV == _G")())

-- Each load creates a new function; chunks do not see the caller's locals.
local secret = "local"
print(load("return secret")())
print(load("return ...")(1, 2, 3))

-- A number source is converted to a string; other types are errors.
print(pcall(load, 42))
print(pcall(load, nil))
