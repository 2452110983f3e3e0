-- The utf8 library of 5.3: char, charpattern, codepoint, len, offset, codes.

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local function try(label, f, ...)
  local r = table.pack(pcall(f, ...))
  if r[1] then
    for i = 2, r.n do
      if type(r[i]) == "string" then r[i] = "'" .. hex(r[i]) .. "'" else r[i] = tostring(r[i]) end
    end
    print(label, "ok", table.concat(r, " ", 2, r.n))
  else
    print(label, "error", r[2])
  end
end

print(type(utf8), package.loaded.utf8 == utf8, hex(utf8.charpattern))
local names = {}
for k in pairs(utf8) do names[#names + 1] = k end
table.sort(names)
print(table.concat(names, " "))

-- char
for _, c in ipairs{0, 0x41, 0x7F, 0x80, 0x7FF, 0x800, 0xD800, 0xDFFF, 0xFFFF, 0x10000, 0x10FFFF} do
  print("char", string.format("%X", c), hex(utf8.char(c)))
end
print(hex(utf8.char()), hex(utf8.char(72, 0xE9, 0x4E2D, 0x1F600)), utf8.char(72, 105))
print(hex(utf8.char(65.0, "66", "0x43")))
try("char too big", utf8.char, 0x110000)
try("char negative", utf8.char, -1)
try("char second", utf8.char, 65, 0x7FFFFFFF)
try("char float", utf8.char, 1.5)
try("char string", utf8.char, "a")
try("char nil", utf8.char, 65, nil)
try("char max", utf8.char, math.maxinteger)

-- codepoint
local s = "h\u{E9}\u{4E2D}\u{1F600}!"
print(#s, utf8.codepoint(s), utf8.codepoint(s, 2), utf8.codepoint(s, 1, -1))
print(utf8.codepoint(s, 4), utf8.codepoint(s, -1), utf8.codepoint(s, -5))
print(select("#", utf8.codepoint(s, 3, 2)), select("#", utf8.codepoint("", 1, 0)))
try("codepoint continuation", utf8.codepoint, s, 3)
try("codepoint i 0", utf8.codepoint, s, 0)
try("codepoint j past", utf8.codepoint, s, 1, #s + 1)
try("codepoint j end", utf8.codepoint, s, #s, #s)
try("codepoint empty", utf8.codepoint, "")
try("codepoint too negative", utf8.codepoint, s, -100)
try("codepoint mininteger", utf8.codepoint, s, math.mininteger)
try("codepoint empty range", utf8.codepoint, s, 100, 2)
try("codepoint partial", utf8.codepoint, "\xE4\xB8", 1)
try("codepoint overlong", utf8.codepoint, "\xC0\x80")
try("codepoint overlong 3", utf8.codepoint, "\xE0\x9F\xBF")
try("codepoint min 3", utf8.codepoint, "\xE0\xA0\x80")
try("codepoint surrogate", utf8.codepoint, "\xED\xA0\x80")
try("codepoint max", utf8.codepoint, "\xF4\x8F\xBF\xBF")
try("codepoint above max", utf8.codepoint, "\xF4\x90\x80\x80")
try("codepoint 5 bytes", utf8.codepoint, "\xF8\x88\x80\x80\x80")
try("codepoint 6 bytes", utf8.codepoint, "\xFC\x84\x80\x80\x80\x80")
try("codepoint ff", utf8.codepoint, "\xFF")
try("codepoint lone cont", utf8.codepoint, "\x80")
try("codepoint nul", utf8.codepoint, "a\0b", 1, -1)
try("codepoint number", utf8.codepoint, 123, 1, -1)
try("codepoint no string", utf8.codepoint)

-- len
print(utf8.len(s), utf8.len(""), utf8.len("abc"), utf8.len(s, 2), utf8.len(s, 3), utf8.len(s, -1))
print(utf8.len(s, 1, 1), utf8.len(s, 1, 2), utf8.len(s, 1, 3), utf8.len(s, 4, -2), utf8.len(s, #s + 1))
print(utf8.len("\xFFabc"), utf8.len("ab\x80c"), utf8.len("abc\xE4\xB8"), utf8.len("\xC0\x80"))
print(utf8.len("\xF4\x90\x80\x80"), utf8.len("\xED\xA0\x80"), utf8.len("a\0b"))
print(utf8.len("abc", 4), utf8.len("abc", 4, 3), utf8.len("abc", 2, 1), utf8.len("abc", 3, -5))
try("len i 0", utf8.len, "abc", 0)
try("len i past", utf8.len, "abc", 5)
try("len j past", utf8.len, "abc", 1, 4)
try("len too negative", utf8.len, "abc", -10)
try("len j mininteger", utf8.len, "abc", 1, math.mininteger)
try("len j maxinteger", utf8.len, "abc", 1, math.maxinteger)
try("len float", utf8.len, "abc", 1.5)
try("len table", utf8.len, {})

-- offset
for i = -6, 7 do io.write(tostring(utf8.offset(s, i)), " ") end
print()
for i = 1, #s + 1 do io.write(tostring(utf8.offset(s, 0, i)), " ") end
print()
print(utf8.offset(s, 1, 2), utf8.offset(s, 2, 2), utf8.offset(s, -1, 4), utf8.offset(s, -1, #s + 1))
print(utf8.offset("alo", 5), utf8.offset("alo", -4), utf8.offset("alo", 4), utf8.offset("alo", -3))
print(utf8.offset("", 1), utf8.offset("", 0), utf8.offset("", -1), utf8.offset("", 2))
print(utf8.offset("\x80\x80", 0, 2), utf8.offset("\x80\x80", -1), utf8.offset("a\x80\x80b", 2))
try("offset continuation", utf8.offset, s, 1, 3)
try("offset continuation neg", utf8.offset, s, -1, 3)
try("offset position 0", utf8.offset, s, 1, 0)
try("offset position past", utf8.offset, s, 1, #s + 2)
try("offset too negative", utf8.offset, s, 1, -100)
try("offset n missing", utf8.offset, s)
try("offset n float", utf8.offset, s, 0.5)
try("offset huge n", utf8.offset, s, math.maxinteger)
try("offset huge negative n", utf8.offset, s, math.mininteger)

-- codes
for p, c in utf8.codes(s) do io.write(p, ":", c, " ") end
print()
for p, c in utf8.codes("") do print("never", p, c) end
for p, c in utf8.codes(12) do io.write(p, ":", c, " ") end
print()
local f, str, init = utf8.codes("ab")
print(type(f), str, init, f(str, init), f(str, 1), f(str, 2), f(str, 3))
print(f("ab", "1"), f("ab", 1.0), f("ab", 1.5), f("ab", nil), f("ab", -5))
try("codes bad", function()
  local out = {}
  for p, c in utf8.codes("ab\xFFcd") do out[#out + 1] = p .. ":" .. c end
  return table.concat(out, " ")
end)
try("codes continuation after", function()
  for p, c in utf8.codes("a\xC3\xA9\x80") do end
end)
try("codes truncated", function()
  for p, c in utf8.codes("a\xE4\xB8") do end
end)
try("codes surrogate", function()
  local n = 0
  for p, c in utf8.codes("\xED\xA0\x80") do n = c end
  return n
end)
try("codes table", utf8.codes, {})
try("codes iterator direct", f, "a\xFF", 1)

-- charpattern
local t = {}
for ch in s:gmatch(utf8.charpattern) do t[#t + 1] = hex(ch) end
print(table.concat(t, " "))
print(("a\xFF\x80b"):gsub(utf8.charpattern, "[%0]") == "[a]\xFF\x80[b]")

-- round trip over many code points
local n, bad = 0, 0
for c = 0, 0x10FFFF, 997 do
  local e = utf8.char(c)
  if utf8.codepoint(e) ~= c or utf8.len(e) ~= 1 or #e ~= #utf8.char(c) then bad = bad + 1 end
  n = n + 1
end
print(n, bad)
