-- line information: multi-line expressions, calls and definitions
local a =
  1
  +
  2
local b = f(
  a,
  b
)
local c = {
  x = 1,
  [2] =
    3,
  4
}
local function g(
  p1,
  p2
)
  return
    p1
    +
    p2
end
if a
   and b
   or c then
  print(
    a
  )
end
while
  a < 10
do
  a = a + 1
end
for i =
  1,
  10
do
end
for k, v in
  pairs(c)
do
end
local h = function
  (x) return x end
t = {
  f = function() end,
}
t.g = function()
end
function t.h()
end
function t:i()
  return self
    :i()
end
goto
  label
::label::
repeat
until
  a
local s = "a" ..
  "b" ..
  "c"
local d = a
  .. b
return
  a,
  b
