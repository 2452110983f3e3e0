-- string.gsub (string, table and function replacements, %0-%9, counts,
-- max replacements, anchors, empty matches) and string.gmatch.

print(("hello world"):gsub("o", "0"))
print(("hello world"):gsub("o", "0", 1))
print(("hello world"):gsub("o", "0", 0))
print(("hello"):gsub("", "-"))
print(("abc"):gsub(".", "%0%0"))
print(("hello world"):gsub("(%w+) (%w+)", "%2 %1"))
print(("abc"):gsub("%w", "%%"))
print(("abc"):gsub("^a", "A"), ("aaa"):gsub("^a", "A"))
print(("a,b,,c"):gsub(",", ";"))
print(("x = 1, y = 2"):gsub("(%w+) = (%w+)", "%2 = %1"))
print(("abc"):gsub("b*", "-"))

-- Table replacement: looked up with the first capture (or whole match);
-- false/nil keeps the original text.
local vars = { name = "Lua", version = 5.3, off = false }
print(("$name $version $off $missing"):gsub("%$(%w+)", vars))

-- Function replacement: called with the captures; nil/false keeps the match.
-- (d * 2 is a float in 5.3 because d is a string.)
print(("1 2 3 4"):gsub("%d", function(d) return d * 2 end))
print(("1 2 3 4"):gsub("%d", function(d) if d == "3" then return nil end return "x" end))
print(("key=val; k2=v2"):gsub("(%w+)=(%w+)", function(k, v) return v .. "=" .. k end))
print(("abc"):gsub("()", function(p) return p end))
-- Position captures are passed as integers.
print(("ab"):gsub("()(%w)", function(p, c) return math.type(p) .. c end))

-- Replacement strings: invalid use of '%' is an error.
print(pcall(string.gsub, "abc", "a", "%2"))
print(pcall(string.gsub, "abc", "a", "%x"))
print(pcall(string.gsub, "abc", "a", true))
print(pcall(string.gsub, "abc", "(a)", function() return {} end))
-- %1 with no captures means the whole match.
print(("abc"):gsub("b", "[%1]"))

-- gmatch: iterate over matches and captures.
local words = {}
for w in ("the quick brown fox"):gmatch("%a+") do words[#words + 1] = w end
print(#words, table.concat(words, "|"))
for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do io.write(k, "->", v, " ") end
print()
for pos in ("abc"):gmatch("()") do io.write(pos, " ") end
print()
-- In gmatch a leading '^' is not an anchor: in 5.3 it matches a literal '^'.
local n = 0
for _ in ("^a^a"):gmatch("^a") do n = n + 1 end
print(n)
-- Empty matches advance by one character.
local parts = {}
for p in ("a,b,,c"):gmatch("([^,]*)") do parts[#parts + 1] = "<" .. p .. ">" end
print(table.concat(parts))
-- The iterator can be called directly.
local it = ("x1y2"):gmatch("%d")
print(it(), it(), it())

-- gsub with special characters escaped.
local function escape(str) return (str:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")) end
print(escape("1+1=2? (yes) 100% [ok] a.b"))
print(("1+1=2"):find(escape("1+1"), 1))

-- Results count as a number; long inputs.
local big = ("ab"):rep(10000)
local replaced, count = big:gsub("a", "")
print(#replaced, count)
