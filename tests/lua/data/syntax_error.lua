-- Helper for base_loadfile.lua: this file does not compile.
local ok = true
if ok then
  print("unterminated"
end
