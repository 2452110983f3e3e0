//! Differential test: for every program of `tests/corpus` (plus the directories in
//! `LUAVM_EXTRA_CORPUS`), our `disassemble(compile(file))` must equal
//! `luac5.3 -l -l -p file` (addresses normalised), and our `dump` must equal
//! lua5.3's `string.dump`. Every compiled proto must also pass `verify`.
//! Skipped, with a note, when the reference tools are not installed.

mod common;

use std::process::Command;

use common::*;
use luavm_compiler::{compile, disassemble, dump::dump, lexer::skip_comment_line, verify};

#[test]
fn listings_match_luac53() {
    if !have("luac5.3") {
        eprintln!("note: luac5.3 not found; skipping the listing differential test");
        return;
    }
    let files = all_corpus_files();
    assert!(files.len() >= 10, "corpus too small: {}", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let dir = path.parent().unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let src = std::fs::read(path).unwrap();
        let ours = match compile(skip_comment_line(&src), format!("@{}", name).as_bytes()) {
            Ok(p) => {
                if let Err(e) = verify(&p) {
                    failures.push(format!("{}: does not verify: {}", name, e));
                }
                normalize_addresses(&disassemble(&p))
            }
            Err(e) => format!("luac: {}\n", e),
        };
        let out = Command::new("luac5.3")
            .args(["-l", "-l", "-p", name])
            .current_dir(dir)
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
                .unwrap_or(ours.lines().count().min(theirs.lines().count()));
            failures.push(format!(
                "{}: listings differ at line {}:\n  ours:   {:?}\n  luac:   {:?}",
                name,
                line + 1,
                ours.lines().nth(line),
                theirs.lines().nth(line)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} files identical to luac5.3", files.len());
}

#[test]
fn dumps_match_string_dump() {
    if !have("lua5.3") {
        eprintln!("note: lua5.3 not found; skipping the string.dump differential test");
        return;
    }
    let files = all_corpus_files();
    let script = r#"
for i = 1, #arg do
  local fh = assert(io.open(arg[i], "rb")) local s = fh:read("a") fh:close()
  s = s:gsub("^#[^\n]*", "")
  local f, e = load(s, "=t")
  for _, strip in ipairs({false, true}) do
    if f then io.write((string.dump(f, strip):gsub(".", function(c) return string.format("%02x", c:byte()) end)), "\n")
    else io.write("ERR ", e, "\n") end
  end
end"#;
    let script_path = write_temp("dumphex.lua", script.as_bytes());
    let out = Command::new("lua5.3")
        .arg(&script_path)
        .args(&files)
        .output()
        .unwrap();
    let theirs = String::from_utf8_lossy(&out.stdout);
    let mut theirs = theirs.lines();
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read(path).unwrap();
        let src = if src.first() == Some(&b'#') {
            let n = src.iter().position(|&c| c == b'\n').unwrap_or(src.len());
            src[n..].to_vec()
        } else {
            src
        };
        for strip in [false, true] {
            let ours = match compile(&src, b"=t") {
                Ok(p) => hex(&dump(&p, strip)),
                Err(e) => format!("ERR {}", e),
            };
            if Some(ours.as_str()) != theirs.next() {
                failures.push(format!("{} (strip={})", path.display(), strip));
            }
        }
    }
    assert!(failures.is_empty(), "dumps differ: {:?}", failures);
}
