//! Conformance scripts: every `tests/lua/<name>.lua` is run with the `luavm`
//! binary (working directory `tests/lua`, argument `<name>.lua`, as one would
//! run `lua5.3 <name>.lua`) and must print exactly `<name>.expected` on stdout.
//!
//! - The exit status must be 0, or the number in `<name>.status`.
//! - If `<name>.stderr` exists, stderr must equal it once the program name at
//!   the start of a line (`/path/to/luavm: `, `lua5.3: `) is replaced by `lua: `.
//! - Scripts run in parallel, each with a timeout; all failures are reported
//!   together, each with a short diff.
//! - `tests/lua/KNOWN_FAILURES` lists scripts the VM does not pass yet (one
//!   file name per line, `#` starts a comment giving the reason). They still
//!   run, and the test fails when a listed script passes, so the list can only
//!   shrink.
//! - `differential_lua53` checks that the expectations are still exactly what
//!   the reference `lua5.3` prints (skipped when `lua5.3` is not installed).
//! - `gc_stress` runs `STRESS_SUBSET` with `LUAVM_GC_STRESS=1` (a full collection at
//!   every safe point). All scripts under stress (except `STRESS_EXCLUDED`):
//!   `LUAVM_STRESS_ALL=1 cargo test --release --test lua_scripts gc_stress`.
//! - `gc_stress_steps` runs every script (except `STRESS_EXCLUDED`) with
//!   `LUAVM_GC_STRESS=steps`: a small incremental step at every safe point, and the
//!   collector's check of the tri-color invariant at every atomic phase (a missing write
//!   barrier makes the run exit with status 70).
//! - `gc_stress_steps_generational` does the same with `LUAVM_GC_MODE=generational`: a
//!   minor collection at every safe point (and the check before each), a major one in
//!   small steps now and then; `gc_stress_generational` runs `STRESS_SUBSET` with full
//!   collections in generational mode.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);
const REFERENCE: &str = "lua5.3";

fn lua_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("lua")
}

/// Script names (file stems) of `tests/lua/*.lua`, sorted.
fn script_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(lua_dir())
        .expect("tests/lua must exist")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? != "lua" {
                return None;
            }
            Some(path.file_stem()?.to_str()?.to_owned())
        })
        .collect();
    names.sort();
    names
}

/// What a script must produce.
struct Expectation {
    stdout: Vec<u8>,
    status: i32,
    stderr: Option<Vec<u8>>,
}

fn expectation(name: &str) -> Result<Expectation, String> {
    let dir = lua_dir();
    let stdout = std::fs::read(dir.join(format!("{name}.expected")))
        .map_err(|e| format!("cannot read {name}.expected ({e}); generate it with lua5.3"))?;
    let status = match std::fs::read_to_string(dir.join(format!("{name}.status"))) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name}.status must hold an exit status, not {text:?}"))?,
        Err(_) => 0,
    };
    let stderr = std::fs::read(dir.join(format!("{name}.stderr"))).ok();
    Ok(Expectation {
        stdout,
        status,
        stderr,
    })
}

/// What a run produced.
struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// `None` when killed by a signal or by the timeout.
    status: Option<i32>,
    timed_out: bool,
}

