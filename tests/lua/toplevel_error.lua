-- An uncaught runtime error ends the script: what was printed before stays
-- on stdout, the message and a traceback go to stderr as
-- "progname: msg", and the exit status is 1 (see the .status and .stderr files).

print("before the error")
local function fail(what)
  error("uncaught " .. what)
end
fail("boom")
print("never reached")
