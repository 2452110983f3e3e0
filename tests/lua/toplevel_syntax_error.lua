-- A script that does not compile: nothing runs, stderr has the single line
-- "progname: chunk:line: message" (no traceback), and the exit status is 1.

print("this line never runs, because the whole file fails to compile")
local x = = 1
