-- string.pack, string.unpack, string.packsize: every option, alignment, endianness,
-- and the error messages of 5.3.

local pack, unpack, packsize = string.pack, string.unpack, string.packsize

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do
    local v = t[i]
    if type(v) == "string" then t[i] = "'" .. hex(v) .. "'"
    elseif math.type(v) == "float" then t[i] = string.format("%.17g(f)", v)
    else t[i] = tostring(v) end
  end
  return table.concat(t, " ", 1, t.n)
end

local function try(label, f, ...)
  local r = table.pack(pcall(f, ...))
  if r[1] then
    print(label, "ok", show(table.unpack(r, 2, r.n)))
  else
    print(label, "error", r[2])
  end
end

-- sizes
for _, f in ipairs{"b", "B", "h", "H", "l", "L", "j", "J", "T", "f", "d", "n",
                   "i", "I", "i1", "i3", "I7", "i16", "c0", "c5", "x", " ", "<>=",
                   "!", "!1", "!16", "s1" } do
  print("packsize", f, pcall(packsize, f))
end

-- integers of every size, both endiannesses
for i = 1, 16 do
  print("i" .. i, hex(pack("<i" .. i, -2)), hex(pack(">i" .. i, 0x1234 % (1 << math.min(63, 8 * i - 1)))),
        unpack("<i" .. i, pack("<i" .. i, -2)), unpack(">I" .. i, pack(">I" .. i, 100)))
end
print(hex(pack("b B h H", -1, 255, -300, 65535)))
print(hex(pack("<l L j J T", -3, 3, math.mininteger, -1, 42)))
print(hex(pack(">l L j J T", -3, 3, math.maxinteger, -1, 42)))
print(hex(pack("=i4", 0x01020304)), hex(pack("<i4", 0x01020304)), hex(pack(">i4", 0x01020304)))
print(unpack("<J", pack("<j", -1)), unpack("<j", pack("<j", math.mininteger)))
print(show(unpack("<i2 >i2 =i2", "\1\2\1\2\1\2")))
print(show(unpack("bBhH", "\xff\xff\xff\x7f\x00\x80")))
print(show(unpack("<i3", "\xf0\xff\xff"), unpack(">I3", "\xf0\xff\xff")))
print(show(unpack("i16", string.rep("\xff", 16))))
print(show(unpack("<i9", "\1\2\3\4\5\6\7\8\0")))
print(show(unpack("<I16", "\1\2\3\4\5\6\7\128" .. string.rep("\0", 8))))
print(show(unpack(">i12", string.rep("\xff", 4) .. "\x80\0\0\0\0\0\0\0")))
print(hex(pack("<i12", math.mininteger)), hex(pack(">I12", -1)))
print(hex(pack("i3", 1.0)), hex(pack("i3", "7")), hex(pack("I2", "0x10")))

-- integer overflow
try("b 128", pack, "b", 128)
try("b -129", pack, "b", -129)
try("b -128", pack, "b", -128)
try("B 256", pack, "B", 256)
try("B -1", pack, "B", -1)
try("h 32768", pack, "h", 32768)
try("H -1", pack, "H", -1)
try("i7 max", pack, "i7", 1 << 55)
try("I7 max", pack, "I7", 1 << 56)
try("I7 ok", pack, "I7", (1 << 56) - 1)
try("I8 -1", pack, "I8", -1)
try("i1 float", pack, "i1", 1.5)
try("i1 string", pack, "i1", "x")
try("i1 nil", pack, "i1")
try("i2 second", pack, "i2 i2", 1, 70000)

-- floats
for _, n in ipairs{0, -0.0, 1, -1.5, 0.1, 1/0, -1/0, 1e300, 3.14159, 2^-1074} do
  print("float", n, hex(pack("<f", n)), hex(pack(">d", n)), hex(pack("n", n)),
        show(unpack("<f", pack("<f", n))), show(unpack(">d", pack(">d", n))))
end
print(show(unpack("<d", pack("<d", 0/0)) ~= unpack("<d", pack("<d", 0/0))))
print(hex(pack("f", "2.5")), hex(pack("d", 3)))
try("f string", pack, "f", "abc")
try("d none", pack, "d")
print(show(unpack(">f", "\x7f\x80\x00\x00")), show(unpack("<f", "\0\0\xc0\x7f") ~= 0))

