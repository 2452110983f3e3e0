//! Async host functions and `execute_async`: suspension as a coroutine yield, nested
//! coroutines, errors, tokio `current_thread` and `LocalSet`, cancellation.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use luavm::prelude::*;

fn vm() -> LuaVM {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::All).unwrap();
    vm.register_async("sleep", |args| async move {
        let secs = args.first().and_then(|a| a.as_number()).unwrap_or(0.0);
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
        Ok(vec![AsyncReturnValue::boolean(true)])
    })
    .unwrap();
    vm.register_async("echo", |args| async move {
        tokio::task::yield_now().await;
        Ok(args)
    })
    .unwrap();
    vm.register_async("fail_async", |args| async move {
        tokio::task::yield_now().await;
        Err(Error::runtime(
            args.first()
                .and_then(|a| a.as_str())
                .unwrap_or("failed")
                .to_string(),
        ))
    })
    .unwrap();
    vm
}

fn dbg(v: &[LuaValue]) -> String {
    format!("{v:?}")
}

#[tokio::test(flavor = "current_thread")]
async fn execute_async_returns_results() {
    let mut vm = vm();
    let r = vm
        .execute_async("local ok = sleep(0.001); return ok, echo(1, 'two', nil, {})")
        .await
        .unwrap();
    let s = dbg(&r);
    assert!(s.starts_with(r#"[true, 1, "two", nil, table: 0x"#), "{s}");
    // plain code works too, and so does execute_string afterwards
    assert_eq!(dbg(&vm.execute_async("return 1 + 1").await.unwrap()), "[2]");
    assert_eq!(dbg(&vm.execute_string("return 3").unwrap()), "[3]");
}

#[tokio::test(flavor = "current_thread")]
async fn async_calls_inside_lua_coroutines_and_pcall() {
    let mut vm = vm();
    let src = r#"
        local out = {}
        local co = coroutine.create(function(a)
            local x = echo(a * 2)          -- suspends the whole chain
            local y = coroutine.yield(x)   -- an ordinary yield to the resumer
            return echo(y + 1)
        end)
        local ok1, v1 = coroutine.resume(co, 5)
        local ok2, v2 = coroutine.resume(co, 100)
        out[#out + 1] = tostring(ok1) .. v1 .. tostring(ok2) .. v2
        local gen = coroutine.wrap(function()
            for i = 1, 3 do coroutine.yield(echo(i)) end
        end)
        local s = 0
        for v in gen do s = s + v end
        out[#out + 1] = s
        local ok, err = pcall(fail_async, 'bad')
        out[#out + 1] = tostring(ok) .. ':' .. err
        local ok3, v3 = pcall(function() return echo('in pcall') end)
        out[#out + 1] = v3
        -- nested coroutines, each suspending
        local outer = coroutine.wrap(function()
            local inner = coroutine.wrap(function() return echo('deep') end)
            return inner() .. echo('!')
        end)
        out[#out + 1] = outer()
        return table.unpack(out)
    "#;
    let r = vm.execute_async(src).await.unwrap();
    assert_eq!(
        dbg(&r),
        // pcall calls fail_async directly: no Lua caller, so no position (as PUC)
        r#"["true10true101", 6, "false:bad", "in pcall", "deep!"]"#
    );
}

#[tokio::test(flavor = "current_thread")]
async fn async_errors() {
    let mut vm = vm();
    let e = vm.execute_async("fail_async('nope')").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    assert_eq!(e.message(), r#"[string "fail_async('nope')"]:1: nope"#);
    assert!(
        e.traceback().unwrap().contains("in main chunk"),
        "{:?}",
        e.traceback()
    );
    let e = vm.execute_async("error({1})").await.unwrap_err();
    assert_eq!(e.message(), "(error object is a table value)");
    assert!(e.value().as_table().is_some());
    // an async function outside execute_async
    let e = vm.execute_string("sleep(0)").unwrap_err();
    assert!(
        e.message()
            .ends_with("attempt to call an async function outside execute_async"),
        "{}",
        e.message()
    );
    // where the coroutine cannot yield (a sort comparator is called from Rust)
    let e = vm
        .execute_async("table.sort({3, 2, 1}, function(a, b) echo() return a < b end)")
        .await
        .unwrap_err();
    assert!(
        e.message()
            .contains("attempt to yield across a C-call boundary"),
        "{}",
        e.message()
    );
    // a top-level yield has no one to go to
    let e = vm.execute_async("coroutine.yield(1)").await.unwrap_err();
    assert_eq!(e.message(), "attempt to yield from outside a coroutine");
    // a syntax error
    let e = vm.execute_async("return +").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    // the VM is fine afterwards
    assert_eq!(
        dbg(&vm.execute_async("return echo(7)").await.unwrap()),
        "[7]"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn call_async_with_arguments() {
    let mut vm = vm();
    let f = vm
        .load("local a, b = ...; sleep(0); return echo(a + b)", "=f")
        .unwrap();
    let n: i64 = vm.call_async(&f, (2, 3)).await.unwrap();
    assert_eq!(n, 5);
    let e = vm.call_async::<_, i64>(&f, ("x", 1)).await.unwrap_err();
    assert!(
        e.message().contains("attempt to perform arithmetic"),
        "{}",
        e.message()
    );
}

#[test]
fn block_on_without_a_runtime() {
    let mut vm = LuaVM::new(SafeOption::default());
    let calls = Rc::new(Cell::new(0));
    let c = calls.clone();
    vm.register_async("ready", move |args| {
        c.set(c.get() + 1);
        async move { Ok(args) }
    })
    .unwrap();
    let r =
        luavm::block_on(vm.execute_async("local a = ready(1); local b = ready(2); return a + b"))
            .unwrap();
    assert_eq!(dbg(&r), "[3]");
    assert_eq!(calls.get(), 2);
}

#[test]
fn localset_spawn_local_runs_vms_concurrently() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    let order = Rc::new(std::cell::RefCell::new(Vec::new()));
    local.block_on(&rt, async {
        let mut handles = Vec::new();
        for (i, delay) in [(0, 0.05), (1, 0.01)] {
            let order = order.clone();
            let mut vm = vm();
            vm.register("mark", move |s: String| order.borrow_mut().push(s))
                .unwrap();
            handles.push(tokio::task::spawn_local(async move {
                vm.execute_async(format!(
                    "mark('start{i}'); sleep({delay}); mark('end{i}'); return {i}"
                ))
                .await
            }));
        }
        for (i, h) in handles.into_iter().enumerate() {
            let r = h.await.unwrap().unwrap();
            assert_eq!(r[0].as_integer(), Some(i as i64));
        }
    });
    // while VM 0 slept, VM 1 ran to its end
    assert_eq!(*order.borrow(), vec!["start0", "start1", "end1", "end0"]);
}

#[tokio::test(flavor = "current_thread")]
async fn dropping_the_future_leaves_the_vm_usable() {
    let mut vm = vm();
    let r = tokio::time::timeout(Duration::from_millis(20), vm.execute_async("sleep(10)")).await;
    assert!(r.is_err(), "timed out");
    assert_eq!(
        dbg(&vm.execute_async("return echo('again')").await.unwrap()),
        r#"["again"]"#
    );
    assert_eq!(dbg(&vm.execute_string("return 1").unwrap()), "[1]");
}

#[tokio::test(flavor = "current_thread")]
async fn interrupt_during_an_await() {
    let mut vm = vm();
    let h = vm.interrupt_handle();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        h.interrupt();
    });
    let t0 = std::time::Instant::now();
    let e = vm.execute_async("sleep(30)").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Interrupted);
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert_eq!(
        dbg(&vm.execute_async("return echo(1)").await.unwrap()),
        "[1]"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn values_held_across_awaits_survive_collections() {
    let mut vm = vm();
    vm.register_async("keep", |args| async move {
        tokio::task::yield_now().await;
        Ok(args)
    })
    .unwrap();
    let r = vm
        .execute_async(
            "local t = keep({name = 'x'}, 'str')
             for i = 1, 50000 do local _ = {i} end
             collectgarbage()
             local again = keep(t)
             collectgarbage()
             return again.name",
        )
        .await
        .unwrap();
    assert_eq!(dbg(&r), r#"["x"]"#);
}
