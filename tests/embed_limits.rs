//! Limits: instruction budget, interrupts from another thread, call depth, memory.
//! Each ends with a clear error that `pcall` cannot catch (budget, interrupt) and the VM
//! runs the next script.
//!
//! The budget, interrupt and memory checks need the interpreter loop's hooks
//! (`State::hook_count` / `hook_call`, see `vm/src/limits.rs`); until the loop calls
//! them, the tests that need them detect it and return early.

use std::time::{Duration, Instant};

use luavm::prelude::*;

fn vm(opts: SafeOption) -> LuaVM {
    let mut vm = LuaVM::new(opts);
    vm.open_stdlib(Stdlib::All).unwrap();
    vm
}

/// The loop calls the limit hooks (a small budget stops a finite loop); fails otherwise.
fn hooks_wired() -> bool {
    let mut vm = vm(SafeOption {
        instruction_limit: Some(100),
        ..SafeOption::default()
    });
    let wired = vm.execute_string("for i = 1, 100000 do end").is_err();
    assert!(wired, "the interpreter loop must call the limit hooks");
    wired
}

fn dbg(v: &[LuaValue]) -> String {
    format!("{v:?}")
}

#[test]
fn runaway_loop_under_a_budget() {
    if !hooks_wired() {
        return;
    }
    let mut vm = vm(SafeOption {
        instruction_limit: Some(1_000_000),
        ..SafeOption::default()
    });
    for src in [
        "while true do end",
        "repeat local x = 1 until false",
        "for i = 1, math.huge do end",
        "for k in function() return 1 end do end",
        "::top:: goto top",
        "local function f() return f() end f()",
    ] {
        let t0 = Instant::now();
        let e = vm.execute_string(src).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InstructionLimit, "{src}: {e:?}");
        assert!(
            e.message().ends_with("instruction limit exceeded"),
            "{}",
            e.message()
        );
        assert!(t0.elapsed() < Duration::from_secs(10), "{src}");
        // the next script runs with a fresh budget
        assert_eq!(
            dbg(&vm
                .execute_string("local s = 0 for i = 1, 1000 do s = s + i end return s")
                .unwrap()),
            "[500500]"
        );
    }
    // pcall, error handlers and coroutines cannot catch it
    for src in [
        "pcall(function() while true do end end) while true do end",
        "local ok = pcall(function() while true do end end) return 'caught'",
        "xpcall(function() while true do end end, function(m) return m end) return 'caught'",
        "local co = coroutine.create(function() while true do end end) coroutine.resume(co) return 'caught'",
        "local f = coroutine.wrap(function() while true do end end) pcall(f) return 'caught'",
    ] {
        let e = vm.execute_string(src).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InstructionLimit, "{src}: {e:?}");
    }
    // host functions see it as an error they cannot swallow either
    vm.register_with("run", |lua: &mut Lua, src: String| {
        let r = lua.execute_string(src);
        Ok::<_, Error>(r.is_err())
    })
    .unwrap();
    let e = vm
        .execute_string("run('while true do end') while true do end")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InstructionLimit);
    // a budget large enough lets a real computation finish
    let r = vm
        .execute_string("local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end return fib(20)")
        .unwrap();
    assert_eq!(dbg(&r), "[6765]");
    // the limit can change
    vm.set_instruction_limit(None);
    assert!(vm.execute_string("for i = 1, 3000000 do end").is_ok());
}

#[test]
fn budget_applies_to_execute_async() {
    if !hooks_wired() {
        return;
    }
    let mut vm = vm(SafeOption {
        instruction_limit: Some(100_000),
        ..SafeOption::default()
    });
    vm.register_async("nop", |a| async move { Ok(a) }).unwrap();
    let e = luavm::block_on(vm.execute_async("nop() while true do end")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InstructionLimit);
    let r = luavm::block_on(vm.execute_async("return nop(5)")).unwrap();
    assert_eq!(dbg(&r), "[5]");
}

