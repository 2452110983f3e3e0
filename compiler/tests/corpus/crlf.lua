-- CRLF line endings
local a = 1
local b = 2

print(a +
  b)
local s = [[x
y]]
local t = "a\
b"
local c = 3

print(c)
print(4)

return a