/// Runs `name` with `program` (and `env` added to its environment).
fn run(program: &str, name: &str, env: &[(&str, &str)]) -> Result<Output, String> {
    let mut child = Command::new(program)
        .arg(format!("{name}.lua"))
        .envs(env.iter().copied())
        .current_dir(lua_dir())
        .env_remove("LUA_INIT")
        .env_remove("LUA_INIT_5_3")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    // Read both pipes on their own threads so that a chatty child never blocks.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().map_err(|e| e.to_string())?;
        }
        thread::sleep(Duration::from_millis(5));
    };
    Ok(Output {
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        status: if timed_out { None } else { status.code() },
        timed_out,
    })
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Replaces `program: ` at the start of each line by `lua: `.
fn normalize_stderr(stderr: &[u8], program: &str) -> Vec<u8> {
    let prefix = format!("{program}: ");
    let mut out = Vec::with_capacity(stderr.len());
    for line in stderr.split_inclusive(|&b| b == b'\n') {
        match line.strip_prefix(prefix.as_bytes()) {
            Some(rest) => {
                out.extend_from_slice(b"lua: ");
                out.extend_from_slice(rest);
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

/// A short diff: the first differing line with a little context, and line counts.
fn diff(expected: &[u8], actual: &[u8]) -> String {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    let (exp, act): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = (0..exp.len().max(act.len()))
        .find(|&i| exp.get(i) != act.get(i))
        .unwrap_or(exp.len().min(act.len()));
    let excerpt = |lines: &[&str]| -> String {
        let shown: Vec<String> = lines
            .iter()
            .skip(first)
            .take(3)
            .map(|l| format!("      | {}", l.chars().take(160).collect::<String>()))
            .collect();
        if shown.is_empty() {
            "      (end of output)".to_owned()
        } else {
            shown.join("\n")
        }
    };
    format!(
        "    first difference at line {} ({} lines expected, {} printed)\n    expected:\n{}\n    actual:\n{}",
        first + 1,
        exp.len(),
        act.len(),
        excerpt(&exp),
        excerpt(&act)
    )
}

/// Runs `name` with `program` and lists every way its output is wrong.
fn check(program: &str, name: &str) -> Result<(), String> {
    check_with_env(program, name, &[])
}

fn check_with_env(program: &str, name: &str, env: &[(&str, &str)]) -> Result<(), String> {
    let expected = expectation(name)?;
    let out = run(program, name, env)?;
    let mut problems = Vec::new();
    if out.timed_out {
        problems.push(format!("  timed out after {} s", TIMEOUT.as_secs()));
    } else if out.status != Some(expected.status) {
        let got = out
            .status
            .map_or("killed by a signal".to_owned(), |c| c.to_string());
        problems.push(format!("  exit status {got}, expected {}", expected.status));
    }
    if out.stdout != expected.stdout {
        problems.push(format!(
            "  stdout differs from {name}.expected:\n{}",
            diff(&expected.stdout, &out.stdout)
        ));
    }
    if let Some(want) = &expected.stderr {
        let got = normalize_stderr(&out.stderr, program);
        if &got != want {
            problems.push(format!(
                "  stderr differs from {name}.stderr:\n{}",
                diff(want, &got)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        if expected.stderr.is_none() && !out.stderr.is_empty() {
            let text = String::from_utf8_lossy(&out.stderr);
            let head: Vec<&str> = text.lines().take(3).collect();
            problems.push(format!("  stderr: {}", head.join(" / ")));
        }
        Err(problems.join("\n"))
    }
}

/// Applies `check` to every name on a few threads; results come back in name order.
fn check_all(
    names: &[String],
    check: impl Fn(&str) -> Result<(), String> + Sync,
) -> Vec<(String, Result<(), String>)> {
    let threads = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while let Some(name) = names.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = check(name);
                    results.lock().unwrap().push((name.clone(), result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    results
}

/// `tests/lua/KNOWN_FAILURES`: script file name -> reason (the `#` comment).
fn known_failures() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(lua_dir().join("KNOWN_FAILURES")).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (entry, reason) = line.split_once('#').unwrap_or((line, ""));
            let entry = entry.trim();
            (!entry.is_empty()).then(|| (entry.to_owned(), reason.trim().to_owned()))
        })
        .collect()
}

#[test]
fn lua_scripts() {
    let names = script_names();
    assert!(!names.is_empty(), "no scripts in tests/lua");
    let known = known_failures();
    let mut problems = Vec::new();
    for entry in known.keys() {
        if !names.iter().any(|n| format!("{n}.lua") == *entry) {
            problems.push(format!(
                "KNOWN_FAILURES lists {entry}, which does not exist"
            ));
        }
    }
    let results = check_all(&names, |name| check(env!("CARGO_BIN_EXE_luavm"), name));
    let (mut passed, mut still_failing) = (0, Vec::new());
    for (name, result) in results {
        let file = format!("{name}.lua");
        match (result, known.contains_key(&file)) {
            (Ok(()), false) => passed += 1,
            (Ok(()), true) => problems.push(format!(
                "{file} passes now: remove it from tests/lua/KNOWN_FAILURES"
            )),
            (Err(why), false) => problems.push(format!("{file} FAILED\n{why}")),
            (Err(_), true) => still_failing.push(file),
        }
    }
    println!(
        "{passed} scripts passed; {} known failures:",
        still_failing.len()
    );
    for file in &still_failing {
        println!("  {file}: {}", known[file]);
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn differential_lua53() {
    if Command::new(REFERENCE).arg("-v").output().is_err() {
        println!("note: {REFERENCE} is not on PATH; expectations not re-checked");
        return;
    }
    let names = script_names();
    let failures: Vec<String> = check_all(&names, |name| check(REFERENCE, name))
        .into_iter()
        .filter_map(|(name, result)| {
            result
                .err()
                .map(|why| format!("{name}.lua under {REFERENCE}\n{why}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} expectation(s) no longer match {REFERENCE}:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Scripts run under GC stress by `cargo test`: a mix of everything that allocates,
/// captures upvalues, switches coroutines or keeps values in odd places.
const STRESS_SUBSET: &[&str] = &[
    "closures",
    "closures_loops",
    "concat",
    "coroutine_basic",
    "coroutine_errors",
    "coroutine_switch",
    "coroutine_wrap",
    "debug_upvalues",
    "errors_error",
    "gc_weak",
    "goto",
    "meta_index",
    "metatables",
    "programs",
    "string_gsub_gmatch",
    "table_insert_remove",
    "table_iteration",
    "table_sort",
    "tail_calls",
    "varargs",
];

/// Scripts left out of the all-scripts stress run: their output depends on when
/// collections happen (finalizer order and errors), or a collection per call makes them
/// too slow (deep recursion: each collection walks the whole stack).
const STRESS_EXCLUDED: &[&str] = &["gc_finalizers", "io_files", "recursion"];

/// Every script except `STRESS_EXCLUDED` and the known failures.
fn stress_names() -> Vec<String> {
    let known = known_failures();
    script_names()
        .into_iter()
        .filter(|n| !STRESS_EXCLUDED.contains(&n.as_str()))
        .filter(|n| !known.contains_key(&format!("{n}.lua")))
        .collect()
}

/// Run `names` with `LUAVM_GC_STRESS=stress` and `LUAVM_GC_MODE=mode`; all failures
/// reported together.
fn run_under_stress(names: &[String], stress: &str, mode: &str, what: &str) {
    let env = [("LUAVM_GC_STRESS", stress), ("LUAVM_GC_MODE", mode)];
    let failures: Vec<String> = check_all(names, |name| {
        check_with_env(env!("CARGO_BIN_EXE_luavm"), name, &env)
    })
    .into_iter()
    .filter_map(|(name, result)| {
        result
            .err()
            .map(|why| format!("{name}.lua under {what}\n{why}"))
    })
    .collect();
    println!("{} scripts under {what}", names.len());
    assert!(
        failures.is_empty(),
        "{} script(s) fail under {what}:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn gc_stress_steps() {
    run_under_stress(
        &stress_names(),
        "steps",
        "incremental",
        "incremental GC stress",
    );
}

#[test]
fn gc_stress_steps_generational() {
    run_under_stress(
        &stress_names(),
        "steps",
        "generational",
        "generational GC stress",
    );
}

fn full_stress_names() -> Vec<String> {
    let all = std::env::var_os("LUAVM_STRESS_ALL").is_some_and(|v| !v.is_empty() && v != "0");
    if all {
        stress_names()
    } else {
        STRESS_SUBSET.iter().map(|n| n.to_string()).collect()
    }
}

#[test]
fn gc_stress() {
    run_under_stress(&full_stress_names(), "1", "incremental", "GC stress");
}

#[test]
fn gc_stress_generational() {
    run_under_stress(
        &full_stress_names(),
        "1",
        "generational",
        "GC stress (generational)",
    );
}
