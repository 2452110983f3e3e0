-- io.lines and file:lines: formats, closing at end of file, errors.

local name = os.tmpname()   -- unique: scripts may run in parallel
local f = assert(io.open(name, "w"))
f:write("alpha\nbeta\n\ngamma 12 13\n0123456789")
f:close()

-- io.lines(name) opens the file and closes it at the end
local n = 0
for l in io.lines(name) do n = n + 1; print(n, l) end
local it = io.lines(name)
while it() do end
print(pcall(it))
print(pcall(it))

-- formats
for l in io.lines(name, "L") do io.write("[", l, "]") end
print()
for a, b in io.lines(name, 1, 2) do io.write(a, "|", tostring(b), " ") end
print()
for a, b, c in io.lines(name, "l", "n", "a") do print(a, b, c) end
for w in io.lines(name, 4) do io.write("<", w, ">") end
print()
for a, b in io.lines(name, "*l", "*L") do print(a, b) end

-- file:lines does not close the file
f = assert(io.open(name))
for l in f:lines() do io.write(l, ";") end
print()
print(io.type(f), f:read("a"), f:seek("set"))
for a, b in f:lines("n", "l") do print(a, b) break end
print(f:read("l"))
f:close()
print(pcall(f.lines, f))
local it2
f = assert(io.open(name))
it2 = f:lines()
print(it2())
f:close()
print(pcall(it2))

-- io.lines() reads the default input and does not close it
io.input(name)
for l in io.lines() do io.write(l, "/") end
print()
print(io.type(io.input()))
for l in io.lines(nil, 3) do io.write(l, "/") end
print()
io.close(io.input())
print(pcall(io.lines))
io.input(io.stdin)

-- errors
print(pcall(io.lines, "no_such_file.txt"))
print(pcall(io.lines, {}))
print(select("#", pcall(io.lines, name, table.unpack({}, 1, 250))))
print(pcall(io.lines, name, table.unpack({}, 1, 251)))
local t = {}
for i = 1, 250 do t[i] = 1 end
local r = {io.lines(name, table.unpack(t))()}
print(#r, r[1], r[250])
print(pcall(function() for l in io.lines(name, "x") do end end))
print(pcall(function() for l in f:lines() do end end))
f = assert(io.open(name))
print(pcall(function() return f:read("x") end))
print(pcall(function() return f:lines("x")() end))
f:close()
f = assert(io.open(name, "w"))
local ok, msg = pcall(f:lines())
print(ok, msg)
f:close()

-- load reads a chunk with a lines iterator
f = assert(io.open(name, "w"))
f:write("local x = 10\nx = x * 2\nreturn x + 1\n")
f:close()
print(load(io.lines(name, "L"))())
print(load(io.lines(name, 1))())
print(load(io.lines(name, 5))())

assert(os.remove(name))
print("done")
