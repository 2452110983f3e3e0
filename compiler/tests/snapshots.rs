//! Bytecode snapshots: the listings of a few programs are checked in under
//! `tests/snapshots/`, so that any change of the generated code shows up in review.
//! Run with `UPDATE_SNAPSHOTS=1` to rewrite them after an intended change.

mod common;

use std::path::Path;

use common::normalize_addresses;
use luavm_compiler::{compile, disassemble};

const PROGRAMS: &[(&str, &str)] = &[
    (
        "fib",
        "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end\nprint(fib(30))\n",
    ),
    (
        "closures_in_loop",
        "local fs = {}\nfor i = 1, 3 do\n  local j = i * 2\n  fs[i] = function() return i + j end\nend\nreturn fs\n",
    ),
    (
        "constant_folding",
        "local x = ...\nreturn 1 + 2, 7 // 2, 2 ^ 63, 1 // 0, -0.0, 0x7fffffffffffffff + 1, 3 & 5.0, 2.5 | 1, \"a\" .. \"b\", x * (2 + 3)\n",
    ),
    (
        "and_or",
        "local a, b, c = ...\nlocal v = a and b or c\nif a and not b or c == 1 then v = a > b end\nreturn v\n",
    ),
    (
        "table_setlist",
        "local function f() return 1, 2 end\nlocal t = {x = 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,\n  21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,\n  41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, f()}\nreturn t\n",
    ),
    (
        "goto_continue",
        "for i = 1, 3 do\n  local x = i\n  local f = function() return x end\n  if i == 2 then goto continue end\n  print(f())\n  ::continue::\nend\n",
    ),
    (
        "methods_varargs",
        "local obj = {}\nfunction obj:add(...) local n = select('#', ...) self.n = (self.n or 0) + n return self end\nreturn obj:add(1, 2):add(...)\n",
    ),
    (
        "generic_for",
        "local t = {}\nfor k, v in pairs(...) do t[#t + 1] = k .. '=' .. tostring(v) end\nreturn table.concat(t, ',')\n",
    ),
];

#[test]
fn listings_match_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut stale = Vec::new();
    for (name, src) in PROGRAMS {
        let p = compile(src.as_bytes(), format!("@{}.lua", name).as_bytes()).unwrap();
        let listing = format!(
            "-- source:\n{}-- listing:{}",
            src,
            normalize_addresses(&disassemble(&p))
        );
        let path = dir.join(format!("{}.txt", name));
        if update {
            std::fs::write(&path, &listing).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(old) if old == listing => {}
            _ => stale.push(name.to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "bytecode changed for {:?}; review and rerun with UPDATE_SNAPSHOTS=1",
        stale
    );
}
