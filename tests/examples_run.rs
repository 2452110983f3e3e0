//! Runs the seed 001 examples (`examples/pattern*.rs`) that `cargo test` builds next to the
//! test binaries, and checks what they print: each pattern must run to its end and show
//! its results and its error case.
//!
//! `cargo test --workspace` builds every example before it runs any test. A run limited to
//! this test target (`--test examples_run`) may not have built them: then it says so and
//! checks nothing.

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // target/<profile>/deps/examples_run-<hash> -> target/<profile>/examples/<name>
    let path = exe.parent()?.parent()?.join("examples").join(name);
    path.exists().then_some(path)
}

fn run(name: &str, expected: &[&str]) {
    let Some(path) = example(name) else {
        eprintln!("example {name} not built (run `cargo test --workspace`): not checked");
        return;
    };
    let out = Command::new(&path).output().expect("the example starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in expected {
        assert!(
            stdout.contains(line),
            "{name}: missing {line:?} in:\n{stdout}"
        );
    }
}

#[test]
fn pattern1_single_thread() {
    run(
        "pattern1_single_thread",
        &[
            r#"ok:    ["result of users/1"]"#,
            r#"ok:    ["result of a + result of b"]"#,
            "error: [string \"error('bad request')\"]:1: bad request",
            r#"ok:    ["requests so far: 2"]"#,
        ],
    );
}

#[test]
fn pattern2_vm_pool() {
    run(
        "pattern2_vm_pool",
        &[
            // "<requests that VM served>, <sum>": which VM serves a request varies
            r#", 500500")"#,
            r#"request 7 -> Ok(""#,
            r#", 32004000")"#,
            "'for' limit must be a number",
        ],
    );
}

#[test]
fn pattern3_localset() {
    run(
        "pattern3_localset",
        &["tick 1 (while Lua sleeps)", "Result: Ok([42])"],
    );
}
