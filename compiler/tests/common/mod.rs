//! Helpers shared by the integration tests: finding the reference tools and
//! normalising what is inherently address-based in `luac -l -l` listings.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `tool` (e.g. `luac5.3`) can be run.
pub fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-v")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Replaces each `0x...` address by `ADDR<n>`, numbering distinct addresses in
/// order of first appearance (so the structure of references is still compared).
pub fn normalize_addresses(s: &str) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let at_addr = b[i] == b'0'
            && b.get(i + 1) == Some(&b'x')
            && b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
            && (i == 0 || matches!(b[i - 1], b' ' | b'\t'))
            && is_address_context(s, i);
        if at_addr {
            let mut j = i + 2;
            while j < b.len() && b[j].is_ascii_hexdigit() {
                j += 1;
            }
            let a = &s[i..j];
            let n = match seen.iter().position(|x| x == a) {
                Some(n) => n,
                None => {
                    seen.push(a.to_string());
                    seen.len() - 1
                }
            };
            out.push_str(&format!("ADDR{}", n));
            i = j;
        } else {
            let c = s[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Addresses appear as `at 0x...)`, `for 0x...:` and `CLOSURE ...\t; 0x...`.
fn is_address_context(s: &str, i: usize) -> bool {
    let before = &s[..i];
    before.ends_with(" at ") || before.ends_with(" for ") || before.ends_with("\t; ")
}

/// The corpus directory of the compiler tests.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus")
}

/// Every `*.lua` file of `dir`, sorted.
pub fn lua_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "lua"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The corpus plus the directories listed in `LUAVM_EXTRA_CORPUS` (colon-separated),
/// e.g. a checkout of PUC-Rio's `testes`.
pub fn all_corpus_files() -> Vec<PathBuf> {
    let mut v = lua_files(&corpus_dir());
    if let Ok(extra) = std::env::var("LUAVM_EXTRA_CORPUS") {
        for d in extra.split(':').filter(|d| !d.is_empty()) {
            v.extend(lua_files(Path::new(d)));
        }
    }
    v
}

/// Hex of bytes (to move binary chunks through text).
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{:02x}", x)).collect()
}

/// Writes `data` to a fresh file under the system temp directory; returns its path.
pub fn write_temp(name: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("luavm-compiler-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

/// Deeply nested sources (100 000 levels) of every recursive shape of the grammar,
/// with the error each must give (as lua5.3 `load` from a main chunk gives it).
pub fn deep_shapes() -> Vec<(&'static str, String, &'static str)> {
    let n = 100_000;
    let levels = "x:1: too many C levels (limit is 200) in ";
    vec![
        ("parens", "(".repeat(n), levels),
        ("tables", format!("a={}", "{".repeat(n)), levels),
        ("records", format!("a={}", "{a=".repeat(n)), levels),
        ("calls", format!("a={}", "f(".repeat(n)), levels),
        ("index", format!("a={}", "a[".repeat(n)), levels),
        (
            "method",
            format!("a={}", "a:b(".repeat(n)),
            "x:1: function or expression needs too many registers near '('",
        ),
        (
            "functions",
            format!("x = {}1", "function() return ".repeat(n)),
            levels,
        ),
        ("localfn", "local function f() ".repeat(n), levels),
        ("funcstat", "function f() ".repeat(n), levels),
        ("do", "do ".repeat(n), levels),
        ("if", "if x then ".repeat(n), levels),
        ("while", "while x do ".repeat(n), levels),
        (
            "for",
            "for i=1,2 do ".repeat(n),
            "x:1: too many local variables (limit is 200) in main function near '='",
        ),
        (
            "forin",
            "for k,v in x do ".repeat(n),
            "x:1: too many local variables (limit is 200) in main function near ','",
        ),
        ("repeat", "repeat ".repeat(n), levels),
        ("unary", format!("a={}1", "- ".repeat(n)), levels),
        ("not", format!("a={}1", "not ".repeat(n)), levels),
        ("pow", format!("a=2{}", "^2".repeat(n)), levels),
        ("concat", format!("a=x{}", "..x".repeat(n)), levels),
        ("andor", format!("a={}", "(x and ".repeat(n)), levels),
        ("assign", format!("a{}=1", ",a.b".repeat(n)), levels),
        ("long chain", format!("a=x{}", "+x".repeat(n)), ""),
        ("statements", "x=1 ".repeat(n), ""),
    ]
}

/// Compiles every deep shape and checks its error (or success when none expected).
pub fn check_deep_shapes() {
    for (name, src, want) in deep_shapes() {
        let r = luavm_compiler::compile_with_c_calls(src.as_bytes(), b"=x", 2);
        match r {
            Err(e) => assert!(
                !want.is_empty() && e.message.starts_with(want),
                "{}: unexpected error {}",
                name,
                e.message
            ),
            Ok(p) => {
                assert!(want.is_empty(), "{}: compiled but should fail", name);
                luavm_compiler::verify(&p).unwrap();
            }
        }
    }
}
