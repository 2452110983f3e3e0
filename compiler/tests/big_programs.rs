//! Generated large programs, compared with `luac5.3 -l -l -p` (skipped when it is
//! missing): constant pools beyond RK range (> 255) and beyond LOADK range
//! (> 2^18, LOADKX + EXTRAARG), SETLIST beyond C range (EXTRAARG), and code
//! too long for a jump ("control structure too long").

mod common;

use std::process::Command;

use common::*;
use luavm_compiler::{compile, disassemble, verify};

fn programs() -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    // 300 distinct constants in arithmetic and as table keys
    let mut s = String::from("local t = {}\nlocal x = ...\n");
    for i in 0..300 {
        s.push_str(&format!("t.k{} = x + {}.5\n", i, i));
    }
    s.push_str("return t\n");
    v.push(("k300", s));
    // > 2^18 constants: LOADKX
    let n = (1 << 18) + 100;
    let mut s = String::from("local t = {\n");
    for i in 0..n {
        s.push_str(&format!("{},", i));
        if i % 20 == 19 {
            s.push('\n');
        }
    }
    s.push_str("}\nlocal a, b = 'x', 7.25\nreturn t, a, b\n");
    v.push(("loadkx", s));
    // SETLIST with C > 511: 26 000 list items
    let mut s = String::from("return {");
    for i in 0..26_000 {
        s.push_str(if i % 3 == 0 { "true," } else { "x," });
    }
    s.push_str("...}\n");
    v.push(("setlist_extraarg", s));
    // a loop body longer than a jump can span
    let mut s = String::from("local x = 0\nwhile x do\n");
    for _ in 0..70_000 {
        s.push_str("x = x + 1 x = -x\n");
    }
    s.push_str("end\n");
    v.push(("too_long", s));
    // many registers in one expression list (just below and above the limit)
    for (name, n) in [("regs_ok", 248), ("regs_bad", 260)] {
        let names: Vec<String> = (0..n).map(|i| format!("g{}", i)).collect();
        v.push((name, format!("print({})\n", names.join(", "))));
    }
    v
}

#[test]
fn big_programs_match_luac53() {
    let progs = programs();
    let have_luac = have("luac5.3");
    if !have_luac {
        eprintln!("note: luac5.3 not found; big programs only checked to compile and verify");
    }
    let mut bad = Vec::new();
    for (name, src) in progs {
        let file = format!("{}.lua", name);
        let path = write_temp(&file, src.as_bytes());
        let ours = match compile(src.as_bytes(), format!("@{}", file).as_bytes()) {
            Ok(p) => {
                verify(&p).unwrap();
                normalize_addresses(&disassemble(&p))
            }
            Err(e) => format!("luac: {}\n", e),
        };
        if !have_luac {
            continue;
        }
        let out = Command::new("luac5.3")
            .args(["-l", "-l", "-p", &file])
            .current_dir(path.parent().unwrap())
            .output()
            .unwrap();
        let theirs = if out.status.success() {
            normalize_addresses(&String::from_utf8_lossy(&out.stdout))
        } else {
            String::from_utf8_lossy(&out.stderr).replace("luac5.3: ", "luac: ")
        };
        if ours != theirs {
            let line = ours
                .lines()
                .zip(theirs.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            bad.push(format!(
                "{}: line {}: ours {:?} luac {:?}",
                name,
                line + 1,
                ours.lines().nth(line),
                theirs.lines().nth(line)
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn big_program_features_are_used() {
    let progs = programs();
    let get = |n: &str| progs.iter().find(|(k, _)| *k == n).unwrap().1.clone();
    let l = disassemble(&compile(get("loadkx").as_bytes(), b"=t").unwrap());
    assert!(l.contains("LOADKX") && l.contains("EXTRAARG"));
    let l = disassemble(&compile(get("setlist_extraarg").as_bytes(), b"=t").unwrap());
    // luac prints the raw EXTRAARG word after SETLIST with C = 0: (521 << 6) | 46
    assert!(
        l.contains("SETLIST  \t0 0 0\t; 33390"),
        "SETLIST with EXTRAARG expected"
    );
    let e = compile(get("too_long").as_bytes(), b"=t").unwrap_err();
    assert!(e.message.contains("control structure too long"), "{}", e);
    let e = compile(get("regs_bad").as_bytes(), b"=t").unwrap_err();
    assert!(e
        .message
        .contains("function or expression needs too many registers"));
}
