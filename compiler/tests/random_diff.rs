//! Randomised differential tests against lua5.3 (skipped when it is missing):
//! - generated programs (a small grammar-based generator covering every statement
//!   and operator, with numerals chosen to hit constant-folding edge cases) must
//!   compile to exactly the binary chunk `string.dump(load(src))` gives;
//! - random token soups must give exactly `load`'s error message (or both succeed
//!   with the same dump).
//!
//! Every source is also checked to compile without panicking and, when it
//! compiles, to `verify`. `LUAVM_FUZZ_CASES` scales the number of cases;
//! `LUAVM_FUZZ_SEED` picks another seed.

mod common;

use std::process::Command;

use common::*;
use luavm_compiler::{compile_with_c_calls, dump::dump, verify};

/// xorshift64*: small, deterministic, good enough for test generation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

const NUMERALS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "7",
    "63",
    "64",
    "255",
    "256",
    "0.0",
    "0.5",
    "1.5",
    "3.0",
    "-1",
    "1e308",
    "1e-300",
    "9007199254740992",
    "0x7fffffffffffffff",
    "0xffffffffffffffff",
    "9223372036854775807",
    "9223372036854775808",
    "0x10",
    "2^63",
    "1/0",
    "-0.0",
    "0/0",
];
const STRINGS: &[&str] = &[
    "\"a\"", "'b'", "\"10\"", "\"0x10\"", "[[s]]", "\"\\n\"", "\"\"",
];
const BINOPS: &[&str] = &[
    "+", "-", "*", "/", "//", "%", "^", "&", "|", "~", "<<", ">>", "..", "==", "~=", "<", "<=",
    ">", ">=", "and", "or",
];
const UNOPS: &[&str] = &["-", "not ", "#", "~"];
const GLOBALS: &[&str] = &["g", "h", "print", "t", "x"];

struct Gen {
    rng: Rng,
    locals: Vec<Vec<String>>,
    nlocal: usize,
    loop_depth: usize,
    vararg: Vec<bool>,
    labels: usize,
}

impl Gen {
    fn visible(&self) -> Vec<String> {
        self.locals.iter().flatten().cloned().collect()
    }

    fn name(&mut self) -> String {
        let v = self.visible();
        if !v.is_empty() && self.rng.chance(60) {
            v[self.rng.below(v.len())].clone()
        } else {
            self.rng.pick(GLOBALS).to_string()
        }
    }

    fn new_local(&mut self) -> String {
        self.nlocal += 1;
        format!("l{}", self.nlocal % 12)
    }

    fn expr(&mut self, d: usize) -> String {
        let k = if d == 0 {
            self.rng.below(4)
        } else {
            self.rng.below(16)
        };
        match k {
            0 => self.rng.pick(NUMERALS).to_string(),
            1 => self.name(),
            2 => self.rng.pick(STRINGS).to_string(),
            3 => self.rng.pick(&["nil", "true", "false"]).to_string(),
            4..=7 => {
                let op = self.rng.pick(BINOPS);
                let (a, b) = (self.expr(d - 1), self.expr(d - 1));
                if self.rng.chance(50) {
                    format!("{} {} {}", a, op, b)
                } else {
                    format!("({} {} {})", a, op, b)
                }
            }
            8 => format!("{}{}", self.rng.pick(UNOPS), self.expr(d - 1)),
            9 => format!("{}.{}", self.name(), self.rng.pick(&["x", "y", "f"])),
            10 => format!("{}[{}]", self.name(), self.expr(d - 1)),
            11 => self.call(d),
            12 => self.table(d),
            13 => self.function(d),
            14 => {
                if *self.vararg.last().unwrap() {
                    "...".to_string()
                } else {
                    format!("({})", self.expr(d - 1))
                }
            }
            _ => format!("({})", self.expr(d - 1)),
        }
    }

    fn args(&mut self, d: usize) -> String {
        let n = self.rng.below(4);
        let v: Vec<String> = (0..n).map(|_| self.expr(d.saturating_sub(1))).collect();
        v.join(", ")
    }

    /// One to three expressions.
    fn exprlist(&mut self, d: usize) -> String {
        let n = 1 + self.rng.below(3);
        let v: Vec<String> = (0..n).map(|_| self.expr(d)).collect();
        v.join(", ")
    }

    fn call(&mut self, d: usize) -> String {
        let f = self.name();
        match self.rng.below(5) {
            0 => format!("{}({})", f, self.args(d)),
            1 => format!("{}:m({})", f, self.args(d)),
            2 => format!("{}.f({})", f, self.args(d)),
            3 => format!("{} \"s\"", f),
            _ => format!("{}{}", f, self.table(d.saturating_sub(1))),
        }
    }

