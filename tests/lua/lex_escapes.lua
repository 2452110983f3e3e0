-- Lexer: every escape sequence in short strings, and the errors for bad ones.

local function bytes(s)
  local t = {}
  for i = 1, #s do t[i] = s:byte(i) end
  return table.concat(t, " ")
end

-- Single-character escapes.
print(bytes("\a\b\f\n\r\t\v"))
print(bytes("\\\"\'"), "\"double\"", '\'single\'', "it's", 'say "hi"')

-- Backslash-newline inserts a newline.
local nl = "line1\
line2"
print(nl, #nl)

-- \z skips the following whitespace, including newlines.
local z = "abc\z
           def\z   ghi"
print(z)
print(#"a\z  
   
   b")

-- \xXX: exactly two hex digits, either case.
print(bytes("\x41\x7a\xFF\x00\xaB"))

-- \ddd: up to three decimal digits.
print(bytes("\0\65\065\0651\255\9x"))
print("\72\101\108\108\111")

-- \u{XXX}: UTF-8 encoding of the code point.
print(bytes("\u{41}\u{0}\u{7F}\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}"))
print("\u{48}\u{00049}", #"\u{20AC}", "\u{20AC}" == "\xE2\x82\xAC")

-- Embedded zeros are ordinary bytes.
local zs = "a\0b\0c"
print(#zs, bytes(zs))

-- Errors, exactly as reported by the loader.
local bad = {
  [["\q"]],
  [["\x5"]],
  [["\xg0"]],
  [["\256"]],
  [["\999"]],
  [["\u{110000}"]],
  [["\u{}"]],
  [["\u41"]],
  [["\u{41"]],
  [["abc]],
  "'abc\ndef'",
  [["abc\]],
}
for i, src in ipairs(bad) do
  local f, msg = load("return " .. src)
  print(i, f, msg)
end