-- strings
print(hex(pack("c5", "ab")), hex(pack("c0", "")), hex(pack("c3", 123)))
print(hex(pack("z", "hello")), hex(pack("zz", "", "a")))
print(hex(pack("s", "abc")), hex(pack(">s2", "abc")), hex(pack("<s1", "")))
print(hex(pack("s16", "x")), hex(pack(">s9", "yz")))
print(show(unpack("c3 c2", "abcde")))
print(show(unpack("z z", "ab\0cd\0")))
print(show(unpack("z", "abc")))
print(show(unpack("s1 s1", "\3abc\0")))
print(show(unpack(">s2", "\0\2hi!")))
print(show(unpack("c0 c0", "")))
try("c longer", pack, "c2", "abc")
try("c missing size", pack, "c", "")
try("c missing size 2", pack, "<c>", "")
try("z zeros", pack, "z", "a\0b")
try("s1 too long", pack, "s1", string.rep("x", 256))
try("s1 fits", function() return #pack("s1", string.rep("x", 255)) end)
try("s2 too long", pack, "s2", string.rep("x", 65536))
try("s string expected", pack, "s", {})
try("z string expected", pack, "z", nil)
try("c table", pack, "c1", {})

-- padding and alignment
print(hex(pack("bxb", 1, 2)), hex(pack("xxx")), hex(pack("!4 b i4", 1, 2)))
print(hex(pack("!2 b i4 b i8", 1, 2, 3, 4)), hex(pack("!8 b d", 1, 0.5)))
print(hex(pack("!4 b Xi4 b", 1, 2)), hex(pack("!4 bXh b", 1, 2)), hex(pack("! b Xj", 1)))
print(hex(pack("b Xi4 b", 1, 2)), hex(pack("!16 b i16", 1, 1)))
print(hex(pack("!4 b s4", 1, "ab")), hex(pack("!4 b z b", 1, "ab", 3)))
print(hex(pack("!4 b c3 i4", 1, "abc", 2)), hex(pack("!8 b f", 1, 1)))
print(packsize("!4 b i4"), packsize("!2 b i4 b i8"), packsize("!8 b d"), packsize("!4 bXi4"))
print(packsize("!8 xXi8"), packsize("!2 xXi8"), packsize("!16 xXi16"), packsize("bXbx"))
print(show(unpack("!4 b i4", pack("!4 b i4", 7, 8))))
print(show(unpack("!4 b Xi4 b", "\1\0\0\0\2")))
print(show(unpack("!8 i2 Xi8", "abcdefghij")))
print(show(unpack("!4 i4", "\0\0\0\0\1\0\0\0", 2)))
try("align not power of 2", pack, "!3 i4", 1)
try("align not power of 2 packsize", packsize, "!12 i16")
try("align 3 ok for small", packsize, "!3 i2 b")
try("align i3", pack, "!4 i3", 1)
try("align i3 small max", pack, "!2 i3", 1)
try("X end", pack, "X")
try("X c", pack, "Xc1")
try("X z", pack, "Xz")
try("X space", pack, "X i4")
try("X X", unpack, "XXi4", "")
try("X <", packsize, "X<")
try("X x", packsize, "bXx")
try("X bad", packsize, "Xq")
try("X i17", packsize, "Xi17")

-- configuration errors
try("i0", pack, "i0", 1)
try("i17", pack, "i17", 1)
try("I99", packsize, "I99")
try("s0", pack, "s0", "")
try("s17", pack, "s17", "")
try("!0", pack, "!0")
try("!17", packsize, "!17")
try("bad option r", pack, "i3r", 1)
try("bad option %", packsize, "%")
try("bad option digit", packsize, "1")
try("bad option tab", packsize, "\t")
try("bad option high", packsize, "\200")
try("bad option u", unpack, "u", "")
try("huge c", packsize, "c1" .. string.rep("0", 40))
try("packsize s", packsize, "s")
try("packsize z", packsize, "z")
try("packsize s4", packsize, "i4 s4")
try("too large", packsize, string.rep("c268435456", 8))
try("not too large", packsize, string.rep("c268435456", 7) .. "c268435455")
try("too large align", packsize, "c2147483639 c8")
try("packsize number", packsize, 12)
try("packsize nil", packsize)
try("pack no fmt", pack)
try("unpack no data", unpack, "b")

-- format strings end at a zero byte
print(hex(pack("b\0b", 1, 2)), packsize("i4\0i8"), show(unpack("b\0b", "\1\2")))

-- unpack positions and short data
local x = pack("i4i4i4i4", 1, 2, 3, 4)
for _, p in ipairs{1, 5, 9, 13, 17, -4, -8, -16} do
  print("pos", p, pcall(unpack, "i4", x, p))
end
for i = 1, #x + 1 do io.write(show(unpack("c0", x, i)), "; ") end
print()
try("pos 0", unpack, "c0", x, 0)
try("pos past end", unpack, "c0", x, #x + 2)
try("pos too negative", unpack, "c0", x, -(#x + 1))
try("pos mininteger", unpack, "c0", x, math.mininteger)
try("pos maxinteger", unpack, "c0", x, math.maxinteger)
try("pos float", unpack, "c0", x, 1.5)
try("pos string", unpack, "b", "\5", "1")
try("short i4", unpack, "i4", "abc")
try("short c5", unpack, "c5", "abcd")
try("short s", unpack, "s", pack("s", "alo"):sub(1, -2))
try("short s1 len", unpack, "s1", "\255abc")
try("short s8 huge", unpack, "<s8", "\255\255\255\255\255\255\255\255abc")
try("short s16", unpack, "<s16", string.rep("\255", 16))
try("short align", unpack, "!4 b i4", "\1\0\0\0\1\0\0")
try("z then more", unpack, "z b", "abc")
try("z then space", unpack, "z ", "abc")
try("z at end", unpack, "z", "")
try("z with zero", unpack, "zB", "abc\0\7")
try("empty format", unpack, "", "abc", 3)
try("empty format end", unpack, "", "abc", 4)
try("spaces", unpack, "  < > = ! ", "abc", 2)
try("x skip", unpack, "xxb", "abc")
try("x short", unpack, "xxxb", "abc")
try("i16 overflow", unpack, "i16", string.rep("\3", 16))
try("I9 overflow", unpack, "<I9", "\0\0\0\0\0\0\0\0\1")
try("i9 negative ok", unpack, "<i9", string.rep("\xff", 9))
try("i9 sign bad", unpack, "<i9", string.rep("\xff", 8) .. "\0")
try("i9 sign bad 2", unpack, ">i9", "\xff" .. string.rep("\0", 8))
try("I16 big", unpack, ">I16", string.rep("\0", 8) .. string.rep("\xff", 8))
try("data number", unpack, "c2", 123)
try("data table", unpack, "c2", {})

-- round trips of mixed formats
local fmt = "<b h b f d f n i"
local s = pack(fmt, 1, 2, 3, 4, 5, 6, 7, 8)
print(#s, packsize(fmt), show(unpack(fmt, s)))
fmt = ">!8 b Xh i4 i8 c1 Xi8"
s = pack(fmt, -12, 100, 200, "\xEC")
print(hex(s), #s, packsize(fmt), show(unpack(">!8 c1 Xh i4 i8 b Xi8 XI XH", s)))
fmt = ">!4 c3 c4 c2 z i4 c5 c2 Xi4"
s = pack(fmt, "abc", "abcd", "xz", "hello", 5, "world", "xy")
print(hex(s), show(unpack(">!4 c3 c4 c2 z i4 c5 c2 Xh Xi4", s)))
print(show(unpack("!4 z c3", "abcdefghi\0xyz")))
print(hex(pack(" < i1 i2 ", 2, 3)), hex(pack(" b b Xd b Xb x", 1, 2, 3)))
print(show(unpack("bbXdb", "\1\2\3\0")))

-- methods on strings
print(("i4"):pack(7):byte(1, -1))
print(("<i2"):unpack("\1\0"), ("<i2"):packsize())
try("method format", ("\1\0").unpack, "\1\0", "<i2")
-- the argument number in messages counts the format
try("arg number", pack, "i1 i1 i1", 1, 2, 300)
try("arg number x", pack, "i1 x Xi2 i1 i1", 1, 2, 300)
-- errors raised with luaL_error carry the caller's position
try("position", function() return pack("i0", 1) end)
try("position 2", function() return unpack("i9", "\0\0\0\0\0\0\0\0\1") end)
try("position 3", function() return ("x"):rep(3):unpack("w") end)
-- large results
local big = pack("c10000 i4 s4", "a", 5, string.rep("b", 20000))
print(#big, #unpack("c10000", big), select(2, unpack("c10000 i4", big)), #select(3, unpack("c10000 i4 s4", big)))
try("missing arg after big", pack, "c10000 i4", "a")
print(select("#", unpack(string.rep("b", 200), string.rep("\1", 200))))
