-- io.popen: read and write modes, close results (like os.execute's).

local p = assert(io.popen("echo hello; echo world"))
print(io.type(p))
print(p:read("l"), p:read("L"), p:read("l"))
print(p:close())

p = assert(io.popen("printf '1 2.5 0x10'", "r"))
print(p:read("n", "n", "n"))
print(p:close())

for l in io.popen("printf 'a\\nb\\nc'"):lines() do io.write(l, ".") end
print()

-- exit status and signals
print(io.popen("exit 3"):close())
print(io.popen("kill -s KILL $$"):close())
print(io.popen("true"):close())

-- write mode: the command reads what we write; our pending output goes first
io.write("before popen: ")
local out = os.tmpname()   -- unique: scripts may run in parallel
p = assert(io.popen("cat > " .. out, "w"))
print(p:write("to the pipe\n", 12, "\n") == p)
print(p:close())
local f = assert(io.open(out))
print(f:read("a"))
f:close()
assert(os.remove(out))
p = io.popen("cat", "w")
p:write("echoed by cat\n")
p:close()

-- reading from a write pipe and writing to a read pipe fail
p = io.popen("cat > /dev/null", "w")
print(p:read())
p:close()
p = io.popen("true", "r")
print(p:write("x"))
print(p:close())
print(pcall(p.close, p))

-- bad modes
print(pcall(io.popen, "true", "rw"))
print(pcall(io.popen, "true", "rb"))
print(pcall(io.popen, "true", ""))

-- seeking a pipe fails
p = io.popen("echo x")
print(p:seek("set", 1))
p:close()
print("done")
