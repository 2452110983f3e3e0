//! Syntax error messages: each case was verified with lua5.3 (`load(src, name)`
//! from a main chunk, i.e. 2 C levels in use) and is checked here byte for byte.
//! When lua5.3 is installed, the same cases (and generated ones that hit the
//! limits) are also compared live.

mod common;

use std::process::Command;

use common::*;
use luavm_compiler::{compile, compile_with_c_calls, CompileError};

fn load_error(src: &[u8], chunkname: &[u8]) -> Option<Vec<u8>> {
    compile_with_c_calls(src, chunkname, 2).err().map(|e| e.raw)
}

/// (source, expected message for chunk name "=x"; "nil" when it compiles).
const CASES: &[(&[u8], &[u8])] = &[
    (b"a = 3x", b"x:1: syntax error near <eof>"),
    (b"a = 3e", b"x:1: malformed number near '3e'"),
    (b"a = 0x", b"x:1: malformed number near '0x'"),
    (b"a = 3..4", b"x:1: malformed number near '3..4'"),
    (b"a = 1.5.6", b"x:1: malformed number near '1.5.6'"),
    (b"a = \"abc", b"x:1: unfinished string near <eof>"),
    (b"a = \"abc\n\"", b"x:1: unfinished string near '\"abc'"),
    (b"a = \"\\q\"", b"x:1: invalid escape sequence near '\"\\q'"),
    (
        b"a = \"\\300\"",
        b"x:1: decimal escape too large near '\"\\300\"'",
    ),
    (
        b"a = \"\\xZZ\"",
        b"x:1: hexadecimal digit expected near '\"\\xZ'",
    ),
    (
        b"a = \"\\u{110000000}\"",
        b"x:1: UTF-8 value too large near '\"\\u{110000'",
    ),
    (
        b"a = \"\\u{7FFFFFFF}\"",
        b"x:1: UTF-8 value too large near '\"\\u{7FFFFF'",
    ),
    (
        b"a = [==[ x",
        b"x:1: unfinished long string (starting at line 1) near <eof>",
    ),
    (
        b"--[[ x",
        b"x:1: unfinished long comment (starting at line 1) near <eof>",
    ),
    (b"x = @", b"x:1: unexpected symbol near '@'"),
    (b"x = \\1", b"x:1: unexpected symbol near '\\'"),
    (b"x = 3 \"abc\" y", b"x:1: unexpected symbol near '\"abc\"'"),
    (b"f{a=1 2}", b"x:1: '}' expected near '2'"),
    (b"goto a", b"x:1: no visible label 'a' for <goto> at line 1"),
    (
        b"do ::a:: ::a:: end",
        b"x:1: label 'a' already defined on line 1",
    ),
    (b"local x <const> = 1", b"x:1: unexpected symbol near '<'"),
    (b"for i=1 do end", b"x:1: ',' expected near 'do'"),
    (b"x = function() end end", b"x:1: <eof> expected near 'end'"),
    (b"x = [=", b"x:1: invalid long string delimiter near '[='"),
    (b"x = \"a\\z\n   b", b"x:2: unfinished string near <eof>"),
    (b"break", b"x:1: <break> at line 1 not inside a loop"),
    (
        b"function f() return ... end",
        b"x:1: cannot use '...' outside a vararg function near '...'",
    ),
    (b"x = }", b"x:1: unexpected symbol near '}'"),
    (b"x = \"\\u{12\"", b"x:1: missing '}' near '\"\\u{12\"'"),
    (
        b"goto l1; local a; ::l1:: print(a)",
        b"x:1: <goto l1> at line 1 jumps into the scope of local 'a'",
    ),
    (b"x = 0xep", b"x:1: malformed number near '0xep'"),
    (b"x = 0x1p-", b"x:1: malformed number near '0x1p-'"),
    (
        b"x = '\\xg'",
        b"x:1: hexadecimal digit expected near ''\\xg'",
    ),
    (
        b"x = '\\x4'",
        b"x:1: hexadecimal digit expected near ''\\x4''",
    ),
    (b"x = = 1", b"x:1: unexpected symbol near '='"),
    (b"a.b:c = 1", b"x:1: function arguments expected near '='"),
    (b"f() = 1", b"x:1: syntax error near '='"),
    (b"(a) = 1", b"x:1: syntax error near '='"),
    (b"a, b() = 1, 2", b"x:1: syntax error near '='"),
    (b"local function end", b"x:1: <name> expected near 'end'"),
    (b"local 1 = 2", b"x:1: <name> expected near '1'"),
    (b"return return", b"x:1: unexpected symbol near 'return'"),
    (b"if x then", b"x:1: 'end' expected near <eof>"),
    (
        b"if x then else elseif y then end",
        b"x:1: 'end' expected near 'elseif'",
    ),
    (b"while x do", b"x:1: 'end' expected near <eof>"),
    (b"for i = 1, 2", b"x:1: 'do' expected near <eof>"),
    (
        b"for a.b = 1, 2 do end",
        b"x:1: '=' or 'in' expected near '.'",
    ),
    (b"for a, 1 in b do end", b"x:1: <name> expected near '1'"),
    (b"function a.b:c.d() end", b"x:1: '(' expected near '.'"),
    (b"function (a) end", b"x:1: <name> expected near '('"),
    (b"x = {1, 2", b"x:1: '}' expected near <eof>"),
    (b"x = (1", b"x:1: ')' expected near <eof>"),
    (b"x = f(1", b"x:1: ')' expected near <eof>"),
    (b"x = a[1", b"x:1: ']' expected near <eof>"),
    (b"local t = {[1] = }", b"x:1: unexpected symbol near '}'"),
    (b"x = 1 + ", b"x:1: unexpected symbol near <eof>"),
    (b"x = not", b"x:1: unexpected symbol near <eof>"),
    (b"x = #", b"x:1: unexpected symbol near <eof>"),
    (b"x = ...", b"nil"),
    (b"local x = function(a, b, ...) return ... end", b"nil"),
    (
        b"local x = function(a, ..., b) end",
        b"x:1: ')' expected near ','",
    ),
    (
        b"local x = function(1) end",
        b"x:1: <name> or '...' expected near '1'",
    ),
    (b"repeat x = 1", b"x:1: 'until' expected near <eof>"),
    (b"repeat local y = 1 until y", b"nil"),
    (b"::a:: goto a", b"nil"),
    (
        b"do local x end goto x",
        b"x:1: no visible label 'x' for <goto> at line 1",
    ),
    (b"x = \"\\", b"x:1: unfinished string near <eof>"),
    (b"\"", b"x:1: unfinished string near <eof>"),
    (b"x = 'abc\\0def", b"x:1: unfinished string near <eof>"),
    (b"x = 1 .. 2", b"nil"),
    (b"x = 12abc", b"x:1: malformed number near '12abc'"),
    (b"x = 0x1.8p3q", b"x:1: syntax error near <eof>"),
    (b"return 1; return 2", b"x:1: <eof> expected near 'return'"),
    (b"x.y.z", b"x:1: syntax error near <eof>"),
    (b"x:y", b"x:1: function arguments expected near <eof>"),
    (b"x:y.z()", b"x:1: function arguments expected near '.'"),
    (b"print \"a\" \"b\" {c}", b"nil"),
    (b"x = function() end()", b"x:1: unexpected symbol near ')'"),
    (b"a.b.c.d.e = 1", b"nil"),
    (b"local a <close> = 1", b"x:1: unexpected symbol near '<'"),
    (b"x = ~= 1", b"x:1: unexpected symbol near '~='"),
    (b"x = 5 // ", b"x:1: unexpected symbol near <eof>"),
    (b"x = 0xffffffffffffffffff", b"nil"),
    (b"x = 1e999", b"nil"),
    (b"x = .5e", b"x:1: malformed number near '.5e'"),
    (b"x = 5.", b"nil"),
    (b"x = 5..", b"x:1: malformed number near '5..'"),
    (b"x = 5...", b"x:1: malformed number near '5...'"),
    (b"x = a..b", b"nil"),
    (
        b"x = \"\\u{}\"",
        b"x:1: hexadecimal digit expected near '\"\\u{}'",
    ),
    (b"x = \"\\u{D800}\"", b"nil"),
    (b"x = \"\\u123\"", b"x:1: missing '{' near '\"\\u1'"),
    (
        b"x = \"\\9999\"",
        b"x:1: decimal escape too large near '\"\\9999'",
    ),
    (
        b"x = \"\\255\\256\"",
        b"x:1: decimal escape too large near '\"\xff\\256\"'",
    ),
    (
        b"goto continue",
        b"x:1: no visible label 'continue' for <goto> at line 1",
    ),
    (
        b"while true do goto continue end",
        b"x:1: no visible label 'continue' for <goto> at line 1",
    ),
    (
        b"repeat goto x; local a ::x:: until a",
        b"x:1: <goto x> at line 1 jumps into the scope of local 'a'",
    ),
    (b"repeat local a; goto x; ::x:: until a", b"nil"),
    (b"do goto x; local a; ::x:: end", b"nil"),
    (b"do goto x; local a; ::x:: ; ; end", b"nil"),
    (
        b"do goto x; local a; ::x:: print(1) end",
        b"x:1: <goto x> at line 1 jumps into the scope of local 'a'",
    ),
    (b"for i = 1, 2 do break break end", b"nil"),
    (
        b"if x then break end",
        b"x:1: <break> at line 1 not inside a loop",
    ),
    (b"x = 1 y = 2 z", b"x:1: syntax error near <eof>"),
];

