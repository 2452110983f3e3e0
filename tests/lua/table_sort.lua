-- table.sort: default '<' ordering for numbers and strings, custom
-- comparators, stability is NOT guaranteed (so only total orders are
-- printed), and errors.

local function show(t) return table.concat(t, " ") end

local nums = { 5, 2, 8, 1, 9, 3, 7, 4, 6, 0 }
table.sort(nums)
print(show(nums))
table.sort(nums, function(a, b) return a > b end)
print(show(nums))

-- Mixed integers and floats compare numerically.
local mixed = { 3, 1.5, 2, -1, 2.5, math.huge, -math.huge, math.mininteger }
table.sort(mixed)
print(show(mixed))

-- Strings sort by bytes.
local words = { "banana", "Apple", "cherry", "apple", "", "a", "B" }
table.sort(words)
print(show(words))
table.sort(words, function(a, b) return a:lower() < b:lower() or (a:lower() == b:lower() and a < b) end)
print(show(words))

-- Sorting records by a key, with a tie-breaker for a total order.
local people = {
  { name = "ann", age = 30 }, { name = "bob", age = 25 }, { name = "cid", age = 30 }, { name = "dee", age = 22 },
}
table.sort(people, function(x, y) if x.age ~= y.age then return x.age < y.age end return x.name < y.name end)
local names = {}
for i, p in ipairs(people) do names[i] = p.name .. p.age end
print(show(names))

-- Edge sizes.
local empty, single, two = {}, { 1 }, { 2, 1 }
table.sort(empty); table.sort(single); table.sort(two)
print(#empty, single[1], show(two))

-- Larger inputs: sorted and a permutation of the input.
local big = {}
local x = 12345
for i = 1, 2000 do x = (x * 1103515245 + 12345) % 2147483648; big[i] = x % 1000 end
local sum = 0
for _, v in ipairs(big) do sum = sum + v end
table.sort(big)
local ok, sum2 = true, 0
for i = 1, #big do
  sum2 = sum2 + big[i]
  if i > 1 and big[i - 1] > big[i] then ok = false end
end
print(ok, sum == sum2, big[1], big[#big])
-- Already sorted and reverse-sorted inputs.
local asc, desc = {}, {}
for i = 1, 1000 do asc[i] = i; desc[i] = 1001 - i end
table.sort(asc); table.sort(desc)
print(asc[1], asc[1000], desc[1], desc[1000])
-- All-equal elements.
local same = {}
for i = 1, 100 do same[i] = 7 end
table.sort(same)
print(same[1], same[100])

-- Errors: incomparable values, bad comparator argument.
-- (which pair is compared first depends on the algorithm, so only the
-- start of the message is checked)
local okm, msg = pcall(table.sort, { 1, "x", 2, "y" })
print(okm, msg:match("^attempt to compare %a+ with %a+$") ~= nil)
print(pcall(table.sort, { {}, {} }))
print(pcall(table.sort, { 1, 2 }, 42))
print(pcall(table.sort, nil))
-- An error raised by the comparator propagates.
print(pcall(table.sort, { 3, 2, 1 }, function() error("cmp failed", 0) end))

-- Sorting uses __lt of elements when no comparator is given.
local V = { __lt = function(a, b) return a.v < b.v end }
local objs = {}
for i, v in ipairs({ 4, 2, 3, 1 }) do objs[i] = setmetatable({ v = v }, V) end
table.sort(objs)
print(objs[1].v, objs[2].v, objs[3].v, objs[4].v)
