//! Property test: every standard-library function called with random arguments (wrong
//! types, extreme numbers, odd strings, patterns and formats) returns or raises a Lua
//! error — never a panic. The calls go through `pcall` from Lua, so argument errors are
//! also checked for being catchable.
//!
//! Functions that touch the outside world (files, processes, stdin/stdout, exiting) or
//! that loop for as long as their arguments say (`table.move` over 2^63 slots, as in
//! PUC) are left out; they have their own tests.

use luavm_vm::{State, Value, MULTRET};
use proptest::prelude::*;

const FUNCS: &[&str] = &[
    "assert",
    "error",
    "getmetatable",
    "ipairs",
    "load",
    "next",
    "pairs",
    "pcall",
    "rawequal",
    "rawget",
    "rawlen",
    "rawset",
    "select",
    "setmetatable",
    "tonumber",
    "tostring",
    "type",
    "xpcall",
    "collectgarbage",
    "coroutine.create",
    "coroutine.isyieldable",
    "coroutine.resume",
    "coroutine.running",
    "coroutine.status",
    "coroutine.wrap",
    "coroutine.yield",
    "string.byte",
    "string.char",
    "string.dump",
    "string.find",
    "string.format",
    "string.gmatch",
    "string.gsub",
    "string.len",
    "string.lower",
    "string.match",
    "string.pack",
    "string.packsize",
    "string.rep",
    "string.reverse",
    "string.sub",
    "string.unpack",
    "string.upper",
    "table.concat",
    "table.insert",
    "table.pack",
    "table.remove",
    "table.sort",
    "table.unpack",
    "math.abs",
    "math.ceil",
    "math.cos",
    "math.deg",
    "math.exp",
    "math.floor",
    "math.fmod",
    "math.log",
    "math.max",
    "math.min",
    "math.modf",
    "math.rad",
    "math.random",
    "math.randomseed",
    "math.sin",
    "math.sqrt",
    "math.tan",
    "math.tointeger",
    "math.type",
    "math.ult",
    "math.atan",
    "utf8.char",
    "utf8.codepoint",
    "utf8.codes",
    "utf8.len",
    "utf8.offset",
    "os.clock",
    "os.date",
    "os.difftime",
    "os.getenv",
    "os.time",
    "io.type",
    "debug.getinfo",
    "debug.getlocal",
    "debug.getmetatable",
    "debug.getregistry",
    "debug.getupvalue",
    "debug.getuservalue",
    "debug.setlocal",
    "debug.setmetatable",
    "debug.setupvalue",
    "debug.setuservalue",
    "debug.traceback",
    "debug.upvalueid",
    "debug.upvaluejoin",
];

const ARGS: &[&str] = &[
    "nil",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "100",
    "-100",
    "math.maxinteger",
    "math.mininteger",
    "2^53",
    "2^63",
    "-2^63",
    "0.5",
    "-0.0",
    "1/0",
    "-1/0",
    "0/0",
    "1e308",
    "''",
    "'a'",
    "'abc'",
    "'hello world'",
    "'%'",
    "'%d'",
    "'%5.2f %s %q'",
    "'%a'",
    "'%99d'",
    "'[a-'",
    "'%b()'",
    "'%f[%w]'",
    "'(()'",
    "'%1'",
    "'^(.-)$'",
    "'<i4 >I8 =j'",
    "'!4 i3 s1 z'",
    "'i17'",
    "'c0'",
    "'x\\0y'",
    "'\\255\\254'",
    "'10'",
    "'0x10'",
    "' 12 '",
    "'1e5'",
    "'*t'",
    "'!%Y-%m-%d %c'",
    "'%Ez'",
    "'n'",
    "'l'",
    "{}",
    "{1, 2, 3}",
    "{'b', 'a', 'c'}",
    "{x = 1}",
    "{year = 2020, month = 1, day = 1}",
    "setmetatable({}, {__index = function() return 1 end})",
    "setmetatable({}, {__len = function() return 2^40 end})",
    "setmetatable({}, {__lt = function() error('lt') end})",
    "setmetatable({}, {__tostring = function() return {} end})",
    "print",
    "function() end",
    "function(...) return ... end",
    "function() error('x') end",
    "function() coroutine.yield(1) end",
    "coroutine.create(function() end)",
    "coroutine.running()",
    "string.rep('x', 300)",
    "io.stdout",
];

fn run(src: &str) {
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    // the program is well-formed by construction: a load error is a bug of the test
    let f = s
        .load(src.as_bytes(), b"=fuzz")
        .expect("generated program compiles");
    let top = s.top();
    s.push(f);
    // every call is protected: the chunk itself must finish
    if s.pcall(top, MULTRET, 0).is_err() {
        let mut msg = Vec::new();
        s.to_string_raw(s.error_value(), &mut msg);
        panic!("chunk failed: {}", String::from_utf8_lossy(&msg));
    }
}

fn program(calls: &[(usize, Vec<usize>)]) -> String {
    // `print` is an argument value, not something to call: keep the test output clean
    let mut src = String::from("local print = function() end\n");
    for (f, args) in calls {
        let mut call = format!("pcall({}", FUNCS[*f]);
        for &a in args {
            call.push_str(", ");
            call.push_str(ARGS[a]);
        }
        src.push_str(&call);
        src.push_str(")\n");
    }
    src
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn library_functions_never_panic(
        calls in proptest::collection::vec(
            (0..FUNCS.len(), proptest::collection::vec(0..ARGS.len(), 0..5)),
            1..12,
        )
    ) {
        run(&program(&calls));
    }
}

/// Every function once with every single argument: a deterministic sweep that the random
/// test might miss.
#[test]
fn every_function_with_every_argument() {
    let mut calls = Vec::new();
    for f in 0..FUNCS.len() {
        calls.push((f, vec![]));
        for a in 0..ARGS.len() {
            calls.push((f, vec![a]));
            calls.push((f, vec![a, (a * 7 + 3) % ARGS.len()]));
            calls.push((
                f,
                vec![(a * 5 + 1) % ARGS.len(), a, (a * 11 + 2) % ARGS.len()],
            ));
        }
    }
    for chunk in calls.chunks(200) {
        run(&program(chunk));
    }
    // the state is still usable after all of that
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    let f = s.load(b"return 1 + 1", b"=check").expect("compiles");
    let top = s.top();
    s.push(f);
    s.pcall(top, 1, 0).expect("runs");
    assert!(matches!(s.stack_at(top), Value::Int(2)));
}