#[test]
fn interrupt_from_another_thread() {
    if !hooks_wired() {
        return;
    }
    let mut vm = vm(SafeOption::default());
    let h = vm.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        h.interrupt();
    });
    let t0 = Instant::now();
    let e = vm
        .execute_string("local n = 0 while true do n = n + 1 pcall(function() end) end")
        .unwrap_err();
    t.join().unwrap();
    assert_eq!(e.kind(), ErrorKind::Interrupted);
    assert!(e.message().ends_with("interrupted"), "{}", e.message());
    assert!(t0.elapsed() < Duration::from_secs(10));
    // usable afterwards; an interrupt made while idle is forgotten
    vm.interrupt_handle().interrupt();
    assert_eq!(
        dbg(&vm
            .execute_string("for i = 1, 100000 do end return 1")
            .unwrap()),
        "[1]"
    );
}

#[test]
fn memory_bomb_under_a_memory_limit() {
    if !hooks_wired() {
        return;
    }
    let mut vm = vm(SafeOption {
        memory_limit: Some(16 << 20),
        ..SafeOption::default()
    });
    for src in [
        "local t = {} for i = 1, 1e9 do t[i] = {i} end",
        "local s = 'x' while true do s = s .. s end",
        "local t = {} local i = 0 while true do i = i + 1 t[i] = tostring(i) .. 'padding' end",
    ] {
        let e = vm.execute_string(src).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Memory, "{src}: {e:?}");
        assert_eq!(e.message(), "not enough memory");
        let r = vm
            .execute_string("local t = {} for i = 1, 1000 do t[i] = i end return #t")
            .unwrap();
        assert_eq!(dbg(&r), "[1000]");
    }
    // catchable, as in PUC Lua
    let r = vm
        .execute_string("local ok, m = pcall(function() local t = {} for i = 1, 1e9 do t[i] = {} end end) return ok, m")
        .unwrap();
    assert_eq!(dbg(&r), r#"[false, "not enough memory"]"#);
    vm.collect_garbage().unwrap();
    assert!(vm.memory_used() < 16 << 20, "{}", vm.memory_used());
}

#[test]
fn call_depth_limit() {
    let mut vm = vm(SafeOption {
        max_call_depth: Some(100),
        ..SafeOption::default()
    });
    if !hooks_wired() {
        return;
    }
    let e = vm
        .execute_string("local function f(n) return 1 + f(n + 1) end f(1)")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Runtime);
    assert!(e.message().contains("stack overflow"), "{}", e.message());
    let r = vm
        .execute_string("local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(50), pcall(f, 1000)")
        .unwrap();
    assert_eq!(r[0].as_integer(), Some(50));
    assert_eq!(r[1].as_boolean(), Some(false));
}

#[test]
fn sandbox_options() {
    let mut vm = vm(SafeOption::sandbox());
    let r = vm
        .execute_string("return io, os, debug, require, load ~= nil")
        .unwrap();
    assert_eq!(dbg(&r), "[nil, nil, nil, nil, true]");
    if hooks_wired() {
        let e = vm.execute_string("while true do end").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InstructionLimit);
    }
}

/// `SafeOption::gc_mode`: the collector starts in the mode asked for (incremental by
/// default, as Lua 5.3), and Lua code can still switch.
#[test]
fn the_collector_mode_is_an_option() {
    let mode_of = |opts: SafeOption| {
        let mut vm = LuaVM::new(opts);
        vm.open_stdlib(Stdlib::All).unwrap();
        // switching returns the mode it leaves (5.4's `collectgarbage`)
        let r = vm
            .execute_string(
                "local t = {} for i = 1, 1e5 do t[i % 100 + 1] = {i} end
                 return collectgarbage('incremental')",
            )
            .unwrap();
        r[0].as_str().unwrap().to_string()
    };
    assert_eq!(mode_of(SafeOption::default()), "incremental");
    let generational = SafeOption {
        gc_mode: GcMode::Generational,
        ..SafeOption::default()
    };
    assert_eq!(mode_of(generational), "generational");
}
