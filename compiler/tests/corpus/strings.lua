-- string literals: escapes, long strings with levels, comments
local s1 = "tab\tnl\ncr\rbell\abs\bff\fvt\vbs\\dq\"sq\'"
local s2 = 'single "double" inside'
local s3 = "dec \65\066\0677 \0 \00 \000 \255 \1\2\3"
local s4 = "hex \x41\x62\xfF\x00"
local s5 = "utf8 \u{41} \u{7FF} \u{800} \u{FFFF} \u{10000} \u{10FFFF} \u{0}"
local s6 = "zap \z
           continues here \z   x"
local s7 = "line \
continued"
local s8 = [[long
string with "quotes" and 'single' and \n no escapes]]
local s9 = [==[
first newline skipped ]] ]=] ]===] still inside
]==]
local s10 = [=[]=]
local s11 = [[]]
local s12 = ""
local s13 = "a" .. 'b' .. [[c]] .. [=[d]=]
--[[ a long
comment ]] local s14 = "after comment"
--[==[ another
]] ]=] long comment ]==]
-- short comment with [[ inside
--[ not a long comment
--[= not a long comment either
local s15 = "\\n is not a newline"
local s16 = '\z'
local s17 = "x\z"
local t = {s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17}
print(#s3, #s4, #s5, s6, s7, s8, s9)
print("a\
b", "\u{10}\u{100}", "\"\'\\")
local long = "0123456789012345678901234567890123456789x"
local short = "012345678901234567890123456789012345678"
return long, short
