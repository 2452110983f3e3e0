#!/usr/bin/env lua
return "shebang skipped", debug and 2 or 2
