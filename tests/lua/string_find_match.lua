-- string.find and string.match: plain search, init positions, anchors,
-- character classes, sets, quantifiers, captures (including position
-- captures and back-references), %b and %f, and pattern errors.

-- R(...) shows every result of a call, so nothing is truncated.
local function R(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  return "[" .. table.concat(t, ",", 1, t.n) .. "]"
end

local s = "hello world from Lua"

-- find returns start and end indices, plus captures.
print(R(s:find("world")), R(s:find("o")), R(s:find("o", 6)), R(s:find("xyz")))
print(R(s:find("l+")), R(s:find("(o)(r)")), R(s:find("")), R(s:find("", 100)), R(s:find("", 21)), R(s:find("", 22)))
print(R(s:find("o", -3)), R(s:find("h", -100)), R(s:find("^hello")), R(s:find("^world")), R(s:find("Lua$")))
-- Plain find ignores magic characters.
print(R(("a.b*c"):find(".", 1, true)), R(("a.b*c"):find("*", 1, true)), R(("a+b"):find("+", 1, true)))
print(R(("a.b"):find("%.")), R(("f(x)"):find("(", 1, true)), R(("50%"):find("%", 1, true)), R(("x"):find("", 1, true)))

-- match returns captures, or the whole match if there are none.
print(R(s:match("%a+")), R(s:match("(%a+) (%a+)")), R(s:match("(h)(e)(l)")), R(s:match("nomatch")))
print(R(("key = value"):match("^(%w+)%s*=%s*(%w+)$")))
print(("  trim me  "):match("^%s*(.-)%s*$") .. "|")
print(R(("2024-01-15"):match("(%d+)-(%d+)-(%d+)")))
-- Position captures and an empty capture.
print(R(("abc"):match("()b()")), R(("abc"):match("()")), R(("hello"):match(".-(l+)()")), R(("abc"):match("a()")))
print(R(("abc"):match("(a)()(b)")), R(("abc"):match("a(%w*)c")), R(("ac"):match("a(%w-)c")))
print(R(("hello"):match("h", 2)), R(("hello"):match("l", -2)), R(("hello"):match("^l", 3)))

-- Character classes (counting matches with gsub).
local sample = "aZ 09_!\t\n"
for _, c in ipairs({ "%a", "%d", "%l", "%s", "%u", "%w", "%x", "%p", "%c", "%g", ".", "%A", "%D", "%S", "%W" }) do
  local n = select(2, sample:gsub(c, ""))
  io.write(c, "=", n, " ")
end
print()

-- Sets and ranges, negated sets, %] inside sets, '-' at the edges.
print(R(("abc123"):match("[a-c]+")), R(("abc123"):match("[^a-c]+")), R(("a-b"):match("[a%-]+")), R(("x]y"):match("[%]]")))
print(R(("hello-world"):match("[%w-]+")), R(("^caret"):match("[%^c]+")), R(("a^"):match("[b^]")), R(("]x"):match("[]x]+")))
print(R(("a1-"):match("[%d%-]+")), R(("AbC"):match("[A-Z][a-z]")), R(("123"):match("[^%D]+")))

-- Quantifiers: * + - ? (greedy vs lazy).
print(R(("aaa"):match("a*")), R(("aaa"):match("a-")), R(("aaab"):match("a-b")), R(("b"):match("a?b")), R(("ab"):match("a?b")))
print(R(("<a><b>"):match("<(.*)>")), R(("<a><b>"):match("<(.-)>")), R(("xyz"):match("x+y*z?w*")))

-- Back-references.
print(R(("say 'hi' or \"bye\""):match("([\"'])(.-)%1")), R(("aXbXc"):match("(X).-%1")))
-- %b balanced pairs.
print(R(("f(a(b)c) d"):match("%b()")), R(("[[x]]"):match("%b[]")), R(("no close ("):match("%b()")))
-- %f frontier.
print(R(("THE (quick) fox"):find("%f[%a]%a+")), R(("hello world"):gsub("%f[%w]%w+", "<%0>")))
print(R(("THE END"):match("%f[%a]%u+%f[%A]")), R(("x"):find("%f[%z]")))

-- Anchors: '^' only at the start of the pattern is special; '$' only at the end.
print(R(("a^b"):match("a^b")), R(("$x"):match("$x")), R(("x$"):match("x$")), R(("x$"):match("x%$")))

-- Embedded zeros in subject and pattern.
print(R(("a\0b"):find("\0")), ("a\0b"):match("%z") == "\0", #("a\0\0b"):match("\0+"))

-- Numbers are converted to strings for subject and pattern.
print(R(string.find(12345, 34)), R(string.match(3.5, "%.(%d)")))

-- Pattern errors.
local function try(...) print(pcall(string.find, ...)) end
try("abc", "%")
try("abc", "[a")
try("abc", "[]")
try("abc", "(a")
-- find treats a pattern without any of ^$*+?.([%- as plain text, so a stray
-- ')' is only an error for match (and gsub/gmatch).
try("abc", "a)")
try("a)c", "a)")
print(pcall(string.match, "abc", "a)"))
try("abc", "%1")
try("abc", "(a)%2")
try("abc", "%b")
try("abc", "%f")
try("abc", "[%")
try("abc", "(()")
print(pcall(string.match, "abc", "%g("))
