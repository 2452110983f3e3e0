//! The collector's pauses while a big heap of tables is mutated (issue 7's goal: the
//! longest pause under 10 ms with a 500 MB heap).
//!
//! Builds a heap of `LUAVM_PAUSE_HEAP_MB` megabytes (default 500, as counted by
//! `collectgarbage("count")`) of small tables held by containers of 64, then measures
//! with criterion a batch of 10,000 mutations (each replaces a random leaf by a new
//! table, so the program allocates and the old leaves become garbage). After the
//! criterion run it prints the longest incremental step seen during the mutations (the
//! longest pause the program saw), the number of steps and cycles, and for comparison
//! the time of one full (stop-the-world) collection of the same heap.
//!
//! With `LUAVM_GC_MODE=generational` the collector runs in generational mode: it also
//! prints the minor collections (how many, the longest, their total time) — a minor is
//! a pause too.
//!
//! ```text
//! cargo bench --bench gc_pause
//! LUAVM_PAUSE_HEAP_MB=100 cargo bench --bench gc_pause
//! LUAVM_GC_MODE=generational cargo bench --bench gc_pause
//! ```

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use luavm_vm::{State, Value, MULTRET};

/// The allocator of the `luavm` binary (pauses include what freeing costs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BUILD: &str = r#"
local mb = ...
heap = {}
local K = 0
while collectgarbage("count") < mb * 1024 do
  for _ = 1, 1000 do
    K = K + 1
    local c = {}
    for j = 1, 64 do c[j] = {K, j} end
    heap[K] = c
  end
end
local seed = 1
function mutate(n)
  for k = 1, n do
    seed = (seed * 16807) % 2147483647
    local c = heap[seed % K + 1]
    c[seed % 64 + 1] = {k, seed}
  end
end
return K
"#;

fn run(s: &mut State, code: &str, args: &[Value]) -> Vec<Value> {
    let base = s.top();
    let f = s
        .load(code.as_bytes(), b"=gc_pause")
        .expect("bench code compiles");
    s.push(f);
    for a in args {
        s.push(*a);
    }
    s.pcall(base, MULTRET, 0).expect("bench code runs");
    let out = (base..s.top()).map(|i| s.stack_at(i)).collect();
    s.set_top(base);
    out
}

fn call_mutate(s: &mut State, n: i64) {
    let base = s.top();
    let f = s.get_global("mutate");
    s.push(f);
    s.push(Value::Int(n));
    s.pcall(base, 0, 0).expect("mutate runs");
    s.set_top(base);
}

fn pauses(c: &mut Criterion) {
    let mb: i64 = std::env::var("LUAVM_PAUSE_HEAP_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    let generational = std::env::var("LUAVM_GC_MODE").as_deref() == Ok("generational");
    if generational {
        s.set_gc_mode(luavm_vm::GcMode::Generational);
    }
    let t = Instant::now();
    let k = run(&mut s, BUILD, &[Value::Int(mb)]);
    let build_steps = s.heap.stats;
    println!(
        "built {} MB ({} containers of 64 tables) in {:.1} s; longest pause while building: {:.2} ms",
        s.memory_used() >> 20,
        match k.first() {
            Some(Value::Int(n)) => *n,
            _ => 0,
        },
        t.elapsed().as_secs_f64(),
        build_steps.longest_pause().as_secs_f64() * 1e3
    );
    s.heap.stats = Default::default();
    let cycles = s.heap.cycles;
    let mut group = c.benchmark_group("gc_pause");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(format!("10k mutations, {mb} MB heap"), |b| {
        b.iter(|| call_mutate(&mut s, 10_000))
    });
    group.finish();
    let st = s.heap.stats;
    println!(
        "mutating a {} MB heap ({:?} mode): {} incremental steps, {} cycles, longest step {:.2} ms",
        s.memory_used() >> 20,
        s.gc_mode(),
        st.steps,
        s.heap.cycles - cycles,
        st.longest_step.as_secs_f64() * 1e3
    );
    if generational {
        println!(
            "minor collections: {}, longest {:.2} ms, {:.1} ms in all; longest pause {:.2} ms",
            st.minors,
            st.longest_minor.as_secs_f64() * 1e3,
            st.minor_total.as_secs_f64() * 1e3,
            st.longest_pause().as_secs_f64() * 1e3
        );
    }
    let mut line = String::from("steps by duration:");
    let mut lower = 0.0;
    for (i, n) in st.step_histogram.iter().enumerate() {
        match luavm_gc::GcStats::STEP_BUCKETS.get(i) {
            Some(b) => line += &format!(" [{lower}-{b} ms) {n},"),
            None => line += &format!(" >= {lower} ms {n}"),
        }
        lower = luavm_gc::GcStats::STEP_BUCKETS
            .get(i)
            .copied()
            .unwrap_or(lower);
    }
    println!("{line}");
    let t = Instant::now();
    s.collect_garbage();
    println!(
        "for comparison, one full (stop-the-world) collection of it: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
}

criterion_group!(benches, pauses);
criterion_main!(benches);
