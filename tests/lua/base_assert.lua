-- assert: returns all its arguments on success; on failure raises its
-- message (any value), or "assertion failed!" when there is none.

print(assert(1, 2, 3))
print(assert(true, "unused message"))
print(select("#", assert(0)), assert(""), assert({}) ~= nil)

-- Failure with a string message: 5.3's assert raises it through 'error' at
-- level 1, so the position of the caller of assert is prepended.
print(pcall(function() assert(false, "custom message") end))
print(pcall(function() assert(nil, "nil is false") end))
-- Without a message.
print(pcall(function() assert(false) end))
print(pcall(function() assert(nil) end))
print(pcall(assert, false))
-- An explicit nil message is raised as nil.
print(pcall(function() assert(false, nil) end))
-- Non-string messages pass through unchanged.
local errobj = {}
local ok, e = pcall(function() assert(false, errobj) end)
print(ok, e == errobj)
print(pcall(function() assert(false, 42) end))
-- No argument at all is an argument error.
print(pcall(assert))

-- Typical idiom: assert(io.open(...)) style with a function returning nil, msg.
local function may_fail(x) if x then return x end return nil, "it failed" end
print(pcall(function() return assert(may_fail(5)) end))
print(pcall(function() return assert(may_fail(false)) end))
