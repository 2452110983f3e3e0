-- spawn / join / status / count / current, from the main VM.
print(math.type(workers.count()), workers.count() >= 1)
print(workers.current())

local h = workers.spawn(function(a, b) return a + b, a * b, "three" end, 6, 7)
print(h:join())
print(h:join())            -- joining again gives the same values
print(h:status())
print(tostring(h):match("^workers%.task %d+ %(done%)$") ~= nil)

-- no values, many values
print(select("#", workers.spawn(function() end):join()))
print(select("#", workers.spawn(function() return table.unpack({}, 1, 200) end):join()))

-- varargs and nil holes
print(workers.spawn(function(...) return select("#", ...), ... end, nil, 2, nil):join())

-- a task sees the worker's globals, not the sender's
X = "main"
print(workers.spawn(function() return X end):join())
print(workers.spawn(function() return workers.current() ~= nil end):join())

-- a longer task
local busy = workers.spawn(function(n) local s = 0 for i = 1, n do s = s + i end return s end, 3000000)
print(busy:join())

-- map keeps order and returns first values
local squares = workers.map(function(x) return x * x, "ignored" end, {1, 2, 3, 4, 5, 6, 7, 8})
print(#squares, table.concat(squares, ","))
print(#workers.map(function(x) return x end, {}))

-- submit with a table, like a gma2 task
local s = workers.submit{func = function(a, b) return a .. b end, args = {"x", "y"}}
print(s:join())

-- argument checks
print(pcall(workers.spawn))
print(pcall(workers.spawn, 42))
print(pcall(workers.map, print))
print(pcall(workers.submit, {func = 1}))
print(pcall(workers.RunSync, {}))
print(pcall(h.join, {}))
print(pcall(workers.map, function() end, {}, 5))
