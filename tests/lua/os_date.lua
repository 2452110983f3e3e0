-- os.date: every C99 conversion (as glibc prints them in the C locale), "!" for UTC,
-- "*t" tables, invalid conversions, times far from now.

local convs = {"a", "A", "b", "B", "c", "C", "d", "D", "e", "F", "g", "G", "h", "H",
  "I", "j", "m", "M", "n", "p", "r", "R", "S", "t", "T", "u", "U", "V", "w", "W", "x",
  "X", "y", "Y", "z", "Z", "%", "Ec", "EC", "Ex", "EX", "Ey", "EY", "Od", "Oe", "OH",
  "OI", "Om", "OM", "OS", "Ou", "OU", "OV", "Ow", "OW", "Oy"}

local function all(t)
  local out = {}
  for _, c in ipairs(convs) do out[#out + 1] = c .. "=" .. os.date("!%" .. c, t) end
  return (table.concat(out, " "):gsub("\n", "\\n"):gsub("\t", "\\t"))
end

for _, t in ipairs{0, 1234567890, 951782400, 1009843199, 1009843200, -1, -86400 * 366,
    -62135596800, -62167219200, -62198755200, 253402300799, 253402300800,
    4102444800 + 3600 * 13 + 61, 1e12, -1e12, 2^50} do
  print(t, all(t))
end

-- ISO weeks around the turn of years
local jan1 = 1072915200   -- 2004-01-01 00:00 UTC
for y = 2004, 2012 do
  for _, d in ipairs{-3, -2, -1, 0, 1, 2, 3} do
    local t = jan1 + d * 86400 + 43200
    io.write(os.date("!%F:%G-%V-%u:%g:%U:%W ", t))
  end
  print()
  jan1 = jan1 + (y % 4 == 0 and 366 or 365) * 86400
end

-- "*t" and "!*t"
local function fields(tt)
  return string.format("%d-%d-%d %d:%d:%d wday=%d yday=%d isdst=%s", tt.year, tt.month,
    tt.day, tt.hour, tt.min, tt.sec, tt.wday, tt.yday, tostring(tt.isdst))
end
print(fields(os.date("!*t", 0)))
print(fields(os.date("!*t", 1234567890)))
print(fields(os.date("!*t", -62135596801)))
print(fields(os.date("!*t", 951868800)))
print(fields(os.date("!*t\0ignored", 86399)))
print(os.date("!*tx", 0), os.date("!x*t", 0))

-- text around conversions, empty formats, embedded zeros
print(os.date("!", 0) == "", os.date("", 0) == "")
print(os.date("!\0\0", 0) == "\0\0", os.date("!a\0%Y\0b", 0) == "a\0" .. "1970\0b")
print(os.date("!%%Y=%Y, %%%%=%%%%", 1e9))
print(#os.date("!" .. string.rep("%d", 500), 0), os.date(string.rep("%", 10), 0))

-- invalid conversions
for _, f in ipairs{"%", "%9", "%Ez", "%E", "%O", "%Ea", "%Oz abc", "%k", "%s", "%+",
    "%Q\0after zero", "x%"} do
  print(pcall(os.date, f, 0))
end
print(pcall(function() return os.date("%i") end))

-- argument errors and unrepresentable times
print(pcall(os.date, "%Y", 1.5))
print(pcall(os.date, "%Y", "x"))
print(pcall(os.date, {}))
print(pcall(os.date, "!%Y", 2^60))
print(pcall(os.date, "%Y", math.maxinteger))
print(pcall(os.date, "!%Y", math.mininteger))
print(os.date("!%Y", "1e9"), os.date(nil, 0) == os.date("%c", 0))

-- local time agrees with os.time, whatever the time zone
for _, t in ipairs{0, 1234567890, 1e9, 1.5e9, 2e9} do
  local lt = os.date("*t", t)
  print(os.time(lt) == t, os.date("%Y-%m-%d %H:%M:%S", t) ==
    string.format("%04d-%02d-%02d %02d:%02d:%02d", lt.year, lt.month, lt.day, lt.hour,
      lt.min, lt.sec), type(lt.isdst), os.date("%z", t):match("^[+-]%d%d%d%d$") ~= nil)
end
print(type(os.date()), type(os.date("%c")), os.date("%Y") == os.date("*t").year .. "")
