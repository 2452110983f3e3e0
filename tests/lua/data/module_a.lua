-- Helper chunk for base_loadfile.lua: returns its arguments and a table.
local args = table.pack(...)
counter = (counter or 0) + 1
return { name = "module_a", nargs = args.n, first = args[1] }, "second result"
