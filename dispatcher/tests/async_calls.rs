//! Async host functions inside tasks: registered with `register_async` by the pool's
//! `init_lua`, awaited on each worker's tokio runtime while the worker runs other tasks.
//! From Rust (`Pool`) and from Lua (`workers.map` in a `LuaVM`), with 1 and 2 workers:
//! overlap of many sleeping tasks on one worker, values, errors, panics, cancellation and
//! timeouts of a task that awaits, async calls inside `pcall` and coroutines.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use luavm_dispatcher::{Data, Job, Pool, TaskError, TaskStatus, WorkersExt};
use luavm_stdlib::StdlibExt;
use luavm_vm::embed::{prelude::*, AsyncReturnValue, Error, LuaVM, SafeOption, Stdlib};

/// What the host functions saw, in order: `("start", n)` / `("end", n)`.
type Log = Arc<Mutex<Vec<(&'static str, i64)>>>;

/// A pool whose workers have `sleep(seconds, n)` (async: logs start and end, returns `n`),
/// `fail(msg)` (async error), `explode()` (async panic) and `twice(x)` (sync, embedding
/// API).
fn pool(workers: usize, log: &Log) -> Pool {
    let log = log.clone();
    Pool::builder()
        .workers(workers)
        .init_lua(move |lua| {
            let log = log.clone();
            lua.register_async("sleep", move |args| {
                let log = log.clone();
                async move {
                    let secs = args.first().and_then(|a| a.as_number()).unwrap_or(0.0);
                    let n = args.get(1).and_then(|a| a.as_integer()).unwrap_or(0);
                    log.lock().unwrap().push(("start", n));
                    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
                    log.lock().unwrap().push(("end", n));
                    Ok(vec![AsyncReturnValue::integer(n)])
                }
            })?;
            lua.register_async("fail", |args| async move {
                tokio::task::yield_now().await;
                let m = args
                    .first()
                    .and_then(|a| a.as_str())
                    .unwrap_or("?")
                    .to_string();
                Err::<Vec<AsyncReturnValue>, _>(Error::runtime(m))
            })?;
            lua.register_async("explode", |_| async move {
                tokio::task::yield_now().await;
                panic!("future exploded");
                #[allow(unreachable_code)]
                Ok(vec![])
            })?;
            lua.register("twice", |x: i64| 2 * x)?;
            Ok(())
        })
        .build()
        .expect("pool builds")
}

/// Every task started before the first one ended (they overlapped on the worker).
fn overlapped(log: &Log, n: usize) -> bool {
    let log = log.lock().unwrap();
    let first_end = log.iter().position(|(e, _)| *e == "end");
    let starts = log.iter().filter(|(e, _)| *e == "start").count();
    starts == n && first_end.is_some_and(|i| i >= n)
}

#[test]
fn sleeping_tasks_overlap_on_one_worker() {
    for workers in [1, 2] {
        let log = Log::default();
        let p = pool(workers, &log);
        let start = Instant::now();
        let jobs = (1..=8)
            .map(|i| Job::code(&format!("return sleep(0.05, {i}) + 100")))
            .collect();
        let hs = p.submit_batch(jobs).unwrap();
        for (i, h) in hs.iter().enumerate() {
            assert_eq!(h.join().unwrap(), vec![Data::Int(101 + i as i64)]);
        }
        let took = start.elapsed();
        assert!(overlapped(&log, 8), "{workers} workers: {:?}", log.lock());
        // 8 × 50 ms one after the other would be 400 ms
        assert!(
            took < Duration::from_millis(300),
            "{workers} workers: {took:?}"
        );
    }
}

#[test]
fn values_errors_and_panics_of_async_calls() {
    let log = Log::default();
    let p = pool(1, &log);
    // several calls in a row, mixed with a sync host function and plain Lua
    let h = p
        .execute("local a = sleep(0, 1) local b = sleep(0.01, 2) return twice(a + b), a, b")
        .unwrap();
    assert_eq!(
        h.join().unwrap(),
        vec![Data::Int(6), Data::Int(1), Data::Int(2)]
    );
    // an error of the future is a Lua error at the call, catchable by pcall
    let h = p.execute("fail('no route to host')").unwrap();
    match h.join() {
        Err(TaskError::Lua { message, traceback }) => {
            assert_eq!(message, "execute:1: no route to host");
            assert!(traceback.contains("stack traceback:"), "{traceback}");
        }
        other => panic!("{other:?}"),
    }
    let h = p
        .execute("local ok, e = pcall(fail, 'x') return ok, e")
        .unwrap();
    assert_eq!(h.join().unwrap(), vec![Data::Bool(false), Data::from("x")]);
    // a panicking future is an error too, and the worker goes on
    let h = p.execute("return pcall(explode)").unwrap();
    let v = h.join().unwrap();
    assert_eq!(v[0], Data::Bool(false));
    assert_eq!(v[1], Data::from("async host function panicked"));
    // inside a coroutine of the task, and inside a pcall
    let h = p
        .execute(
            "local co = coroutine.wrap(function(x) local y = sleep(0.01, x) coroutine.yield(y * 10) return 'end' end)
             local a = co(4)
             local ok, b = pcall(sleep, 0, 5)
             return a, co(), ok, b",
        )
        .unwrap();
    assert_eq!(
        h.join().unwrap(),
        vec![
            Data::Int(40),
            Data::from("end"),
            Data::Bool(true),
            Data::Int(5)
        ]
    );
    // where the task cannot yield, the call is refused with PUC's message
    let h = p
        .execute("local t = {2, 1} return pcall(table.sort, t, function(a, b) sleep(0) return a < b end)")
        .unwrap();
    let v = h.join().unwrap();
    assert_eq!(v[0], Data::Bool(false));
    assert_eq!(
        v[1].as_str().as_deref(),
        Some("execute:1: attempt to yield across a C-call boundary")
    );
    assert_eq!(
        p.execute("return 1").unwrap().join().unwrap(),
        vec![Data::Int(1)]
    );
}

#[test]
fn cancel_and_timeout_while_awaiting() {
    for workers in [1, 2] {
        let log = Log::default();
        let p = pool(workers, &log);
        let h = p.execute("sleep(30, 1) return 'woke'").unwrap();
        let start = Instant::now();
        while log.lock().unwrap().is_empty() {
            assert!(start.elapsed() < Duration::from_secs(30), "never called");
            std::thread::yield_now();
        }
        assert_eq!(h.status(), TaskStatus::Running);
        assert!(h.cancel());
        assert_eq!(h.join(), Err(TaskError::Cancelled));
        let h = p
            .submit(Job::code("sleep(30, 2) return 'woke'").timeout(Duration::from_millis(50)))
            .unwrap();
        assert_eq!(h.join(), Err(TaskError::TimedOut));
        // the abandoned calls never end; the workers go on
        assert_eq!(
            p.execute("return sleep(0.01, 3)").unwrap().join().unwrap(),
            vec![Data::Int(3)]
        );
        assert!(!log.lock().unwrap().contains(&("end", 1)));
        assert!(start.elapsed() < Duration::from_secs(10));
        let m = p.metrics();
        assert_eq!((m.running, m.queued), (0, 0));
    }
}

#[test]
fn a_busy_worker_still_fires_timers() {
    // one worker: a task sleeps while a stream of short tasks keeps the worker busy for
    // much longer; the worker turns its runtime's driver between tasks
    let log = Log::default();
    let p = pool(1, &log);
    let sleeper = p.execute("return sleep(0.02, 1)").unwrap();
    let busy: Vec<_> = (0..200)
        .map(|_| {
            p.execute("local t = os.clock() while os.clock() - t < 0.002 do end return 'busy'")
                .unwrap()
        })
        .collect();
    assert_eq!(sleeper.join().unwrap(), vec![Data::Int(1)]);
    let done = busy.iter().filter(|h| h.try_outcome().is_some()).count();
    assert!(
        done < busy.len(),
        "the sleeper waited for all {done} busy tasks"
    );
    for h in busy {
        assert_eq!(h.join().unwrap(), vec![Data::from("busy")]);
    }
}

#[test]
fn from_lua_with_workers_map() {
    for workers in [1, 2] {
        let log = Log::default();
        let p = pool(workers, &log);
        let mut vm = LuaVM::new(SafeOption::default());
        vm.open_stdlib(Stdlib::All).unwrap();
        vm.open_workers_with(p.clone());
        let start = Instant::now();
        let r = vm
            .execute_string(
                "local r = workers.map(function(x) return sleep(0.05, x) * 2 end, {1, 2, 3, 4, 5, 6, 7, 8})
                 return table.concat(r, ' ')",
            )
            .unwrap();
        let took = start.elapsed();
        assert_eq!(format!("{r:?}"), r#"["2 4 6 8 10 12 14 16"]"#);
        assert!(overlapped(&log, 8), "{workers} workers: {:?}", log.lock());
        assert!(
            took < Duration::from_millis(300),
            "{workers} workers: {took:?}"
        );
        // an error of an async call is the map's error
        let e = vm
            .execute_string("return workers.map(function(x) return fail('bad ' .. x) end, {7})")
            .unwrap_err();
        assert!(e.message().ends_with("bad 7"), "{}", e.message());
        // a task that cannot yield to its worker (inside a coroutine of its own) blocks
        // on a child that sleeps: the blocked worker still drives the child's future
        let r = vm
            .execute_string(
                "return workers.spawn(function()
                   return coroutine.wrap(function()
                     return workers.spawn(function() return sleep(0.01, 5) end):join()
                   end)()
                 end):join()",
            )
            .unwrap();
        assert_eq!(format!("{r:?}"), "[5]");
        // nested: a task maps over tasks that sleep
        let r = vm
            .execute_string(
                "return workers.spawn(function()
                   return table.concat(workers.map(function(x) return sleep(0.01, x) end, {1, 2, 3}), ',')
                 end):join()",
            )
            .unwrap();
        assert_eq!(format!("{r:?}"), r#"["1,2,3"]"#);
    }
}
