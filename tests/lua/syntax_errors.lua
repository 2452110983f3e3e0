-- Parser: exact messages for malformed programs, as returned by `load`,
-- and how chunk names appear in them.

local cases = {
  "x = ",
  "x = = 1",
  "local 1",
  "if x then",
  "f(",
  "for i = 1 do end",
  "for a b",
  "for a, b = 1, 2 do end",
  "return return",
  "x = }",
  "local function() end",
  "function t:() end",
  "a.b:c = 1",
  "x",
  "1 = x",
  "f() = 1",
  "a, f() = 1, 2",
  "a = 1 2",
  "x = 1 +",
  "t = {1, 2",
  "t = {1, 2 3}",
  "f(1, 2",
  "while true do",
  "repeat x = 1",
  "return 1; x = 1",
  "do end end",
  "x = function(a,) end",
  "x = function(..., a) end",
  "local t = {} t.1 = 2",
  "x = #",
  "x = not",
  "::a:: ::a::",
  "goto nowhere",
  "break",
  "goto l; local x; ::l:: print(x)",
  "function f() x = ... end",
  "x = (1)(2)(",
  "if x then else elseif y then end",
  "local x <const> = 1",
  "x = 1 // // 2",
  "x = a.'b'",
  "x = {[1] 2}",
  "elseif",
  "x = @",
  "x = $1",
}
for i, src in ipairs(cases) do
  local f, msg = load(src)
  print(i, msg)
end

-- Line numbers and "to close" notes for multi-line sources.
print(load("a = 1\nb = 2\nc = = 3"))
print(load("function f()\n  if x then\n    return 1\n"))
print(load("while x do\n\n\nx = 1\n"))
print(load("local t = {\n1,\n2,\n"))
print(load("f(\n1,\n2\n"))

-- Chunk names: '=' and '@' prefixes, plain names, and long sources.
print(load("x = = 1", "=mychunk"))
print(load("x = = 1", "@some/file.lua"))
print(load("x = = 1", "plain name"))
print(load("x = = 1 -- " .. string.rep("long ", 20)))
print(load("\nx = = 1"))

-- Limits: too many local variables in one function.
local names = {}
for i = 1, 201 do names[i] = "v" .. i end
print(load("local " .. table.concat(names, ", ")))
