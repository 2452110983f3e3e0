//! Deep nesting on the main thread (run without the test harness, so this code is
//! on the process's main thread and its 8 MiB stack).

mod common;

fn main() {
    common::check_deep_shapes();
    println!("main thread: all deep shapes give errors, no stack overflow");
}
