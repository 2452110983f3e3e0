-- io.read / file:read formats: "n" (numerals as liolib's read_number takes them),
-- "l", "L", "a", counts, several formats at once, the old "*" spellings, end of file.

local name = os.tmpname()   -- unique: scripts may run in parallel

local function write(s)
  local f = assert(io.open(name, "wb"))
  f:write(s)
  f:close()
end
local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    if math.type(v) then t[i] = math.type(v) .. ":" .. tostring(v)
    elseif type(v) == "string" then t[i] = string.format("%q", v)
    else t[i] = tostring(v) end
  end
  print(t.n, table.concat(t, " ", 1, t.n))
end

-- numbers
write("12 -3.5 0x1F +7 1e3 .5 5. 0x.8p1 -0X10 1E+2\n  \t 42")
local f = assert(io.open(name))
for _ = 1, 11 do show(f:read("n")) end
show(f:read("n"))        -- end of file
f:close()

-- numbers stop at the first character that cannot continue them
write("-12.3-\t-0xffff+  .3|5.E-3X  +234e+13E 0xDEADBEEFx\n0x1.8p3e 99z")
f = assert(io.open(name))
show(f:read("n", 1)); show(f:read("n", 2)); show(f:read("n", 1))
show(f:read("n", 1)); show(f:read("n", 1)); show(f:read("n", 2))
show(f:read("n", 1)); show(f:read("n", "l"))
f:close()

-- invalid numerals: the valid prefix is consumed, the result is nil
write(".e+\t0.e;\t--;  0xX; abc 1e 0x 12")
f = assert(io.open(name))
show(f:read("n")); show(f:read(2))
show(f:read("n")); show(f:read(1))
show(f:read("n")); show(f:read(2))
show(f:read("n")); show(f:read(1))
show(f:read("n")); show(f:read(3))
show(f:read("n")); show(f:read(1))
show(f:read("n")); show(f:read(1))
show(f:read("n"))
f:close()

-- a numeral longer than 200 characters fails
write("1" .. string.rep("0", 300) .. "\n7")
f = assert(io.open(name))
show(f:read("n"))
local rest = f:read("l")
print(#rest, rest:match("^0+$") ~= nil)
show(f:read("n"))
f:close()

-- integers and floats, overflow to float
write("9223372036854775807 9223372036854775808 -9223372036854775808 0x7fffffffffffffff 0xffffffffffffffff")
f = assert(io.open(name))
for _ = 1, 5 do show(f:read("*n")) end
f:close()

-- lines
write("first\nsecond\r\n\nlast")
f = assert(io.open(name))
show(f:read())
show(f:read("L"))
show(f:read("l"))
show(f:read("*L"))
show(f:read("*l"))
show(f:read("l"))
show(f:read("L"))
f:close()

-- all, counts, several formats
write("abcdef\nghi\n")
f = assert(io.open(name))
show(f:read(0))
show(f:read(3, 0, 2))
show(f:read("a"))
show(f:read("a"))
show(f:read(0))
show(f:read(1))
show(f:read("l", "a"))
f:seek("set")
show(f:read(1, "l", "n", "l"))
f:seek("set")
show(f:read("*a"))
f:seek("set")
show(f:read("line", "all"))      -- only the first letter matters
f:seek("set")
show(f:read(100))
show(f:read(100))
f:close()

write(" 123.4\t-56e-2  not a number\nsecond line\n")
f = assert(io.open(name))
show(f:read(1, "n", "n", "l", "l", "l", "a", 10))
f:close()

-- errors
f = assert(io.open(name))
print(pcall(f.read, f, "x"))
print(pcall(f.read, f, "*"))
print(pcall(f.read, f, ""))
print(pcall(f.read, f, {}))
print(pcall(f.read, f, 1.5))
print(pcall(f.read, f, "l", "z"))
print(pcall(io.read, "x"))
print(select("#", f:read("l", "l", "l", "l")))
f:close()

-- reading from a file open only for writing
f = assert(io.open(name, "w"))
show(f:read())
show(f:read("a"))
f:close()

-- io.read uses the default input
write("one\n2\nthree")
io.input(name)
show(io.read())
show(io.read("n"))
show(io.read("L"))
show(io.read("a"))
show(io.read("l"))
io.close(io.input())
io.input(io.stdin)

assert(os.remove(name))
print("done")
