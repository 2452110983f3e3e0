//! Dispatcher benchmarks (criterion): empty-task round trip, throughput, the cost of an
//! async host call inside a task, transfer cost per KB of table, and CPU-bound scaling
//! from 1 worker up (the whole curve is printed at the end, with the speedup over 1
//! worker).
//!
//! `cargo bench --bench dispatcher` (add `-- --quick`-style criterion filters as usual,
//! e.g. `-- round_trip`). `LUAVM_BENCH_SCALING=0` skips the final scaling table.

use std::time::{Duration, Instant};

/// The allocator of the `luavm` binary (with glibc's malloc, worker threads spend a large
/// part of a tiny task growing and trimming their arenas).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BenchmarkId, Criterion, Throughput};
use luavm_dispatcher::transfer::{export, ExportOptions, ProtoCache};
use luavm_dispatcher::{Data, Job, Pool};
use luavm_vm::embed::{prelude::*, AsyncReturnValue};
use luavm_vm::{State, MULTRET};

/// The CPU-bound task: pure arithmetic in a loop (about 10 ms in a release build).
const CPU_TASK: &str = r#"
function work(n)
    local s = 0.0
    for i = 1, n do
        s = s + (i % 7) * 0.5 - (i % 3)
    end
    return s
end
function noop() end
"#;
const CPU_N: i64 = 1_000_000;

fn pool(n: usize) -> Pool {
    Pool::builder()
        .workers(n)
        .init_script(CPU_TASK)
        .build()
        .expect("pool")
}

fn round_trip(c: &mut Criterion) {
    let mut g = c.benchmark_group("round_trip");
    for n in [1, 2] {
        let p = pool(n);
        g.bench_function(BenchmarkId::new("rust_call_noop", n), |b| {
            b.iter(|| p.call("noop", vec![]).unwrap().wait())
        });
        // from Lua: spawn + join of an empty function
        let mut s = State::new();
        luavm_stdlib::open_all(&mut s);
        luavm_dispatcher::open_with_pool(&mut s, p.clone());
        let f = s
            .load(
                b"local spawn = workers.spawn local f = function() end \
                  return function(k) for i = 1, k do spawn(f):join() end end",
                b"=bench",
            )
            .unwrap();
        let base = s.top();
        s.push(f);
        s.call(base, 1).unwrap();
        let runner = s.stack_at(base);
        g.bench_function(BenchmarkId::new("lua_spawn_join_empty", n), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                if s.call_value(runner, &[luavm_vm::Value::Int(iters as i64)], 0)
                    .is_err()
                {
                    let e = s.error_value();
                    let mut m = Vec::new();
                    s.to_string_raw(e, &mut m);
                    panic!("{}", String::from_utf8_lossy(&m));
                }
                t.elapsed()
            })
        });
    }
    g.finish();
}

fn throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("throughput");
    const BATCH: usize = 10_000;
    g.throughput(Throughput::Elements(BATCH as u64));
    for n in [1, 2] {
        let p = pool(n);
        g.bench_function(BenchmarkId::new("rust_batch_noop", n), |b| {
            b.iter(|| {
                let jobs = (0..BATCH).map(|_| Job::call("noop", vec![])).collect();
                for h in p.submit_batch(jobs).unwrap() {
                    h.wait();
                }
            })
        });
        let mut s = State::new();
        luavm_stdlib::open_all(&mut s);
        luavm_dispatcher::open_with_pool(&mut s, p.clone());
        let f = s
            .load(
                b"local list = {} for i = 1, 10000 do list[i] = i end \
                  local map, f = workers.map, function(x) return x end \
                  return function() return map(f, list) end",
                b"=bench",
            )
            .unwrap();
        let base = s.top();
        s.push(f);
        s.call(base, 1).unwrap();
        let runner = s.stack_at(base);
        g.bench_function(BenchmarkId::new("lua_map_identity", n), |b| {
            b.iter(|| {
                let top = s.top();
                s.call_value(runner, &[], 0).unwrap();
                s.set_top(top);
            })
        });
    }
    g.finish();
}