    fn table(&mut self, d: usize) -> String {
        let n = if self.rng.chance(10) {
            40 + self.rng.below(80)
        } else {
            self.rng.below(5)
        };
        let mut items = Vec::new();
        for _ in 0..n {
            let e = if d > 0 {
                self.expr(d - 1)
            } else {
                self.rng.pick(NUMERALS).to_string()
            };
            items.push(match self.rng.below(4) {
                0 => format!("x{} = {}", self.rng.below(3), e),
                1 => format!("[{}] = {}", self.rng.pick(NUMERALS), e),
                _ => e,
            });
        }
        let sep = if self.rng.chance(20) { "; " } else { ", " };
        let trail = if self.rng.chance(20) { "," } else { "" };
        format!("{{{}{}}}", items.join(sep), trail)
    }

    fn function(&mut self, d: usize) -> String {
        let np = self.rng.below(3);
        let mut params: Vec<String> = (0..np).map(|i| format!("p{}", i)).collect();
        let va = self.rng.chance(40);
        if va {
            params.push("...".to_string());
        }
        self.locals
            .push((0..np).map(|i| format!("p{}", i)).collect());
        self.vararg.push(va);
        let saved_loop = std::mem::replace(&mut self.loop_depth, 0);
        let body = self.block(d.saturating_sub(1), 3);
        self.loop_depth = saved_loop;
        self.vararg.pop();
        self.locals.pop();
        format!("function({}) {} end", params.join(", "), body)
    }

    fn block(&mut self, d: usize, max: usize) -> String {
        self.locals.push(Vec::new());
        let n = self.rng.below(max + 1);
        let mut v: Vec<String> = (0..n).map(|_| self.stat(d)).collect();
        if self.rng.chance(20) {
            v.push(format!("return {}", self.args(d)));
        }
        self.locals.pop();
        v.join("\n")
    }

    fn stat(&mut self, d: usize) -> String {
        let k = if d == 0 {
            self.rng.below(3)
        } else {
            self.rng.below(15)
        };
        match k {
            0 => {
                let n = 1 + self.rng.below(3);
                let names: Vec<String> = (0..n).map(|_| self.new_local()).collect();
                let e = if self.rng.chance(80) {
                    format!(" = {}", self.exprlist(d))
                } else {
                    String::new()
                };
                let s = format!("local {}{}", names.join(", "), e);
                self.locals.last_mut().unwrap().extend(names);
                s
            }
            1 => {
                let n = 1 + self.rng.below(3);
                let targets: Vec<String> = (0..n)
                    .map(|_| match self.rng.below(3) {
                        0 => format!("{}.x", self.name()),
                        1 => format!("{}[{}]", self.name(), self.expr(d.saturating_sub(1))),
                        _ => self.name(),
                    })
                    .collect();
                format!("{} = {}", targets.join(", "), self.exprlist(d))
            }
            2 => self.call(d),
            3 => format!(
                "if {} then {} elseif {} then {} else {} end",
                self.expr(d - 1),
                self.block(d - 1, 2),
                self.expr(d - 1),
                self.block(d - 1, 2),
                self.block(d - 1, 2)
            ),
            4 => {
                self.loop_depth += 1;
                let s = format!("while {} do {} end", self.expr(d - 1), self.block(d - 1, 3));
                self.loop_depth -= 1;
                s
            }
            5 => {
                self.loop_depth += 1;
                self.locals.push(vec!["i".to_string()]);
                let step = if self.rng.chance(50) {
                    format!(", {}", self.expr(d - 1))
                } else {
                    String::new()
                };
                let s = format!(
                    "for i = {}, {}{} do {} end",
                    self.expr(d - 1),
                    self.expr(d - 1),
                    step,
                    self.block(d - 1, 3)
                );
                self.locals.pop();
                self.loop_depth -= 1;
                s
            }
            6 => {
                self.loop_depth += 1;
                self.locals.push(vec!["k".to_string(), "v".to_string()]);
                let s = format!(
                    "for k, v in {} do {} end",
                    self.exprlist(d - 1),
                    self.block(d - 1, 3)
                );
                self.locals.pop();
                self.loop_depth -= 1;
                s
            }
            7 => {
                self.loop_depth += 1;
                let s = format!("repeat {} until {}", self.block(d - 1, 3), self.expr(d - 1));
                self.loop_depth -= 1;
                s
            }
            8 => format!("do {} end", self.block(d - 1, 3)),
            9 if self.loop_depth > 0 => "break".to_string(),
            10 => {
                self.labels += 1;
                let l = format!("L{}", self.labels % 3);
                if self.rng.chance(50) {
                    format!("goto {}", l)
                } else {
                    format!("::{}::", l)
                }
            }
            11 => {
                let n = self.new_local();
                self.locals.last_mut().unwrap().push(n.clone());
                let f = self.function(d);
                format!("local function {}{}", n, &f["function".len()..])
            }
            12 => {
                let f = self.function(d);
                let name = self.rng.pick(&["g", "t.a.b", "t.a:m"]);
                format!("function {}{}", name, &f["function".len()..])
            }
            13 => format!("local x = {}", self.expr(d)),
            _ => format!("x = {}", self.expr(d)),
        }
    }
}

