-- io: opening and closing files, modes, errors, io.type, tostring, write, seek,
-- setvbuf, flush, the default input/output, standard files, tmpfile.

-- the temporary file gets a unique name (scripts may run in parallel), masked in the
-- output
local name = os.tmpname()

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    t[i] = tostring(t[i]):gsub(name, "NAME")
  end
  print(table.concat(t, " | ", 1, t.n))
end
local function perr(f, ...)
  local ok, msg = pcall(f, ...)
  print(ok, msg)
end

-- standard files are real FILE* userdata
print(io.type(io.stdout), io.type(io.stdin), io.type(io.stderr))
print(type(io.stdout), tostring(io.stdout):match("^file %(0x%x+%)$") ~= nil)
local mt = getmetatable(io.stdout)
print(mt.__name, mt.__index == mt, type(mt.__gc), type(mt.__tostring))
print(getmetatable(io.stdin) == mt, io.input() == io.stdin, io.output() == io.stdout)
-- (kept alive to the end: its __gc, the files' one, fails on a table, and the error
-- would surface in whatever call ran the collection that found it dead)
KEEP_FAKE_FILE = setmetatable({}, mt)
print(io.type(8), io.type({}), io.type(KEEP_FAKE_FILE), io.type(nil))
perr(io.type)
-- standard files cannot be closed
show(io.stdout:close())
show(io.close(io.stdin))
show(io.stderr:close())
print(io.type(io.stdout))

-- open: mode checks and error results
for _, m in ipairs{"rw", "rb+", "r+bk", "", "+", "b", "x", "ww"} do
  perr(io.open, name, m)
end
show(io.open("does/not/exist"))
show(io.open("no_such_file.txt"))
show(io.open("no_such_dir/x", "w"))
perr(io.open)
perr(io.open, {})

-- write, then read back
local f = assert(io.open(name, "w"))
print(io.type(f), tostring(f):match("^file %(0x%x+%)$") ~= nil)
print(f:write("line 1\n", 2, " ", 3.5, " ", -0.0, " ", 1e100, " ", 2^63, "\n") == f)
print(f:write(1/0, " ", -1/0, " ", math.mininteger, " ", 0.1, "\n") == f)
perr(f.write, f, {})
perr(f.write, f, "ok", nil)
show(f:read())          -- not open for reading
show(f:seek())
show(f:close())
print(io.type(f), tostring(f))
perr(f.close, f)
perr(f.read, f)
perr(f.write, f, "x")
perr(f.lines, f)
perr(f.seek, f)
perr(f.flush, f)
perr(f.setvbuf, f, "no")
perr(io.close, f)
perr(io.close, nil)
perr(io.stdout.write, 1)
perr(io.stdout.write, {})

f = assert(io.open(name))
print(f:read("a"))
show(f:write("x"))       -- not open for writing
show(f:seek("set", 2), f:read(4))
show(f:seek("cur"), f:seek("cur", -2), f:read(1))
show(f:seek("end"), f:read(1), f:read(0))
show(f:seek("set", -1))
perr(f.seek, f, "bad")
perr(f.seek, f, "set", 1.5)
perr(f.seek, f, "set", "x")
f:close()

-- modes: append, r+, w+, a+
f = assert(io.open(name, "w")); f:write("0123456789"); f:close()
f = assert(io.open(name, "a")); f:write("abc"); f:close()
f = assert(io.open(name, "rb")); print(f:read("a")); f:close()
f = assert(io.open(name, "r+")); f:write("XY"); f:seek("set", 5); f:write("Z")
f:seek("set"); print(f:read("a")); f:close()
f = assert(io.open(name, "r+b")); print(f:read(3)); f:write("-"); f:seek("set")
print(f:read("a")); f:close()
f = assert(io.open(name, "w+")); print(f:read("a") == ""); f:write("new"); f:seek("set")
print(f:read("a")); f:close()
f = assert(io.open(name, "a+")); f:write("+more"); f:seek("set"); print(f:read("a"))
f:seek("set"); f:write("!"); f:seek("set"); print(f:read("a")); f:close()

-- setvbuf and flush: what another handle sees
local w = assert(io.open(name, "w"))
local r = assert(io.open(name, "r"))
print(w:setvbuf("full", 1024))
w:write("abc")
print(r:read("a") == "")
print(w:flush())
r:seek("set"); print(r:read("a"))
print(w:setvbuf("no"))
w:write("d")
r:seek("set"); print(r:read("a"))
print(w:setvbuf("line"))
w:write("e")
r:seek("set"); print(r:read("a"))
w:write("f\n")
r:seek("set"); print(r:read("a"))
perr(w.setvbuf, w, "bad")
perr(w.setvbuf, w)
w:close(); r:close()

-- io.output / io.input with names and files
print(io.output(name) ~= io.stdout)
print(io.write("via io.write ", 42, "\n") == io.output())
print(io.output():seek())
io.output():close()
perr(io.write, "x")
perr(io.flush)
perr(io.output, {})
perr(io.input, "no_such_file.txt")
perr(io.close)
io.output(io.stdout)
print(io.input(name) ~= io.stdin)
print(io.read())
print(io.read())
io.close(io.input())
perr(io.read)
perr(io.lines)
perr(io.input, io.input())
io.input(io.stdin)
local g = assert(io.open(name, "w"))
print(io.output(g) == g)
io.write("through g")
print(io.close())
print(io.type(g))
io.output(io.stdout)
print(io.open(name):read("a"))

-- print and io.write share the standard output buffer
io.write("a"); print("b"); io.write("c", "\n")
io.stdout:write("d"); print("e")
print(io.stdout:flush(), io.flush())
print(io.write() == io.stdout)

-- tmpfile
local t = io.tmpfile()
print(io.type(t))
t:write("temporary"); t:seek("set")
print(t:read("a"))
t:close()

os.remove(name)

print("done")
