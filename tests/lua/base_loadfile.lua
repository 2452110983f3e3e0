-- loadfile and dofile: paths relative to the working directory (tests/lua),
-- chunk names "@path" in messages, the mode and env arguments, and errors.

-- loadfile returns a function; calling it runs the file with arguments.
local f = assert(loadfile("data/module_a.lua"))
local r, second = f("arg1", "arg2")
print(r.name, r.nargs, r.first, second, counter)

-- dofile runs immediately, passes no arguments, returns all results.
local d, d2 = dofile("data/module_a.lua")
print(d.name, d.nargs, d.first, d2, counter)

-- A first line starting with '#' is skipped.
print(dofile("data/shebang.lua"))

-- Syntax errors: loadfile returns nil and the message (chunk name = path).
print(loadfile("data/syntax_error.lua"))
-- dofile raises them instead.
print(pcall(dofile, "data/syntax_error.lua"))

-- Runtime errors inside a dofile'd chunk propagate with the file's name.
print(pcall(dofile, "data/runtime_error.lua"))

-- Missing files.
local nf, msg = loadfile("data/does_not_exist.lua")
print(nf, msg)
print(pcall(dofile, "data/does_not_exist.lua"))

-- The env argument of loadfile.
local env = { base = 21 }
local e = loadfile("data/uses_env.lua", "t", env)
print(e(), env.result, rawget(_G, "result"))

-- The mode argument.
print(loadfile("data/module_a.lua", "b"))

-- loadfile of a binary chunk written by string.dump.
local bin = string.dump(function(...) return "dumped", select("#", ...) end)
local tmp = os.tmpname()   -- not under tests/lua: runs may be concurrent
local out = assert(io.open(tmp, "wb"))
out:write(bin)
out:close()
print(loadfile(tmp)(1, 2))
print(select(2, loadfile(tmp, "t")) == "attempt to load a binary chunk (mode is 't')")
os.remove(tmp)
