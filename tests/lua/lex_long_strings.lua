-- Lexer: long strings and long comments with levels, the skipped first
-- newline, embedded closing brackets of other levels, and line counting.

local s0 = [[abc]]
print(s0, #s0)

-- A newline right after the opening bracket is skipped.
local s1 = [[
first line
second line]]
print(s1)
print(#s1)

-- Only the first newline is skipped; a second one stays.
local s2 = [[

x]]
print(#s2, s2:byte(1))

-- Levels: closing brackets of other levels are just text.
local s3 = [==[a]]b]=]c]===]d]==]
print(s3)
local s4 = [=[
[[nested]] ]] ]=]
print(s4)

-- No escape processing inside long strings.
local s5 = [[\n\t\\ "quotes" 'single']]
print(s5, #s5)

-- Newline sequences \r\n, \n\r, \r are all normalized to \n in long strings.
local crlf = load("return [[a\r\nb\n\rc\rd\n\ne]]")()
print(#crlf, (crlf:gsub("\n", "|")))

-- A long string directly after '[' of an index is still a long string.
local t = { [ [[key]] ] = "v" }
print(t.key)

-- Long comments count lines: the error below must be on line 43.
--[[ one
two
three ]]
print(select(2, pcall(function() error("line") end)))
local function where() error("here") end
--[==[
]]
]==]
print(select(2, pcall(where)))

-- Long strings as call arguments without parentheses.
local function id(x) return x end
print(id[[called]], #id[==[]==])

-- Unfinished long string / comment are syntax errors.
print(load("return [[abc"))
print(load("--[==[ never closed"))
print(load("return [=[ x ]]"))
-- An invalid long-bracket opening.
print(load("return [==x]]"))
