-- every numeral form and their constants
local ints = {0, 1, 42, 007, 9223372036854775807, 0x0, 0xff, 0XFF, 0xDEADbeef,
  0x7fffffffffffffff, 0xffffffffffffffff, 0x10000000000000000, 0x1ffffffffffffffff}
local floats = {0.0, 1.0, 3., .5, 0.5, 1e10, 1E10, 1e+10, 1e-10, 2.5e3, .5e-3,
  9223372036854775808, 18446744073709551616, 1e308, 1e309, 2e-308, 4.9e-324, 1e-400,
  0x1p4, 0x1P-4, 0x.8, 0x.8p1, 0xA.8p0, 0x1.fffffffffffffp1023, 0x1p-1074, 0x1p+3, 0xa.bcdefp-10,
  123456789012345678901234567890, 0.1, 0.2, 0.30000000000000004, 3.14159265358979}
local mixed = 1 + 1.0, 1 == 1.0, 2^53 + 1
local neg = -1, -1.5, -0x10, -9223372036854775808, - 9223372036854775807 - 1
print(1e15, 1e14, 123456789012345, 1234567890123456, 0.1 + 0.2, 100 // 1.0, 1e100)
print(-0x7fffffffffffffff, 0x8000000000000000, 5 // 0.0, -5 % math.huge)
return ints, floats
