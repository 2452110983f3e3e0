-- Small complete programs mixing many features: sieve, N-queens, memoized
-- Fibonacci, a tokenizer, a serializer with sorted keys, a class hierarchy,
-- and string building.

-- Sieve of Eratosthenes.
local function sieve(n)
  local composite, primes = {}, {}
  for i = 2, n do
    if not composite[i] then
      primes[#primes + 1] = i
      for j = i * i, n, i do composite[j] = true end
    end
  end
  return primes
end
local p = sieve(100)
print(#p, table.concat(p, " ", 1, 10), p[#p])

-- N-queens: count solutions.
local function queens(n)
  local count, cols, d1, d2 = 0, {}, {}, {}
  local function place(r)
    if r > n then count = count + 1 return end
    for c = 1, n do
      if not cols[c] and not d1[r + c] and not d2[r - c + n] then
        cols[c], d1[r + c], d2[r - c + n] = true, true, true
        place(r + 1)
        cols[c], d1[r + c], d2[r - c + n] = nil, nil, nil
      end
    end
  end
  place(1)
  return count
end
print(queens(6), queens(8))

-- Memoized Fibonacci with a closure cache and big integers (wrapping past 92).
local memo = {}
local function fib(n)
  if n <= 2 then return 1 end
  local v = memo[n]
  if v then return v end
  v = fib(n - 1) + fib(n - 2)
  memo[n] = v
  return v
end
print(fib(50), fib(90), fib(92), fib(93) < 0)

-- A tokenizer using patterns.
local function tokenize(src)
  local toks, pos = {}, 1
  while pos <= #src do
    local s, e = src:find("^%s+", pos)
    if s then pos = e + 1
    else
      local num = src:match("^%d+%.?%d*", pos)
      local id = src:match("^[%a_][%w_]*", pos)
      local tok = num or id or src:sub(pos, pos)
      toks[#toks + 1] = (num and "N:" or id and "I:" or "P:") .. tok
      pos = pos + #tok
    end
  end
  return toks
end
print(table.concat(tokenize("local x1 = 3.14 * (y + 42)"), " "))

-- Serializer with sorted keys (deterministic output).
local function serialize(v, indent)
  indent = indent or ""
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) then return a < b end
      return type(a) == "number"
    end)
    local out = { "{" }
    for _, k in ipairs(keys) do
      local ks = type(k) == "string" and k or "[" .. tostring(k) .. "]"
      out[#out + 1] = indent .. "  " .. ks .. " = " .. serialize(v[k], indent .. "  ") .. ","
    end
    out[#out + 1] = indent .. "}"
    return table.concat(out, "\n")
  elseif type(v) == "string" then
    return string.format("%q", v)
  else
    return tostring(v)
  end
end
print(serialize({ name = "test", list = { 3, 2, 1 }, nested = { a = true, b = 1.5 }, [10] = "ten" }))

-- Class hierarchy with inheritance and super calls.
local Animal = {}
Animal.__index = Animal
function Animal.new(name, sound) return setmetatable({ name = name, sound = sound }, Animal) end
function Animal:speak() return self.name .. " says " .. self.sound end
local Dog = setmetatable({}, { __index = Animal })
Dog.__index = Dog
function Dog.new(name) local d = Animal.new(name, "woof") return setmetatable(d, Dog) end
function Dog:speak() return Animal.speak(self) .. "!" end
function Dog:fetch() return self.name .. " fetches" end
local animals = { Animal.new("cat", "meow"), Dog.new("rex") }
for _, a in ipairs(animals) do print(a:speak()) end
print(animals[2]:fetch(), animals[1].fetch)

-- String building with a buffer table.
local buf = {}
for i = 1, 10 do buf[#buf + 1] = string.format("%02d", i * i) end
print(table.concat(buf, ":"))
local words = {}
for w in ("the rain in spain stays mainly in the plain"):gmatch("%a+") do words[w] = (words[w] or 0) + 1 end
local wl = {}
for w, n in pairs(words) do wl[#wl + 1] = w .. "=" .. n end
table.sort(wl)
print(table.concat(wl, " "))

-- Matrix multiplication.
local function matmul(a, b)
  local n, m, q = #a, #b, #b[1]
  local c = {}
  for i = 1, n do
    c[i] = {}
    for j = 1, q do
      local s = 0
      for k = 1, m do s = s + a[i][k] * b[k][j] end
      c[i][j] = s
    end
  end
  return c
end
local r = matmul({ { 1, 2 }, { 3, 4 } }, { { 5, 6 }, { 7, 8 } })
print(r[1][1], r[1][2], r[2][1], r[2][2])
