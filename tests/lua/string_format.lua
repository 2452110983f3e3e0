-- string.format: every common conversion with flags, width and precision,
-- %q quoting, %s with __tostring, and argument errors.

print(string.format("%d %d %d", 0, -42, math.maxinteger))
print(string.format("%5d|%-5d|%05d|%+d|% d", 42, 42, 42, 42, 42))
print(string.format("%d", 3.0), pcall(string.format, "%d", 3.5))
print(pcall(string.format, "%d", "x"))
print(string.format("%d", "10"), string.format("%x", "0x10"))
print(string.format("%i", 7))

-- Hex and octal and char.
print(string.format("%x %X %#x %o %08x", 255, 255, 255, 8, 48879))
print(string.format("%x", -1), string.format("%c%c%c", 76, 117, 97), #string.format("%c", 0))

-- Floats.
print(string.format("%f %.2f %5.2f %-8.3f| %e %.3E", 3.14159, 3.14159, 3.14159, 3.14159, 12345.678, 0.00012))
print(string.format("%g %g %g %g %g", 1e20, 0.1, 100000, 1000000, 1e-5))
print(string.format("%.3g %.10g %G", 2 / 3, 2 / 3, 1e-10))
print(string.format("%.14g %.14g %.14g", 0.1, 1 / 3, 2^63))
print(string.format("%5.1f|%-7.2f|%+.1f|%07.2f", 2.25, -1.5, 2, -3.14159))
print(string.format("%f %f", 1, 2^53), string.format("%.0f %.0f", 0.5, 1.5))
print(string.format("%a", 1) == "0x1p+0", string.format("%.1f", 1 / 0), string.format("%.1f", -1 / 0))

-- Strings.
print(string.format("[%s] [%10s] [%-10s] [%.2s] [%5.1s]", "abc", "abc", "abc", "abc", "abc"))
print(string.format("%s %s %s %s", 1, 1.5, true, nil))
local T = setmetatable({}, { __tostring = function() return "T!" end })
print(string.format("%s|%5s", T, T))
print(string.format("%%"), string.format("100%% sure"), string.format("no conversions"))
print(string.format("%s", "embedded\0zero"):len())

-- %q produces a string that reads back as the same value: control bytes as
-- \ddd (3 digits when a digit follows), newline as backslash-newline, bytes
-- above 127 unchanged, integers in decimal, floats in hex ("%a").
local q = string.format("%q", 'he said "hi"\n\t\\ \0 \1\0012 \r\255')
print(q)
print(load("return " .. q)() == 'he said "hi"\n\t\\ \0 \1\0012 \r\255')
print(string.format("%q", 1 / 3) == "0x1.5555555555555p-2", string.format("%q", 10), string.format("%q", math.mininteger))
print(string.format("%q", 1.0), string.format("%q", -0.5), string.format("%q", 2^63))
print(pcall(string.format, "%q", {}))

-- Argument errors.
print(pcall(string.format, "%d"))
print(pcall(string.format, "%s"))
print(pcall(string.format, "%y", 1))
print(pcall(string.format, "%10.123f", 1))
print(pcall(string.format, "%123d", 1))
print(pcall(string.format))

-- Extra arguments are ignored.
print(string.format("%d", 1, 2, 3))
