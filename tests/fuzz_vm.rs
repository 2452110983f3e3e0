//! Property tests: random input into the whole pipeline (compile + run) gives a result or
//! a Lua error, never a panic. Programs are built without loop keywords so they end.

use luavm_vm::{State, Value, MULTRET};
use proptest::prelude::*;

fn run(src: &[u8]) {
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    // `print` would flood the test output: replace it
    s.set_global("print", Value::Nil);
    if let Ok(f) = s.load(src, b"=fuzz") {
        let top = s.top();
        s.push(f);
        let _ = s.pcall(top, MULTRET, 0);
    }
}

const TOKENS: &[&str] = &[
    "local",
    "x",
    "y",
    "t",
    "f",
    "=",
    "==",
    "~=",
    "<",
    "<=",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "^",
    "..",
    "&",
    "|",
    "~",
    "<<",
    ">>",
    "#",
    "not",
    "and",
    "or",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ".",
    ":",
    ",",
    ";",
    "1",
    "0",
    "-1",
    "2.5",
    "1e308",
    "0x7fffffffffffffff",
    "\"s\"",
    "'10'",
    "nil",
    "true",
    "false",
    "function",
    "end",
    "return",
    "if",
    "then",
    "else",
    "elseif",
    "do",
    "...",
    "setmetatable",
    "pcall",
    "error",
    "tostring",
    "string.rep",
    "select",
    "coroutine.wrap",
    "coroutine.yield",
    "__index",
    "__add",
    "__call",
    "__lt",
    "__concat",
    "math.huge",
    "table.concat",
    "string.format",
    "'%d'",
    "'%q'",
    "x()",
    "f(x)",
    "t.x",
    "t[1]",
    "{f=f}",
    "debug.getinfo",
    "debug.getlocal",
    "debug.setlocal",
    "debug.setupvalue",
    "debug.upvaluejoin",
    "debug.traceback",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        run(&bytes);
    }

    #[test]
    fn token_soup_never_panics(idx in proptest::collection::vec(0..TOKENS.len(), 1..60)) {
        let src: Vec<&str> = idx.iter().map(|&i| TOKENS[i]).collect();
        run(src.join(" ").as_bytes());
    }

    #[test]
    fn expressions_never_panic(idx in proptest::collection::vec(0..TOKENS.len(), 1..30)) {
        let src: Vec<&str> = idx.iter().map(|&i| TOKENS[i]).collect();
        let prog = format!("local x, y, t, f = 1, 'a', {{}}, function(...) return ... end\nreturn {}", src.join(" "));
        run(prog.as_bytes());
    }
}

#[test]
fn unbounded_recursion_is_a_catchable_error() {
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    let f = s
        .load(
            b"local function f() return 1 + f() end local ok, m = pcall(f) return ok, m",
            b"=t",
        )
        .expect("compiles");
    let top = s.top();
    s.push(f);
    s.pcall(top, MULTRET, 0).expect("runs");
    assert!(matches!(s.stack_at(top), Value::Bool(false)));
    let msg = s.stack_at(top + 1);
    let m = msg.as_str().expect("string message").to_vec();
    assert!(
        String::from_utf8_lossy(&m).ends_with("stack overflow"),
        "{}",
        String::from_utf8_lossy(&m)
    );
}