/// A task that awaits a host future (ready at once, or after a yield to the runtime):
/// the suspension and resumption of the task on top of a round trip.
fn async_call(c: &mut Criterion) {
    let mut g = c.benchmark_group("async_call");
    let p = Pool::builder()
        .workers(1)
        .init_script(CPU_TASK)
        .init_lua(|lua| {
            lua.register_async("ready", |_| async {
                Ok(vec![AsyncReturnValue::integer(1)])
            })?;
            lua.register_async("yield_once", |_| async {
                tokio::task::yield_now().await;
                Ok(vec![AsyncReturnValue::integer(1)])
            })?;
            lua.execute_string(
                "function call_ready() return ready() end \
                 function call_yield() return yield_once() end \
                 function ready_x100() for i = 1, 100 do ready() end end",
            )?;
            Ok(())
        })
        .build()
        .expect("pool");
    for f in ["noop", "call_ready", "call_yield"] {
        g.bench_function(f, |b| b.iter(|| p.call(f, vec![]).unwrap().wait()));
    }
    // 100 awaits in one task: the cost of one suspension without the round trip
    g.throughput(Throughput::Elements(100));
    g.bench_function("ready_x100", |b| {
        b.iter(|| p.call("ready_x100", vec![]).unwrap().wait())
    });
    g.finish();
}

fn transfer(c: &mut Criterion) {
    let mut g = c.benchmark_group("transfer");
    let mut a = State::new();
    luavm_stdlib::open_all(&mut a);
    // about 1 KB of table: 32 string fields of ~16 bytes and 32 numbers
    let f = a
        .load(
            b"local t = {} for i = 1, 32 do t['key' .. i] = ('v'):rep(16) t[i] = i * 0.5 end return t",
            b"=t",
        )
        .unwrap();
    let base = a.top();
    a.push(f);
    a.call(base, MULTRET).unwrap();
    let v = a.stack_at(base);
    let mut b = State::new();
    luavm_stdlib::open_all(&mut b);
    let mut cache = ProtoCache::default();
    g.throughput(Throughput::Bytes(1024));
    g.bench_function("export_import_1KB_table", |bn| {
        bn.iter(|| {
            let p = export(&mut a, &[v], &|_| String::new(), ExportOptions::default()).unwrap();
            let top = b.top();
            p.import(&mut b, &mut cache).unwrap();
            b.set_top(top);
            b.check_gc();
        })
    });
    g.finish();
}

fn worker_counts() -> Vec<usize> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let mut v = vec![1, 2, 4, 8, 16];
    let mut k = 32;
    while k <= cores * 2 {
        v.push(k);
        k *= 2;
    }
    v
}

/// Run `tasks` CPU-bound tasks on `p` and wait for all of them.
fn cpu_batch(p: &Pool, tasks: usize) {
    let jobs = (0..tasks)
        .map(|_| Job::call("work", vec![Data::Int(CPU_N)]))
        .collect();
    for h in p.submit_batch(jobs).unwrap() {
        h.wait();
    }
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("cpu_scaling");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    const TASKS: usize = 32;
    g.throughput(Throughput::Elements(TASKS as u64));
    for n in worker_counts() {
        let p = pool(n);
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| cpu_batch(&p, TASKS))
        });
    }
    g.finish();
}

/// The curve as a table: best of 5 runs of 32 tasks per worker count.
fn scaling_table() {
    if std::env::var("LUAVM_BENCH_SCALING").as_deref() == Ok("0") {
        return;
    }
    const TASKS: usize = 32;
    println!("\ncpu-bound scaling ({TASKS} tasks of work({CPU_N}), best of 5):");
    println!(
        "{:>8} {:>12} {:>12} {:>9}",
        "workers", "batch (ms)", "tasks/s", "speedup"
    );
    let mut base = None;
    for n in worker_counts() {
        let p = pool(n);
        cpu_batch(&p, n); // warm up every worker
        let best = (0..5)
            .map(|_| {
                let t = Instant::now();
                cpu_batch(&p, TASKS);
                t.elapsed()
            })
            .min()
            .unwrap_or_default();
        let secs = best.as_secs_f64();
        let b = *base.get_or_insert(secs);
        println!(
            "{n:>8} {:>12.1} {:>12.1} {:>8.2}x",
            secs * 1e3,
            TASKS as f64 / secs,
            b / secs
        );
        p.shutdown();
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    round_trip(&mut c);
    throughput(&mut c);
    async_call(&mut c);
    transfer(&mut c);
    scaling(&mut c);
    c.final_summary();
    scaling_table();
}
