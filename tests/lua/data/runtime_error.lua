-- Helper for base_loadfile.lua: compiles, then fails when run.
local t = nil
return t.field
