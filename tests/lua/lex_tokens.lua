#!/usr/bin/env lua5.3
-- Lexer: every keyword, operator and punctuation token, comments, the
-- optional first-line shebang (skipped by the loader, line numbers kept).

-- The shebang above is line 1, so this error must report line 6.
print(select(2, pcall(function() error("line check") end)))

-- Keywords used in a small program.
local function kw(n)
  local r = {}
  for i = 1, n do
    if i % 2 == 0 then r[#r + 1] = "even"
    elseif i % 3 == 0 then r[#r + 1] = "three"
    else r[#r + 1] = "other" end
  end
  local j = 0
  while true do j = j + 1; if j > 2 then break end end
  repeat j = j - 1 until j == 0
  for _, v in ipairs({ true, false, nil }) do r[#r + 1] = tostring(v) end
  goto done
  r[#r + 1] = "skipped"
  ::done::
  return table.concat(r, ","), not nil, nil and 1 or 2
end
print(kw(4))

-- Arithmetic, bitwise, comparison, length and concatenation operators.
print(7 + 2, 7 - 2, 7 * 2, 7 / 2, 7 % 2, 7 ^ 2, 7 // 2)
print(6 & 3, 6 | 3, 6 ~ 3, ~6, 1 << 4, 256 >> 4)
print(1 == 1, 1 ~= 1, 1 <= 2, 1 >= 2, 1 < 2, 1 > 2)
print(#"abc", "a" .. "b", -(-3))

-- Tokens that need the longest match: '..' vs '...', '~' vs '~=', '/' vs '//'.
local function va(...) return select("#", ...) end
print(va(1, 2, 3), "x" .. "y" .. "z", 5 ~= 6, 5 ~ 6, 9 / 2, 9 // 2)
print(1 .. 2, 1 .. "", - - 2)  -- spaces make '1 .. 2' a concatenation

-- Punctuation: ( ) { } [ ] ; : , . and '::' labels.
local t = { [10] = "ten"; two = "two", "first" ; }
print(t[1], t.two, t[10], #t)
local obj = { n = 10 }
function obj:get(d) return self.n + d end
print(obj:get(5), obj.get(obj, 1))
;;; -- empty statements

-- Comments: line comments, long comments of several levels, and a '--['
-- that is not a long bracket (the rest of the line is a comment).
--[[ a long
comment ]] print("after long comment")
--[==[ contains ]] and ]=] but ends here: ]==] print("after level-2 comment")
--[ not a long comment ]] print("never printed")
print("after short comment") --[[ trailing ]] print("same line")
---[[ this line is a plain comment, so the next print runs
print("trick comment")
--]]

-- Names: letters, digits, underscores; keywords are reserved but case-sensitive.
local _ , __x1, And, END, Nil = 1, 2, 3, 4, 5
print(_, __x1, And, END, Nil)
local r = {}
r["end"] = "reserved as field via string"
print(r["end"])

-- Whitespace variety: tabs, form feed, vertical tab, CR.
local ws = load("return\t1\f+\v2\r+\r\n3")
print(ws())
