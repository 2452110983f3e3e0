//! Cost of a new VM: `LuaVM::new(SafeOption::default())` + `open_stdlib(Stdlib::All)`
//! (the target: ≤ 10 µs and ≤ 20 KB; PUC 5.3's `luaL_newstate` +
//! `luaL_openlibs` takes 17.7 µs and 20,271 bytes on the same machine — 21,530 with the
//! compatibility functions of `math` that luavm has; docs/embedding.md says where
//! luavm's bytes go, and `tests/embed_creation_memory.rs` keeps them from growing).
//!
//! Time comes from criterion: `new` and `all` create and drop a VM (drop runs the
//! finalizers of the standard files, as `lua_close`); `all_create_only` times the
//! creation alone, as PUC's figure. Memory is printed before the timings: the heap bytes one
//! creation leaves allocated (a counting `#[global_allocator]` around the system
//! allocator: live bytes after the creation minus live bytes before), the number of
//! allocations it made, and what the VM itself accounts (`collectgarbage("count")`).
//!
//! `cargo bench --bench vm_creation` (criterion filters as usual, e.g. `-- all`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use criterion::Criterion;
use luavm::prelude::*;

/// The system allocator, counting live bytes and allocation calls while `ON` (only
/// around the measured creation: the atomic counters would slow the timed runs).
struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

fn count(add: usize, sub: usize, call: bool) {
    if ON.load(Relaxed) {
        LIVE.fetch_add(add, Relaxed);
        LIVE.fetch_sub(sub, Relaxed);
        CALLS.fetch_add(usize::from(call), Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counters are plain atomics and never affect what is returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size(), 0, true);
        // SAFETY: forwarded as received (see the impl's comment).
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size(), 0, true);
        // SAFETY: forwarded as received.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(0, layout.size(), false);
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size, layout.size(), true);
        // SAFETY: forwarded as received.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn new_vm(libs: Option<Stdlib>) -> LuaVM {
    let mut vm = LuaVM::new(SafeOption::default());
    if let Some(l) = libs {
        vm.open_stdlib(l).expect("open_stdlib");
    }
    vm
}

/// Print the memory of one creation.
fn report_memory(name: &str, libs: Option<Stdlib>) {
    drop(new_vm(libs)); // first use of per-thread state (standard streams) is not counted
    ON.store(true, Relaxed);
    let (live0, calls0) = (LIVE.load(Relaxed), CALLS.load(Relaxed));
    let mut vm = new_vm(libs);
    let (live1, calls1) = (LIVE.load(Relaxed), CALLS.load(Relaxed));
    ON.store(false, Relaxed);
    let accounted = vm.memory_used();
    let count = if libs.is_some_and(|l| l.contains(Stdlib::Base)) {
        let r = vm
            .execute_string("return collectgarbage('count')")
            .expect("collectgarbage");
        format!("{r:?} KB")
    } else {
        "-".into()
    };
    println!(
        "vm_creation/{name}: {} bytes allocated in {} allocations; the VM accounts {accounted} bytes; collectgarbage('count') = {count}",
        live1.wrapping_sub(live0) as isize,
        calls1 - calls0
    );
}

fn bench(c: &mut Criterion) {
    report_memory("new", None);
    report_memory("all", Some(Stdlib::All));
    let mut g = c.benchmark_group("vm_creation");
    // creation and drop (`lua_close`) of each VM
    g.bench_function("new", |b| b.iter(|| new_vm(None)));
    g.bench_function("all", |b| b.iter(|| new_vm(Some(Stdlib::All))));
    // creation alone (PUC's figure is luaL_newstate + luaL_openlibs, without lua_close):
    // each VM is timed on its own and dropped outside the timed part
    g.bench_function("all_create_only", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                let vm = new_vm(Some(Stdlib::All));
                total += t.elapsed();
                drop(std::hint::black_box(vm));
            }
            total
        })
    });
    g.finish();
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
