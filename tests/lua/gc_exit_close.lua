-- os.exit(code, true) closes the state: pending finalizers run first
local t = setmetatable({}, {__gc = function() print("finalizer ran at os.exit") end})
print("exiting")
os.exit(0, true)
