//! Deep nesting gives PUC's "too many C levels" errors, never a Rust stack
//! overflow: on the default test-thread stack, on an explicit 2 MiB thread, and
//! on a 1 MiB thread (the main thread's 8 MiB is covered by `main_thread.rs`).

mod common;

use common::*;

fn on_thread(stack: usize) {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(check_deep_shapes)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn deep_nesting_on_default_test_thread() {
    check_deep_shapes();
}

#[test]
fn deep_nesting_on_2mib_thread() {
    on_thread(2 << 20);
}

#[test]
fn deep_nesting_on_1mib_thread() {
    on_thread(1 << 20);
}

#[test]
fn nesting_just_below_the_limit_compiles() {
    let src = format!("return {}1{}", "(".repeat(190), ")".repeat(190));
    let p = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || luavm_compiler::compile(src.as_bytes(), b"=x"))
        .unwrap()
        .join()
        .unwrap();
    assert!(p.is_ok());
    let fns = format!(
        "x = {}1{}",
        "function() return ".repeat(98),
        " end".repeat(98)
    );
    assert!(luavm_compiler::compile(fns.as_bytes(), b"=x").is_ok());
}
