-- collectgarbage options as in 5.3

print(collectgarbage("isrunning"))
print(collectgarbage("stop"))
print(collectgarbage("isrunning"))
print(collectgarbage("restart"))
print(collectgarbage("isrunning"))
print(collectgarbage())
print(collectgarbage("collect"))

print(math.type(collectgarbage("count")), select("#", collectgarbage("count")))

print(collectgarbage("setpause", 150))
print(collectgarbage("setpause", 200))
print(collectgarbage("setstepmul", 300))
print(collectgarbage("setstepmul", 10))   -- too low: becomes 40
print(collectgarbage("setstepmul", 200))

print(type(collectgarbage("step")), select("#", collectgarbage("step", 0)))
print(collectgarbage("step", 100000))     -- enough for a whole cycle

-- steps until a cycle completes; the collector stays stopped
collectgarbage()
collectgarbage("stop")
local function churn() local t = {} for i = 1, 200 do t[i] = {{}} end end
churn()
local n = 0
repeat n = n + 1 until collectgarbage("step", 0)
print("several steps:", n > 1)
print(collectgarbage("isrunning"))
collectgarbage("restart")

-- count goes up with allocation and down after collection
collectgarbage()
local before = collectgarbage("count")
local big = {}
for i = 1, 20000 do big[i] = {i} end
local during = collectgarbage("count")
big = nil
collectgarbage()
local after = collectgarbage("count")
print(during > before, after < during)

-- while stopped, memory grows; restart collects again
collectgarbage()
local base = collectgarbage("count")
collectgarbage("stop")
repeat local a = {} until collectgarbage("count") > 2 * base
collectgarbage("restart")
repeat local a = {} until collectgarbage("count") <= 2 * base
print("pace ok")

-- arguments
print(pcall(collectgarbage, "bogus"))
print(pcall(collectgarbage, "count", "x"))
print(pcall(collectgarbage, 1))
print("ok")
