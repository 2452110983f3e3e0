-- Every workers function with odd arguments: errors, never a crash or a hang.
local values = {
  nil, true, 0, -1, 2^63, 1/0, 0/0, "", "x", {}, {tasks = {}}, {tasks = {1}},
  {tasks = {{func = 1}}}, {tasks = {{func = tostring, args = 5}}}, {func = tostring, args = {}},
  tostring, function() end, coroutine.create(print), io.stdout, setmetatable({}, {__len = error}),
}
local n = #values + 1 -- (values[1] is nil)
local d = workers.Dispatcher.new(1, function() workers.bind("echo", function(...) return ... end) end)
local h = workers.spawn(function() return 1 end)
local fns = {}
for name, f in pairs(workers) do
  if type(f) == "function" and name ~= "wait" then fns[#fns + 1] = {name, f} end
end
fns[#fns + 1] = {"Dispatcher.new", function(a, b)
  if type(a) == "number" and a > 4 then return end -- not thousands of threads
  local x = workers.Dispatcher.new(a, b)
  x:Close()
end}
for _, m in ipairs({"join", "cancel", "status"}) do
  fns[#fns + 1] = {m, function(a, b) return h[m](a, b) end}
end
for _, m in ipairs({"Dispatch", "Tasks"}) do
  fns[#fns + 1] = {m, function(a, b) return d[m](d, a, b) end}
end
table.sort(fns, function(a, b) return a[1] < b[1] end)
local calls, errors = 0, 0
for _, nf in ipairs(fns) do
  local f = nf[2]
  for i = 1, n do
    for j = 1, n do
      local ok, r = pcall(f, values[i], values[j])
      calls = calls + 1
      if not ok then errors = errors + 1 end
      -- join what was started, so nothing is left running
      if ok and type(r) == "userdata" and tostring(r):match("^workers%.task") then pcall(r.join, r) end
    end
  end
end
print(calls > 0, errors > 0)
workers.wait()
d:Close()
print(workers.spawn(function() return "still fine" end):join())
