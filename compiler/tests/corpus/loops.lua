-- numeric and generic for loops in every form
for i = 1, 10 do end
for i = 10, 1, -1 do end
for i = 1.5, 3.5 do end
for i = 1, 10, 0.5 do end
for i = -1, -10, -2 do print(i) end
for i = #arg, 1, -1 do local v = arg[i] end
for i = f(), g() do end
local t = {}
for i, v in ipairs(t) do t[i] = v * 2 end
for k, v in pairs(t) do end
for k, v in next, t, nil do end
for a, b, c in f() do end
for x in g(), h() do end
for line in io.lines("x") do print(line) end
local function iter(s, c) if c < s then return c + 1 end end
for v in iter, 3, 0 do print(v) end
for i = 1, 3 do
  for j = i, 3 do
    for k = j, 3 do
      if i + j + k > 6 then break end
    end
  end
end
while true do break end
repeat local q = 1 until q == 1
local n = 0
while n < 3 do n = n + 1 end
return n