fn gen_program(seed: u64) -> String {
    let mut g = Gen {
        rng: Rng(seed | 1),
        locals: vec![Vec::new()],
        nlocal: 0,
        loop_depth: 0,
        vararg: vec![true],
        labels: 0,
    };
    let d = 1 + g.rng.below(4);
    g.block(d, 8)
}

const SOUP: &[&str] = &[
    "local",
    "function",
    "end",
    "if",
    "then",
    "else",
    "elseif",
    "while",
    "do",
    "for",
    "in",
    "repeat",
    "until",
    "return",
    "break",
    "goto",
    "::",
    "nil",
    "true",
    "false",
    "and",
    "or",
    "not",
    "x",
    "y",
    "f",
    "=",
    "==",
    "~=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "^",
    "#",
    "&",
    "|",
    "~",
    "<<",
    ">>",
    "..",
    "...",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ":",
    ",",
    ".",
    "1",
    "0x10",
    "1.5",
    "3e",
    "'s'",
    "\"t\"",
    "[[u]]",
    "@",
    "$",
    "\n",
    "--c\n",
    "\"unfinished",
    "[=",
    "0x",
    "\\",
    "\x01",
    "\"\\q\"",
];

fn soup(rng: &mut Rng) -> String {
    let n = 1 + rng.below(24);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(rng.pick(SOUP));
        s.push(' ');
    }
    s
}

/// Results of `load(src, "=x")` in lua5.3 for each source: hex dump or error.
fn lua53_results(sources: &[Vec<u8>]) -> Vec<String> {
    let mut input = Vec::new();
    for s in sources {
        input.extend_from_slice(format!("{}\n", s.len()).as_bytes());
        input.extend_from_slice(s);
    }
    let data = write_temp("fuzz_input.bin", &input);
    let script = write_temp(
        "fuzz.lua",
        br#"
local fh = assert(io.open(arg[1], "rb")) local data = fh:read("a") fh:close()
local pos = 1
local out = {}
while pos <= #data do
  local nl = data:find("\n", pos, true)
  local n = tonumber(data:sub(pos, nl - 1))
  local src = data:sub(nl + 1, nl + n)
  pos = nl + n + 1
  local f, e = load(src, "=x")
  if f then
    out[#out + 1] = (string.dump(f):gsub(".", function(c) return string.format("%02x", c:byte()) end))
  else
    out[#out + 1] = "ERR " .. e
  end
end
io.write(table.concat(out, "\0"))
"#,
    );
    let out = Command::new("lua5.3")
        .arg(&script)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lua5.3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .split(|&c| c == 0)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect()
}

fn ours(src: &[u8]) -> String {
    match compile_with_c_calls(src, b"=x", 2) {
        Ok(p) => {
            if let Err(e) = verify(&p) {
                panic!(
                    "compiled code does not verify: {}\n{}",
                    e,
                    String::from_utf8_lossy(src)
                );
            }
            hex(&dump(&p, false))
        }
        Err(e) => format!("ERR {}", String::from_utf8_lossy(&e.raw)),
    }
}

fn cases() -> usize {
    std::env::var("LUAVM_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600)
}

fn seed() -> u64 {
    std::env::var("LUAVM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234)
}

fn compare(kind: &str, sources: Vec<Vec<u8>>) {
    let ours: Vec<String> = sources.iter().map(|s| ours(s)).collect();
    if !have("lua5.3") {
        eprintln!(
            "note: lua5.3 not found; {} only checked for panics and verify",
            kind
        );
        return;
    }
    let theirs = lua53_results(&sources);
    assert_eq!(theirs.len(), sources.len());
    let mut bad = 0;
    let mut ok = 0;
    for ((src, a), b) in sources.iter().zip(&ours).zip(&theirs) {
        if !a.starts_with("ERR") {
            ok += 1;
        }
        if a != b {
            bad += 1;
            if bad <= 3 {
                eprintln!(
                    "MISMATCH ({}):\n--- source ---\n{}\n--- ours ---\n{}\n--- lua5.3 ---\n{}\n",
                    kind,
                    String::from_utf8_lossy(src),
                    &a[..a.len().min(300)],
                    &b[..b.len().min(300)]
                );
            }
        }
    }
    eprintln!(
        "{}: {} cases, {} compiled, {} mismatches",
        kind,
        sources.len(),
        ok,
        bad
    );
    assert_eq!(bad, 0, "{} mismatches with lua5.3", bad);
}

#[test]
fn generated_programs_match_lua53() {
    let mut rng = Rng(seed());
    let sources: Vec<Vec<u8>> = (0..cases())
        .map(|_| gen_program(rng.next()).into_bytes())
        .collect();
    compare("generated programs", sources);
}

#[test]
fn token_soups_match_lua53() {
    let mut rng = Rng(seed() ^ 0xabcdef);
    let sources: Vec<Vec<u8>> = (0..cases() * 4)
        .map(|_| soup(&mut rng).into_bytes())
        .collect();
    compare("token soups", sources);
}

#[test]
#[ignore]
fn print_sample_programs() {
    let mut rng = Rng(seed());
    for _ in 0..3 {
        println!("{}\n-----", gen_program(rng.next()));
    }
}