/// (chunk name, source, expected message).
const NAMED_CASES: &[(&[u8], &[u8], &[u8])] = &[
    (b"@x.lua", b"local x = 1\nlocal y = 2\nx = = 3", b"x.lua:3: unexpected symbol near '='"),
    (b"@x.lua", b"function f()\n  if x then\n    y = 1\n\nend", b"x.lua:5: 'end' expected (to close 'function' at line 1) near <eof>"),
    (b"@x.lua", b"local t = {\n1,\n2\n", b"x.lua:4: '}' expected (to close '{' at line 1) near <eof>"),
    (b"@x.lua", b"f(\n1,\n2\n", b"x.lua:4: ')' expected (to close '(' at line 1) near <eof>"),
    (b"@x.lua", b"while x do\n\n\nx = 1", b"x.lua:4: 'end' expected (to close 'while' at line 1) near <eof>"),
    (b"@x.lua", b"x = 'abc\ny'", b"x.lua:1: unfinished string near ''abc'"),
    (b"@x.lua", b"x = [[\n\n\nabc", b"x.lua:4: unfinished long string (starting at line 1) near <eof>"),
    (b"@x.lua", b"--[==[\n\n\n", b"x.lua:4: unfinished long comment (starting at line 1) near <eof>"),
    (b"@x.lua", b"x = \"a\\\nb\\\nc", b"x.lua:3: unfinished string near <eof>"),
    (b"@x.lua", b"do\n  goto l\nend\n::l::", b"nil"),
    (b"@x.lua", b"for i = 1, 2 do\n  local a\n  goto c\n  local b\n  ::c::\n  print(b)\nend", b"x.lua:6: <goto c> at line 3 jumps into the scope of local 'b'"),
    (b"=stdin", b"x =", b"stdin:1: unexpected symbol near <eof>"),
    (b"=stdin", b"return 1,", b"stdin:1: unexpected symbol near <eof>"),
    (b"a = = 1", b"a = = 1", b"[string \"a = = 1\"]:1: unexpected symbol near '='"),
    (b"local x = 1\nreturn = x", b"local x = 1\nreturn = x", b"[string \"local x = 1...\"]:2: unexpected symbol near '='"),
    (b"return \"a very long chunk text that goes on and on and on and on and on\" +", b"return \"a very long chunk text that goes on and on and on and on and on\" +", b"[string \"return \"a very long chunk text that goes on a...\"]:1: unexpected symbol near <eof>"),
    (b"@d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/file.lua", b"x = }", b"...d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/file.lua:1: unexpected symbol near '}'"),
    (b"=nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", b"x = }", b"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn:1: unexpected symbol near '}'"),
    (b"@x.lua", b"x = 1 + \n\n\n", b"x.lua:4: unexpected symbol near <eof>"),
    (b"@x.lua", b"if x then\nelse\nelse\nend", b"x.lua:3: 'end' expected (to close 'if' at line 1) near 'else'"),
    (b"@x.lua", b"local function f()\nend\nf() = 1", b"x.lua:3: syntax error near '='"),
    (b"@x.lua", b"x = 0x1p4 + 0x.1 + 0x\n", b"x.lua:1: malformed number near '0x'"),
    (b"@x.lua", b"x = '\\u{7FFFFFFF}'", b"x.lua:1: UTF-8 value too large near ''\\u{7FFFFF'"),
    (b"@x.lua", b"x = \"\\xAG\"", b"x.lua:1: hexadecimal digit expected near '\"\\xAG'"),
    (b"@x.lua", b"::a::\n::b::\n::a::", b"x.lua:3: label 'a' already defined on line 1"),
    (b"@x.lua", b"goto x\nlocal a\n::x::\nprint(a)", b"x.lua:4: <goto x> at line 1 jumps into the scope of local 'a'"),
    (b"@x.lua", b"repeat\n  local a\n  goto x\n  local b\n  ::x::\nuntil b", b"x.lua:6: <goto x> at line 3 jumps into the scope of local 'b'"),
    (b"@x.lua", b"x = a.b.c:d", b"x.lua:1: function arguments expected near <eof>"),
    (b"@x.lua", b"x = {a = 1, b = }", b"x.lua:1: unexpected symbol near '}'"),
    (b"@x.lua", b"local a, b, = 1", b"x.lua:1: <name> expected near '='"),
    (b"@x.lua", b"function a:b:c() end", b"x.lua:1: '(' expected near ':'"),
    (b"@x.lua", b"x = \x00", b"x.lua:1: unexpected symbol"),
    (b"@x.lua", b"x = \x01", b"x.lua:1: unexpected symbol near '<\\1>'"),
    (b"@x.lua", b"x = \x7f", b"x.lua:1: unexpected symbol near '<\\127>'"),
    (b"@x.lua", b"x = \xc8", b"x.lua:1: unexpected symbol near '<\\200>'"),
    (b"@x.lua", b"x = 'a\x00b", b"x.lua:1: unfinished string near <eof>"),
    (b"@x.lua", b"x = 'a\x00b'  y", b"x.lua:1: syntax error near <eof>"),
    (b"@x.lua", b"x = [==[a]==] y", b"x.lua:1: syntax error near <eof>"),
    (b"@x.lua", b"x = [==[\na]==] y", b"x.lua:2: syntax error near <eof>"),
    (b"@x.lua", b"x = 1.5e+3 y", b"x.lua:1: syntax error near <eof>"),
    (b"@x.lua", b"x = {a 1}", b"x.lua:1: '}' expected near '1'"),
    (b"@x.lua", b"x = {a = 1 b}", b"x.lua:1: '}' expected near 'b'"),
    (b"@x.lua", b"x = {a 'b' c}", b"x.lua:1: '}' expected near 'c'"),
];

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn messages_match_lua53_hardcoded() {
    let mut bad = Vec::new();
    for (src, want) in CASES {
        let got = load_error(src, b"=x").unwrap_or_else(|| b"nil".to_vec());
        if got != *want {
            bad.push(format!(
                "{:?}\n  got:  {}\n  want: {}",
                show(src),
                show(&got),
                show(want)
            ));
        }
    }
    for (name, src, want) in NAMED_CASES {
        let got = load_error(src, name).unwrap_or_else(|| b"nil".to_vec());
        if got != *want {
            bad.push(format!(
                "{:?}\n  got:  {}\n  want: {}",
                show(src),
                show(&got),
                show(want)
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Sources that hit the nesting, local, register and upvalue limits.
fn limit_sources() -> Vec<Vec<u8>> {
    let mut v: Vec<String> = Vec::new();
    v.push("(".repeat(100_000));
    v.push(format!("a={}", "{".repeat(100_000)));
    for n in [195, 196, 197, 198, 199, 200] {
        v.push(format!("return {}1{}", "(".repeat(n), ")".repeat(n)));
        v.push(format!("{}{}", "do ".repeat(n), "end ".repeat(n)));
        v.push(format!("a = {}1", "-".repeat(n)));
        v.push(format!("a = {}{}", "{".repeat(n), "}".repeat(n)));
        v.push(format!("a = 2{}", "^2".repeat(n)));
        v.push(format!("a = 1{}", " .. 1".repeat(n)));
        v.push(format!("a{}=1", ",a".repeat(n)));
    }
    for n in [96, 97, 98, 99, 100] {
        v.push(format!(
            "x = {}1{}",
            "function() return ".repeat(n),
            " end".repeat(n)
        ));
        v.push(format!("return {}{}", "f(".repeat(n), ")".repeat(n)));
    }
    for n in [199, 200, 201] {
        let names: Vec<String> = (0..n).map(|i| format!("a{}", i)).collect();
        v.push(format!("local {}", names.join(",")));
        v.push(format!("local function f({}) end", names.join(",")));
    }
    for n in [250, 252, 253, 254, 255] {
        let names: Vec<String> = (0..n).map(|i| format!("a{}", i)).collect();
        v.push(format!("return f({})", names.join(",")));
        v.push(format!("x = {{{}}}", names.join(",")));
    }
    // upvalues: 255 is the limit; spread the locals over enclosing functions
    for n in [254, 255, 256] {
        let mut s = String::new();
        let mut i = 0;
        let mut depth = 0;
        while i < n {
            let k = (n - i).min(150);
            let names: Vec<String> = (i..i + k).map(|j| format!("u{}", j)).collect();
            s.push_str(&format!("local {} return function() ", names.join(",")));
            i += k;
            depth += 1;
        }
        let all: Vec<String> = (0..n).map(|j| format!("u{} = 1", j)).collect();
        s.push_str(&format!("return function() {} end", all.join(" ")));
        s.push_str(&" end".repeat(depth));
        v.push(s);
    }
    v.into_iter().map(String::into_bytes).collect()
}

#[test]
fn limit_messages_are_pucs() {
    // Spot checks that do not need lua5.3 (verified with it).
    let e = load_error(&b"(".repeat(100_000), b"=x").unwrap();
    assert_eq!(
        show(&e),
        "x:1: too many C levels (limit is 200) in main function near '('"
    );
    let e = load_error(format!("a={}", "{".repeat(100_000)).as_bytes(), b"=x").unwrap();
    assert_eq!(
        show(&e),
        "x:1: too many C levels (limit is 200) in main function near '{'"
    );
    let names: Vec<String> = (0..201).map(|i| format!("a{}", i)).collect();
    let e = load_error(format!("local {}", names.join(",")).as_bytes(), b"=x").unwrap();
    assert_eq!(
        show(&e),
        "x:1: too many local variables (limit is 200) in main function near <eof>"
    );
    let up = limit_sources().pop().unwrap();
    let e = load_error(&up, b"=x").unwrap();
    assert_eq!(
        show(&e),
        "x:1: too many upvalues (limit is 255) in function at line 1 near '='"
    );
    let e = compile(b"x = ", b"@f.lua").unwrap_err();
    assert_eq!(e.to_string(), "f.lua:1: unexpected symbol near <eof>");
    let _: &dyn std::error::Error = &e;
    assert_eq!(
        compile(b"x = 1 y", b"x = 1 y").unwrap_err(),
        CompileError {
            message: "[string \"x = 1 y\"]:1: syntax error near <eof>".to_string(),
            raw: b"[string \"x = 1 y\"]:1: syntax error near <eof>".to_vec(),
        }
    );
}

#[test]
fn messages_match_lua53_live() {
    if !have("lua5.3") {
        eprintln!("note: lua5.3 not found; skipping the live error-message comparison");
        return;
    }
    let mut cases: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for (src, _) in CASES {
        cases.push((b"=x".to_vec(), src.to_vec()));
    }
    for (name, src, _) in NAMED_CASES {
        cases.push((name.to_vec(), src.to_vec()));
    }
    for src in limit_sources() {
        cases.push((b"=x".to_vec(), src));
    }
    let mut input = Vec::new();
    for (name, src) in &cases {
        input.extend_from_slice(format!("{}\n{}\n", name.len(), src.len()).as_bytes());
        input.extend_from_slice(name);
        input.extend_from_slice(src);
    }
    let data = write_temp("errors_input.bin", &input);
    let script = write_temp(
        "errors.lua",
        br#"
local fh = assert(io.open(arg[1], "rb")) local data = fh:read("a") fh:close()
local pos, out = 1, {}
while pos <= #data do
  local a, b, nl, ns = data:find("(%d+)\n(%d+)\n", pos)
  nl, ns = tonumber(nl), tonumber(ns)
  local name = data:sub(b + 1, b + nl)
  local src = data:sub(b + nl + 1, b + nl + ns)
  pos = b + nl + ns + 1
  local f, m = load(src, name)
  out[#out + 1] = tostring(m)
end
io.write(table.concat(out, "\0"))
"#,
    );
    let out = Command::new("lua5.3")
        .arg(&script)
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    let theirs: Vec<&[u8]> = out.stdout.split(|&c| c == 0).collect();
    assert_eq!(theirs.len(), cases.len());
    let mut bad = Vec::new();
    for ((name, src), want) in cases.iter().zip(theirs) {
        let got = load_error(src, name).unwrap_or_else(|| b"nil".to_vec());
        if got != want {
            let s = show(src);
            bad.push(format!(
                "{:?}\n  got:  {}\n  want: {}",
                &s[..s.len().min(80)],
                show(&got),
                show(want)
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
