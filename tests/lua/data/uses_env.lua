-- Helper for base_loadfile.lua: reads and writes globals of its _ENV.
result = (base or 0) * 2
return result
