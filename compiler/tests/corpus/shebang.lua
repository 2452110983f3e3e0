#!/usr/bin/env lua5.3
-- a script with a shebang line
local x = 1
print(x)
return x
