//! Cost of `LuaVM::new` + `open_stdlib(Stdlib::All)`, and of each library (time per VM
//! and heap bytes as the VM accounts them). The criterion benchmark is
//! `benches/vm_creation.rs`; this is the quick version: `cargo run --release --example vm_creation`.
//! `vm_creation N` makes N VMs with every library and prints nothing (for profiling:
//! `valgrind --tool=callgrind target/release/examples/vm_creation 2000`).

use luavm::prelude::*;

fn measure(name: &str, libs: Option<Stdlib>) {
    let n = 20_000;
    let t = std::time::Instant::now();
    let mut mem = 0;
    for _ in 0..n {
        let mut vm = LuaVM::new(SafeOption::default());
        if let Some(l) = libs {
            vm.open_stdlib(l).unwrap();
        }
        mem = vm.memory_used();
        std::hint::black_box(&vm);
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("{name:>10}: {us:6.2} us per VM, {mem:6} bytes");
}

fn main() {
    if let Some(n) = std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<usize>().ok())
    {
        for _ in 0..n {
            let mut vm = LuaVM::new(SafeOption::default());
            vm.open_stdlib(Stdlib::All).unwrap();
            std::hint::black_box(&vm);
        }
        return;
    }
    measure("new", None);
    for (name, l) in [
        ("Base", Stdlib::Base),
        ("Coroutine", Stdlib::Coroutine),
        ("String", Stdlib::String),
        ("Table", Stdlib::Table),
        ("Math", Stdlib::Math),
        ("Utf8", Stdlib::Utf8),
        ("Io", Stdlib::Io),
        ("Os", Stdlib::Os),
        ("Package", Stdlib::Package),
        ("Debug", Stdlib::Debug),
        ("All", Stdlib::All),
    ] {
        measure(name, Some(l));
    }
    // creation alone (as PUC's luaL_newstate + luaL_openlibs, without lua_close)
    let n = 20_000;
    let mut total = std::time::Duration::ZERO;
    for _ in 0..n {
        let t = std::time::Instant::now();
        let mut vm = LuaVM::new(SafeOption::default());
        vm.open_stdlib(Stdlib::All).unwrap();
        total += t.elapsed();
        drop(std::hint::black_box(vm));
    }
    let us = total.as_secs_f64() * 1e6 / n as f64;
    println!(
        "{:>10}: {us:6.2} us per VM, created (not dropped)",
        "All-create"
    );
}
