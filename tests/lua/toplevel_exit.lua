-- os.exit(n) ends the script with status n after flushing stdout
-- (see toplevel_exit.status).

io.write("written with io.write, no newline yet")
print(" / then print")
os.exit(3)
print("never reached")
