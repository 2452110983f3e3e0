-- Strings are immutable byte sequences: '#' counts bytes, any byte value
-- (including zero) may appear, and UTF-8 text is just bytes.

print(#"", #"a", #"hello", #"\0", #"a\0b", #"\u{20AC}", #"日本")
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
local s = table.concat(all)
print(#s, s:byte(1), s:byte(256), s:byte(-1), s:sub(66, 70))

-- Indexing strings yields the string library through the metatable.
print(("abc"):len(), s.len == string.len, ("x"):rep(3), s.nosuchfield)
print(getmetatable("").__index == string, ("%d"):format(5))

-- Equality is by content, whatever the way the string was built.
local a = "hel" .. "lo"
local b = string.char(104, 101, 108, 108, 111)
print(a == b, a == "hello", rawequal(a, b), #a == #b)
local long1 = string.rep("x", 100) .. "y"
local long2 = string.rep("x", 100) .. "y"
print(long1 == long2, rawequal(long1, long2), long1 < long2 .. "z")

-- Ordering compares bytes as unsigned chars.
print("\128" > "\127", "\255\0" > "\255", "a\0a" < "a\0b", "" == "\0" )

-- Strings as table keys: equal content means same key.
local t = {}
t[a] = 1
t[b] = t[b] + 1
t["hel" .. "lo"] = t.hello + 1
print(t.hello)

-- A string with a zero byte is a different key from its prefix.
t["k\0"] = "with zero"; t["k"] = "without"
print(t["k\0"], t["k"])

-- Strings are values: "modifying" creates new strings.
local orig = "abc"
local up = orig:upper()
print(orig, up)

-- Bytes above 127 round-trip.
local hi = "\200\201\202"
print(hi:byte(1, 3))
print(#string.char(0, 255, 128))
