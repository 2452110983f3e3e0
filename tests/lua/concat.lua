-- Concatenation '..': strings and numbers (numbers converted with the same
-- rules as tostring), right associativity, and errors for other types.

print("a" .. "b", "a" .. 1, 1 .. "a", 1 .. 2, 1.5 .. "", 2.0 .. "", -0.0 .. "x")
print(10 .. 20 .. 30, "x" .. 1e100, math.mininteger .. "", 2^63 .. "")
print(("ab"):rep(3) .. "|" .. ("")..("") .. "|")

-- Long chains build one result.
local parts = {}
for i = 1, 10 do parts[#parts + 1] = i end
local s = ""
for i = 1, #parts do s = s .. parts[i] .. (i < #parts and "," or "") end
print(s, #s)
print("a" .. "b" .. "c" .. "d" .. "e" .. 1 .. 2 .. 3)

-- Concatenation is right associative and binds looser than arithmetic.
print(1 + 2 .. 3 + 4, "n=" .. 2 * 3, "x" .. -1)

-- Embedded zeros survive.
local z = "a\0" .. "\0b"
print(#z, z:byte(1, -1))

-- Errors name the offending operand.
local function try(f)
  local ok, err = pcall(f)
  print(ok, err)
end
try(function() local t = {} return "a" .. t end)
try(function() return "a" .. nil end)
try(function() local b = true return b .. "x" end)
try(function() return "x" .. {} .. "y" end)
try(function() local t = { f = print } return "a" .. t.f end)
try(function() return 1 .. undefinedglobal end)
local up = {}
try(function() return up .. "" end)
