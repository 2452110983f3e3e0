-- table.insert/table.remove in the middle of sequences whose elements live in the
-- array part, the hash part, or both (the shifts of both kinds must agree).

local function show(t, n)
  local out = {}
  for i = 1, n or #t do out[#out + 1] = tostring(t[i]) end
  return table.concat(out, ",") .. " #" .. #t
end

-- a sequence in the array part, shifted many times
local q = {}
for i = 1, 20 do table.insert(q, 1, i) end
print(show(q))
for i = 1, 10 do table.insert(q, (i * 7) % #q + 1, -i) end
print(show(q))
while #q > 5 do table.remove(q, 2) end
print(show(q))

-- a sequence built backwards lands in the hash part first
local h = {}
for i = 10, 1, -1 do h[i] = i * 10 end
table.insert(h, 3, "x")
print(show(h))
print(table.remove(h, 1), show(h))

-- part array, part hash: keys 1..4 from the constructor, 5..8 assigned later
local m = { 1, 2, 3, 4 }
m[6] = 6; m[8] = 8; m[7] = 7; m[5] = 5
table.insert(m, 2, "y")
print(show(m))
print(table.remove(m, 3), show(m))
table.insert(m, #m + 1, "end")
print(show(m))

-- values of every kind keep their identity through the shifts
local t = {}
local f = function() end
for i = 1, 6 do t[i] = ({ true, 1.5, "s", f, t, false })[i] end
table.insert(t, 1, 0)
print(t[5] == f, t[6] == t, t[7], t[2], #t)
print(table.remove(t, 1), t[4] == f, #t)

-- long shifts survive a collection in between (values stay reachable)
local big = {}
for i = 1, 1000 do big[i] = { i } end
for i = 1, 50 do
  table.insert(big, i * 3, { -i })
  if i % 10 == 0 then collectgarbage() end
end
local s = 0
for i = 1, #big do s = s + big[i][1] end
print(#big, s)
for i = 1, 50 do table.remove(big, i * 2) end
collectgarbage()
s = 0
for i = 1, #big do s = s + big[i][1] end
print(#big, s)
