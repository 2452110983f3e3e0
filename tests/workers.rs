//! The `workers` library scripts: every `tests/workers/<name>.lua` is run by the `luavm`
//! binary (working directory `tests/workers`) with `--workers 1` and `--workers 2`, and
//! must exit with status 0 and print exactly `<name>.expected` both times.
//!
//! These scripts cannot be checked against `lua5.3` (it has no `workers`), so they live
//! apart from `tests/lua`. They must print the same whatever the number of workers:
//! nested parallelism must not deadlock with one worker, and results come back in order.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("workers")
}

fn scripts() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("tests/workers must exist")
        .filter_map(|e| {
            let p = e.ok()?.path();
            if p.extension()? != "lua" {
                return None;
            }
            Some(p.file_stem()?.to_str()?.to_owned())
        })
        .collect();
    names.sort();
    names
}

/// Run `name.lua` with `workers` workers; stdout, or why it failed.
fn run(name: &str, workers: usize) -> Result<Vec<u8>, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_luavm"))
        .arg("--workers")
        .arg(workers.to_string())
        .arg(format!("{name}.lua"))
        .current_dir(dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run luavm: {e}"))?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {TIMEOUT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "exit status {:?}; stderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

/// The first differing line, for the report.
fn first_difference(expected: &[u8], got: &[u8]) -> String {
    let e = String::from_utf8_lossy(expected);
    let g = String::from_utf8_lossy(got);
    for (i, (a, b)) in e.lines().zip(g.lines()).enumerate() {
        if a != b {
            return format!("line {}:\n  expected: {a}\n  got:      {b}", i + 1);
        }
    }
    format!(
        "expected {} lines, got {}",
        e.lines().count(),
        g.lines().count()
    )
}

#[test]
fn workers_scripts() {
    let names = scripts();
    assert!(!names.is_empty(), "no scripts in tests/workers");
    let mut failures = Vec::new();
    for name in &names {
        let expected = match std::fs::read(dir().join(format!("{name}.expected"))) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{name}: cannot read {name}.expected ({e})"));
                continue;
            }
        };
        for workers in [1, 2] {
            match run(name, workers) {
                Ok(out) if out == expected => {}
                Ok(out) => failures.push(format!(
                    "{name} (--workers {workers}): {}",
                    first_difference(&expected, &out)
                )),
                Err(e) => failures.push(format!("{name} (--workers {workers}): {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n{}",
        failures.len(),
        names.len() * 2,
        failures.join("\n\n")
    );
}

#[test]
fn workers_option_is_checked() {
    for bad in [
        vec!["--workers"],
        vec!["--workers", "0"],
        vec!["--workers", "x"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_luavm"))
            .args(&bad)
            .stdin(Stdio::null())
            .output()
            .expect("run luavm");
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_luavm"))
        .args(["--workers", "3", "-e", "print(workers.count())"])
        .stdin(Stdio::null())
        .output()
        .expect("run luavm");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "3\n");
}

#[test]
fn scripts_without_workers_start_no_pool() {
    // a script that never touches `workers` starts no worker thread
    let out = Command::new(env!("CARGO_BIN_EXE_luavm"))
        .args(["-e", "local f = io.open('/proc/self/status') local s = f:read('a') f:close() print(s:match('Threads:%s*(%d+)'))"])
        .stdin(Stdio::null())
        .output()
        .expect("run luavm");
    let threads: usize = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    // the main thread and the interpreter thread (when /proc is there)
    assert!(threads <= 2, "{threads} threads");
}
