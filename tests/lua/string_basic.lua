-- string library basics: len, sub (negative and out-of-range indices),
-- byte/char, rep (with separator), upper/lower/reverse, method syntax.

local s = "hello world"
print(string.len(s), s:len(), #s, ("")["len"](""))

-- sub: i and j may be negative (from the end) and are clamped.
print(s:sub(1, 5), s:sub(7), s:sub(-5), s:sub(-5, -2), s:sub(0), s:sub(3, 2))
print(s:sub(-100, 3), s:sub(5, 100), s:sub(12), s:sub(11), s:sub(-1, -1), s:sub(0, 0))
print(s:sub(math.mininteger, math.maxinteger) == s, s:sub(2.0, 3), pcall(string.sub, s, 1.5))
print(("abc"):sub("2"), ("abc"):sub(-2, "-1"))

-- byte/char.
print(s:byte(), s:byte(1), s:byte(-1), s:byte(1, 3))
print(s:byte(100), s:byte(3, 2), select("#", s:byte(1, -1)))
print(string.char(), string.char(72, 105), string.char(0):byte(), #string.char(255, 0, 1))
print(pcall(string.char, 256))
print(pcall(string.char, -1))
print(pcall(string.char, "x"))

-- rep with and without separator; zero and negative counts.
print(("ab"):rep(3), ("ab"):rep(3, ","), ("x"):rep(0), ("x"):rep(-1), ("x"):rep(1, "sep"))
print(("-"):rep(10), #("abc"):rep(1000), ("a"):rep(2, ""), (""):rep(5, "+"))

-- upper/lower/reverse work on bytes (ASCII only in the C locale).
print(s:upper(), ("MiXeD 123"):lower(), s:reverse(), (""):reverse(), ("a\0b"):reverse() == "b\0a")
print(("été"):upper() == "éTé" or ("été"):upper())

-- Numbers are accepted where strings are expected.
print(string.len(12345), string.upper(1.5), string.rep(7, 3), string.reverse(123))

-- Method call syntax on literals and on numbers via tostring.
print(("%d items"):format(3), ("abc"):upper():lower():len())

-- Argument errors.
print(pcall(string.len))
print(pcall(string.sub))
print(pcall(string.rep, "x"))
print(pcall(string.upper, {}))
print(pcall(("x").rep, "x", 1e10))

-- The string table is the __index of strings: new functions become methods.
function string.shout(str) return str:upper() .. "!" end
print(("hey"):shout())
string.shout = nil
print(pcall(function() return ("x"):shout() end))
