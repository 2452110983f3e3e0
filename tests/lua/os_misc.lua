-- os: getenv, remove, rename, tmpname, execute, difftime, clock, setlocale, exit.

print(type(os.getenv("PATH")), os.getenv("LUAVM_SURELY_UNSET_VARIABLE"))
print(os.getenv(""), os.getenv("PATH=x"))
print(pcall(os.getenv))
print(pcall(os.getenv, {}))

-- tmpname creates the file
local t = os.tmpname()
print(type(t), t:match("^/tmp/lua_") ~= nil)
local f = io.open(t)
print(io.type(f))
f:close()
print(os.remove(t))
local t1, t2 = os.tmpname(), os.tmpname()
print(t1 ~= t2, os.remove(t1), os.remove(t2))

-- remove and rename errors carry strerror texts and errno values
print(os.remove("no_such_file.tmp"))
print(os.rename("no_such_file.tmp", "other.tmp"))
print(pcall(os.remove))
print(pcall(os.rename, "a"))
local dir = os.tmpname()   -- unique: scripts may run in parallel
local function masked(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]):gsub(dir, "DIR") end
  return table.unpack(t, 1, t.n)
end
os.execute("rm -rf " .. dir .. "; mkdir " .. dir .. "; touch " .. dir .. "/x")
print(masked(os.remove(dir)))
print(os.remove(dir .. "/x"))
print(os.remove(dir))
print(masked(os.remove(dir)))

-- rename moves a file; the error has no file name, remove's has
local a, b = os.tmpname(), os.tmpname()
local function ab(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]):gsub(a, "A"):gsub(b, "B") end
  return table.unpack(t, 1, t.n)
end
print(os.remove(b))
print(os.rename(a, b))
print(ab(os.rename(a, b)))
print(ab(os.remove(a)))
print(os.remove(b))

-- execute
print(os.execute())
print(os.execute("true"))
print(os.execute("exit 7"))
print(os.execute("kill -s HUP $$"))
print(os.execute("exit 256"))
print(os.execute("exit 3\0ignored after a zero"))
print(pcall(os.execute, {}))

-- difftime
print(os.difftime(10, 3), math.type(os.difftime(10, 3)))
print(os.difftime(0, 2^40))
print(pcall(os.difftime, 1))
print(pcall(os.difftime, 1.5, 1))
print(pcall(os.difftime))

-- clock: CPU time, a float that grows when we work
local c0 = os.clock()
print(math.type(c0), c0 >= 0)
local x = 0
for i = 1, 3e6 do x = x + i % 7 end
local c1 = os.clock()
print(c1 >= c0, c1 - c0 < 60)

-- setlocale: only the C locale
print(os.setlocale(), os.setlocale("C"), os.setlocale("POSIX"))
print(os.setlocale(nil, "numeric"), os.setlocale("C", "time"))
print(os.setlocale("xx_YY.nonexistent"))
print(pcall(os.setlocale, nil, "bad"))
print(pcall(os.setlocale, {}))

-- exit: status codes, and buffered output is written first
local lua = arg[-1]
local function run(code)
  local p = io.popen(lua .. " -e '" .. code .. "'")
  local out = p:read("a")
  return out, p:close()
end
print(run('io.write("buffered") os.exit(3)'))
print(run('print("t") os.exit(true)'))
print(run('io.stdout:write("f") os.exit(false)'))
print(run('os.exit(20, true)'))
print(run('os.exit()'))
print(run('os.exit(256 + 5)'))
local name = os.tmpname()
print(run('local f = io.open("' .. name .. '", "w") f:write("unflushed") os.exit(0)'))
f = io.open(name)
print(f:read("a"))
f:close()
os.remove(name)
print(pcall(os.exit, "x"))
