-- os.time with a table: defaults, normalisation of the fields (written back into the
-- table), field errors, unrepresentable dates. Results are shown relative to a base time
-- so that they do not depend on the time zone.

local base = os.time{year = 2000, month = 1, day = 1, hour = 0}
print(math.type(base), math.type(os.time()))
print(os.time() >= base)

local function rel(t)
  local ok, r = pcall(os.time, t)
  if not ok then return r end
  return r - base
end
local function fields(t)
  return string.format("%d-%d-%d %d:%d:%d wday=%s yday=%s isdst=%s", t.year, t.month,
    t.day, t.hour or -1, t.min or -1, t.sec or -1, tostring(t.wday), tostring(t.yday),
    type(t.isdst))
end

print(rel{year = 2000, month = 1, day = 1})          -- hour defaults to 12
print(rel{year = 2000, month = 1, day = 1, hour = 0, min = 0, sec = 1})
print(rel{year = 2000, month = 1, day = 2, hour = 0})
print(rel{year = 2000, month = 1, day = 1, hour = 0, min = 0, sec = -1})
print(rel{year = "2000", month = "1", day = 1.0, hour = "0"})
print(rel{year = 1999, month = 13, day = 1, hour = 0})
print(rel{year = 2000, month = 0, day = 1, hour = 0})
print(rel{year = 2000, month = 1, day = 0, hour = 0})
print(rel{year = 2000, month = 1, day = 1, hour = 24 * 31})

-- normalisation writes the fields back
local t = {year = 2005, month = 1, day = 1, hour = 1, min = 0, sec = -3602}
os.time(t)
print(fields(t))
t = {year = 2000, month = 14, day = -30, hour = 47, min = 61, sec = 3601}
os.time(t)
print(fields(t))
t = {year = 2001, month = 2, day = 29}
os.time(t)
print(fields(t))
t = {year = 2000, month = 1, day = 1, extra = "kept"}
os.time(t)
print(fields(t), t.extra)
t = os.date("*t", base + 86400 * 45 + 3723)
print(fields(t), os.time(t) - base)

-- differences between dates
local t1 = os.time{year = 2000, month = 10, day = 1, hour = 23, min = 12}
local t2 = os.time{year = 2000, month = 10, day = 1, hour = 23, min = 10, sec = 19}
print(os.difftime(t1, t2), t1 - t2)
print((os.time{year = 2001, month = 1, day = 1, hour = 0} - base + 43200) // 86400)
print((os.time{year = 2100, month = 1, day = 1, hour = 0} - base + 43200) // 86400)
print((os.time{year = 1900, month = 1, day = 1, hour = 0} - base + 43200) // 86400)
print((os.time{year = 1, month = 1, day = 1, hour = 0} - base + 43200) // 86400)
print((os.time{year = -100, month = 1, day = 1, hour = 0} - base + 43200) // 86400)
print((os.time{year = 4000, month = 1, day = 1, hour = 0} - base + 43200) // 86400)

-- missing fields and bad values
print(rel{})
print(rel{hour = 12})
print(rel{year = 2000, day = 1})
print(rel{year = 2000, month = 1})
print(rel{month = 1, day = 1})
print(rel{year = 2000, month = 1, day = 1, hour = "x"})
print(rel{year = 2000, month = 1, day = 1, hour = 1.5})
print(rel{year = 2000, month = 1.5, day = 1})
print(rel{year = 2000, month = 1, day = 1, sec = {}})
print(rel{year = 2000, month = 1, day = 1, min = true})
print(rel{year = 2^31, month = 1, day = 1})
print(rel{year = -2^31, month = 1, day = 1})
print(rel{year = math.maxinteger, month = 1, day = 1})
print(rel{year = 1073741823 + 1, month = 1, day = 1})
print(rel{year = 2000, month = 1073741823 + 1, day = 1})
print(rel{year = 2000, month = 1, day = -1073741823 - 1})
print(rel{year = 1073741823, month = 1073741823, day = 1})
print(pcall(os.time, 1))
print(pcall(os.time, "x"))
print(pcall(function() return os.time{} end))
print(pcall(function() return os.time{year = 1, month = 1, day = 1, min = "m"} end))

-- fields are read with metamethods
local proxy = setmetatable({}, {__index = function(_, k)
  return ({year = 2000, month = 1, day = 3, hour = 0})[k]
end})
print(os.time(proxy) - base)

-- os.time(os.date("*t")) round trips
local now = os.time()
local d = os.date("*t", now)
print(os.time(d) == now)
d.isdst = nil
print(os.time(d) == now)
