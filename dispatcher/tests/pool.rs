//! The Rust `Pool`: building, every outcome kind, cancellation, timeouts, panics,
//! nested joins with one worker, backpressure, broadcast, futures, metrics, and many
//! tiny tasks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use luavm_dispatcher::{Data, Job, Outcome, Pool, PoolError, TaskError, TaskStatus};
use luavm_vm::{LuaResult, State, Value};

fn boom(_: &mut State) -> LuaResult<usize> {
    panic!("host function exploded")
}

fn double(s: &mut State) -> LuaResult<usize> {
    let x = s.check_integer(1)?;
    s.push(Value::Int(2 * x));
    Ok(1)
}

fn pool(n: usize) -> Pool {
    Pool::builder()
        .workers(n)
        .init(|s| {
            s.set_global("boom", Value::NativeFn(boom));
            s.set_global("double", Value::NativeFn(double));
            Ok(())
        })
        .init_script("function id(...) return ... end")
        .build()
        .expect("pool builds")
}

fn wait_running(h: &luavm_dispatcher::TaskHandle) {
    let start = Instant::now();
    while h.status() == TaskStatus::Queued {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "task never started"
        );
        std::thread::yield_now();
    }
}

#[test]
fn values_errors_and_calls() {
    let p = pool(2);
    assert_eq!(p.workers(), 2);
    let h = p.execute("return 1 + 2, 'x', {a = 1}").unwrap();
    let v = h.join().unwrap();
    assert_eq!(v[0], Data::Int(3));
    assert_eq!(v[1], Data::from("x"));
    assert_eq!(v[2].get(&Data::from("a")), Some(&Data::Int(1)));
    assert_eq!(h.status(), TaskStatus::Done);

    let h = p.call("double", vec![Data::from(21)]).unwrap();
    assert_eq!(h.join().unwrap(), vec![Data::Int(42)]);
    let h = p
        .call("string.rep", vec![Data::from("ab"), Data::from(3)])
        .unwrap();
    assert_eq!(h.join().unwrap(), vec![Data::from("ababab")]);

    // a Lua error, with its traceback
    let h = p
        .execute("local function f() error('bad thing') end f()")
        .unwrap();
    match h.join() {
        Err(TaskError::Lua { message, traceback }) => {
            assert_eq!(message, "execute:1: bad thing");
            assert!(traceback.starts_with("execute:1: bad thing\nstack traceback:"));
            assert!(traceback.contains("in local 'f'"), "{traceback}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.status(), TaskStatus::Failed);
    // a missing function, a compile error
    assert!(matches!(
        p.call("nope", vec![]).unwrap().join(),
        Err(TaskError::Lua { .. })
    ));
    assert!(matches!(p.execute("return +"), Err(PoolError::Compile(_))));
    // values that are not data
    assert!(matches!(
        p.execute("return print").unwrap().join(),
        Err(TaskError::NotData(_))
    ));
    match &*p.execute("return print").unwrap().wait() {
        Outcome::Values(v) => assert_eq!(v.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn cancellation_of_queued_and_running_tasks() {
    let p = pool(1);
    let spin = p.execute("while true do end").unwrap();
    wait_running(&spin);
    let queued = p.execute("return 'never'").unwrap();
    assert_eq!(queued.status(), TaskStatus::Queued);
    assert!(queued.cancel());
    assert_eq!(queued.join(), Err(TaskError::Cancelled));
    assert!(spin.cancel());
    assert!(!spin.cancel(), "an ended task cannot be cancelled again");
    assert_eq!(spin.join(), Err(TaskError::Cancelled));
    // pcall does not catch the interrupt
    let h = p
        .execute("while true do pcall(function() while true do end end) end")
        .unwrap();
    wait_running(&h);
    h.cancel();
    assert_eq!(h.join(), Err(TaskError::Cancelled));
    // the worker goes on
    assert_eq!(
        p.execute("return 1").unwrap().join().unwrap(),
        vec![Data::Int(1)]
    );
}

#[test]
fn timeouts() {
    let p = pool(1);
    let t0 = Instant::now();
    let h = p
        .submit(Job::code("while true do end").timeout(Duration::from_millis(50)))
        .unwrap();
    assert_eq!(h.join(), Err(TaskError::TimedOut));
    assert!(t0.elapsed() >= Duration::from_millis(50));
    assert_eq!(h.status(), TaskStatus::TimedOut);
    // a task that ends in time is not touched
    let h = p
        .submit(Job::code("return 5").timeout(Duration::from_secs(10)))
        .unwrap();
    assert_eq!(h.join().unwrap(), vec![Data::Int(5)]);
    assert!(h.wait_timeout(Duration::from_millis(1)).is_some());
    // wait_timeout on a running task
    let h = p
        .submit(Job::code("while true do end").timeout(Duration::from_millis(200)))
        .unwrap();
    assert!(h.wait_timeout(Duration::from_millis(10)).is_none());
    assert_eq!(h.join(), Err(TaskError::TimedOut));
}

static INITS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn a_panic_fails_the_task_and_the_vm_is_rebuilt() {
    let p = Pool::builder()
        .workers(1)
        .init(|s| {
            INITS.fetch_add(1, Ordering::SeqCst);
            s.set_global("boom", Value::NativeFn(boom));
            Ok(())
        })
        .build()
        .unwrap();
    assert_eq!(INITS.load(Ordering::SeqCst), 1);
    p.execute("MARK = 1").unwrap().join().unwrap();
    let h = p.execute("boom()").unwrap();
    match h.join() {
        Err(TaskError::WorkerFailed(m)) => assert!(m.contains("host function exploded"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(h.status(), TaskStatus::WorkerFailed);
    // a new VM: init ran again, old globals are gone
    assert_eq!(
        p.execute("return MARK").unwrap().join().unwrap(),
        vec![Data::Nil]
    );
    assert_eq!(INITS.load(Ordering::SeqCst), 2);
    // a task suspended on the VM that panicked fails too
    let h = p
        .execute("return workers.spawn(function() boom() end):join()")
        .unwrap();
    assert!(matches!(h.join(), Err(TaskError::WorkerFailed(_))));
    assert_eq!(
        p.execute("return 'ok'").unwrap().join().unwrap(),
        vec![Data::from("ok")]
    );
}

#[test]
fn init_errors_fail_the_build() {
    let r = Pool::builder()
        .workers(2)
        .init(|s| {
            let m = s.str_value(b"no database");
            Err(s.set_error(m))
        })
        .build();
    assert!(matches!(r, Err(PoolError::Init(m)) if m == "no database"));
    let r = Pool::builder()
        .workers(1)
        .init_script("error('x', 0)")
        .build();
    assert!(matches!(r, Err(PoolError::Init(m)) if m == "x"));
}

#[test]
fn nested_join_with_one_worker() {
    let p = pool(1);
    let code = r#"
        local function pfib(n)
            if n < 10 then
                local function fib(k) if k < 2 then return k end return fib(k-1) + fib(k-2) end
                return fib(n)
            end
            local a, b = workers.spawn(pfib, n - 1), workers.spawn(pfib, n - 2)
            return a:join() + b:join()
        end
        local sq = workers.map(function(x) return double(x) end, {1, 2, 3})
        return pfib(16), sq[1] + sq[2] + sq[3]
    "#;
    assert_eq!(
        p.execute(code).unwrap().join().unwrap(),
        vec![Data::Int(987), Data::Int(12)]
    );
}

#[test]
fn broadcast_reaches_every_worker() {
    let p = pool(3);
    let hs = p.broadcast("SEEN = true return workers.current()").unwrap();
    let mut ids: Vec<i64> = hs
        .iter()
        .map(|h| h.join().unwrap()[0].as_int().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, vec![1, 2, 3]);
    let hs = p.broadcast("return SEEN").unwrap();
    for h in hs {
        assert_eq!(h.join().unwrap(), vec![Data::Bool(true)]);
    }
}

#[test]
fn backpressure() {
    let p = Pool::builder().workers(1).queue_bound(2).build().unwrap();
    let spin = p.execute("while true do end").unwrap();
    wait_running(&spin);
    let a = p.try_submit(Job::code("return 1")).unwrap();
    let b = p.try_submit(Job::code("return 2")).unwrap();
    assert!(matches!(
        p.try_submit(Job::code("return 3")),
        Err(PoolError::Full)
    ));
    // a blocking submit goes through once there is room
    let p2 = p.clone();
    let t = std::thread::spawn(move || p2.submit(Job::code("return 3")).unwrap().join());
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(p.metrics().queued, 2);
    spin.cancel();
    assert_eq!(a.join().unwrap(), vec![Data::Int(1)]);
    assert_eq!(b.join().unwrap(), vec![Data::Int(2)]);
    assert_eq!(t.join().unwrap().unwrap(), vec![Data::Int(3)]);
}

#[test]
fn futures_and_batches() {
    let p = pool(2);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let out = rt.block_on(p.execute("return 6 * 7").unwrap());
    assert!(matches!(&*out, Outcome::Values(v) if v.to_data().unwrap() == vec![Data::Int(42)]));
    let hs = p
        .submit_batch(vec![
            Job::code("return 1"),
            Job::call("id", vec![Data::from(2)]),
        ])
        .unwrap();
    let outs = rt.block_on(async {
        let mut v = Vec::new();
        for h in hs {
            v.push(h.await);
        }
        v
    });
    assert_eq!(outs.len(), 2);
    // a batch with a bad job queues nothing
    assert!(p
        .submit_batch(vec![Job::code("return 1"), Job::code("return +")])
        .is_err());
}

#[test]
fn many_tiny_tasks_none_lost() {
    let p = pool(2);
    let n = 100_000;
    let jobs: Vec<Job> = (0..n)
        .map(|i| Job::call("id", vec![Data::Int(i)]))
        .collect();
    let hs = p.submit_batch(jobs).unwrap();
    let mut sum = 0i64;
    for h in &hs {
        sum += h.join().unwrap()[0].as_int().unwrap();
    }
    assert_eq!(sum, n * (n - 1) / 2);
    let m = p.metrics();
    assert_eq!(m.queued, 0);
    assert_eq!(m.running, 0);
    assert!(m.completed >= n as u64);
    assert_eq!(m.completed_per_worker.iter().sum::<u64>(), m.completed);
    assert_eq!(m.load, vec![0, 0]);
}

#[test]
fn shutdown_ends_everything() {
    let p = pool(1);
    let spin = p.execute("while true do end").unwrap();
    wait_running(&spin);
    let queued = p.execute("return 1").unwrap();
    p.shutdown();
    assert_eq!(spin.join(), Err(TaskError::Cancelled));
    assert_eq!(queued.join(), Err(TaskError::Cancelled));
    assert!(matches!(p.execute("return 1"), Err(PoolError::ShutDown)));
    // dropping a pool stops it too
    let p = pool(1);
    let spin = p.execute("while true do end").unwrap();
    wait_running(&spin);
    drop(p);
    assert_eq!(spin.join(), Err(TaskError::Cancelled));
}

#[test]
fn the_lua_library_on_a_given_pool() {
    let p = pool(2);
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    luavm_dispatcher::open_with_pool(&mut s, p.clone());
    let f = s
        .load(
            b"return workers.count(), workers.map(function(x) return double(x) end, {1, 2})[2]",
            b"=main",
        )
        .unwrap();
    let base = s.top();
    s.push(f);
    s.call(base, 2).unwrap();
    assert!(s.stack_at(base).raw_equal(Value::Int(2)));
    assert!(s.stack_at(base + 1).raw_equal(Value::Int(4)));
    let m = p.metrics();
    assert_eq!(m.workers, 2);
    assert!(m.completed >= 2);
}

#[test]
fn gc_stress_in_workers_and_main() {
    // a full collection at every safe point of every VM: transfers, suspended tasks and
    // task handles must all stay rooted
    let p = Pool::builder()
        .workers(2)
        .init(|s| {
            s.set_gc_stress(true);
            Ok(())
        })
        .build()
        .unwrap();
    let mut s = State::new();
    s.set_gc_stress(true);
    luavm_stdlib::open_all(&mut s);
    luavm_dispatcher::open_with_pool(&mut s, p);
    let code = br#"
        local t = {name = "t", list = {1, 2, 3}}
        t.self = t
        local fmt = string.format
        local r = workers.map(function(x)
            local inner = workers.map(function(y) return {y, y * 2, s = fmt("%d", y)} end, {x, x + 1})
            return inner[1].s .. inner[2].s .. (t.self.list[2])
        end, {1, 2, 3, 4})
        local h = workers.spawn(function(v) collectgarbage() return v.self.name, #v.list end, t)
        local a, b = h:join()
        local resp = workers.RunSync{tasks = {{func = function() return {1, {2, {3}}} end}}}
        return table.concat(r, ","), a, b, resp.result[1].data[2][2][1]
    "#;
    let f = s.load(code, b"=stress").unwrap();
    let base = s.top();
    s.push(f);
    if s.pcall(base, 4, 0).is_err() {
        let e = s.error_value();
        let mut m = Vec::new();
        s.to_string_raw(e, &mut m);
        panic!("{}", String::from_utf8_lossy(&m));
    }
    let mut out = Vec::new();
    for i in base..base + 4 {
        let v = s.stack_at(i);
        s.to_string_raw(v, &mut out);
        out.push(b' ');
    }
    assert_eq!(String::from_utf8_lossy(&out), "122,232,342,452 t 3 3 ");
}
