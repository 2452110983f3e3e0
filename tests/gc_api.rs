//! The collector through the Rust API: memory limit, stress mode, finalizers at close,
//! userdata finalizers, memory accounting.

use std::cell::Cell;

use luavm_vm::{LuaResult, State, Value};

mod common;
use common::run;

fn new_state() -> State {
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    s
}

#[test]
fn memory_limit_gives_a_catchable_error_and_the_vm_stays_usable() {
    let mut s = new_state();
    run(&mut s, "collectgarbage()").unwrap();
    let limit = s.memory_used() + (8 << 20);
    s.set_memory_limit(Some(limit));
    assert_eq!(s.memory_limit(), Some(limit));

    // one big allocation
    let r = run(&mut s, "return pcall(string.rep, 'x', 64 << 20)").unwrap();
    assert_eq!(r, ["false", "not enough memory"]);

    // a concatenation whose result would pass the limit fails before it is built
    let r = run(
        &mut s,
        "local big = string.rep('x', 1 << 20)
         local t = {} for i = 1, 1000 do t[i] = big end
         return pcall(table.concat, t)",
    )
    .unwrap();
    assert_eq!(r, ["false", "not enough memory"]);

    // many small ones, kept alive, until the limit is reached
    let r = run(
        &mut s,
        "local t = {}
         local ok, e = pcall(function() for i = 1, 1e8 do t[i] = 'x' .. i end end)
         local n = #t
         t = nil
         return ok, e, n > 1000",
    )
    .unwrap();
    assert_eq!(r, ["false", "not enough memory", "true"]);

    // the same memory is usable again once the garbage is gone
    let r = run(
        &mut s,
        "collectgarbage()
         local parts = {}
         for i = 1, 1000 do parts[i] = tostring(i) .. 'y' end
         return #table.concat(parts), collectgarbage('count') < 2048 + 8 * 1024",
    )
    .unwrap();
    assert_eq!(r, ["3893", "true"]);
    assert!(s.memory_used() <= limit);

    // uncaught, it reaches the host as the error value
    let e = run(&mut s, "local s = string.rep('ab', 32 << 20) return #s").unwrap_err();
    assert_eq!(e, "not enough memory");

    // no limit: the same allocation succeeds
    s.set_memory_limit(None);
    let r = run(&mut s, "return #string.rep('ab', 8 << 20)").unwrap();
    assert_eq!(r, ["16777216"]);
}

#[test]
fn memory_accounting_covers_strings_tables_closures_stacks_and_userdata() {
    let mut s = new_state();
    let grows = |s: &mut State, setup: &str, min_kb: f64| {
        run(s, "collectgarbage()").unwrap();
        let before = s.memory_used() as f64 / 1024.0;
        run(s, setup).unwrap();
        run(s, "collectgarbage()").unwrap();
        let after = s.memory_used() as f64 / 1024.0;
        assert!(
            after - before >= min_kb,
            "{setup}: grew by {} KB, expected at least {min_kb}",
            after - before
        );
        run(s, "keep = nil collectgarbage()").unwrap();
    };
    grows(&mut s, "keep = string.rep('x', 1 << 20)", 1000.0);
    grows(
        &mut s,
        "keep = {} for i = 1, 100000 do keep[i] = i end",
        1500.0,
    );
    grows(
        &mut s,
        "keep = {} for i = 1, 20000 do keep['k' .. i] = true end",
        600.0,
    );
    grows(
        &mut s,
        "keep = {} for i = 1, 10000 do local u = i keep[i] = function() return u end end",
        300.0,
    );
    grows(
        &mut s,
        "local function deep(n) if n == 0 then coroutine.yield() else return deep(n - 1) + 1 end end
         keep = coroutine.create(deep) coroutine.resume(keep, 20000)",
        300.0,
    );
    // userdata from the host
    run(&mut s, "collectgarbage()").unwrap();
    let before = s.memory_used();
    let u = s.new_userdata(Box::new([0u8; 4096]), None);
    s.set_global("keep", Value::UserData(u));
    run(&mut s, "collectgarbage()").unwrap();
    assert!(s.memory_used() >= before + 4096);
}

/// A table constructor's array part is exactly as big as its items, whether the last
/// item is a call (its count known only at run time, `SETLIST` with `B = 0`) or not, as
/// PUC's `luaH_resizearray`: no growth room (binary trees of `{ f(), f() }` nodes).
#[test]
fn constructors_size_the_array_part_exactly() {
    let mut s = new_state();
    let cost = |s: &mut State, make: &str| {
        let code = format!(
            "local function two() return 1 end
             local function make() return {make} end
             collectgarbage() collectgarbage('stop')
             local keep, c0 = {{}}, 0
             keep[1000] = true
             c0 = collectgarbage('count')
             for i = 1, 1000 do keep[i] = make() end
             local c = collectgarbage('count') - c0
             collectgarbage('restart')
             return c"
        );
        run(s, &code).unwrap()[0].parse::<f64>().unwrap()
    };
    let known = cost(&mut s, "{ 1, 2 }");
    let call_last = cost(&mut s, "{ two(), two() }");
    let three = cost(&mut s, "{ 1, 2, 3 }");
    assert_eq!(
        call_last, known,
        "a call as the last item over-sizes the array"
    );
    assert!(
        three > known,
        "the array part is counted ({three} <= {known})"
    );
}

#[test]
fn stress_mode_collects_at_every_safe_point() {
    let mut s = new_state();
    s.set_gc_stress(true);
    let cycles = s.heap.cycles;
    let r = run(
        &mut s,
        "local weak = setmetatable({}, {__mode = 'k'})
         local function counter()
           local n = 0
           return function() n = n + 1 return n end
         end
         local gen = coroutine.wrap(function()
           for i = 1, 50 do coroutine.yield({i}) end
         end)
         local total, c = 0, counter()
         for i = 1, 50 do
           local t = gen()
           weak[t] = {t}
           total = total + t[1] + c()
           local s = ('x'):rep(i) .. i
           total = total + #s
         end
         collectgarbage()
         return total, next(weak) == nil",
    )
    .unwrap();
    // sum(i) + sum(i) + sum(i + #tostring(i)) for i = 1..50
    assert_eq!(r, ["3916", "true"]);
    assert!(
        s.heap.cycles > cycles + 200,
        "{} cycles",
        s.heap.cycles - cycles
    );
}

thread_local! {
    static FINALIZED: Cell<u32> = const { Cell::new(0) };
}

fn note(_s: &mut State) -> LuaResult<usize> {
    FINALIZED.with(|c| c.set(c.get() + 1));
    Ok(0)
}

#[test]
fn pending_finalizers_run_when_the_state_is_dropped() {
    FINALIZED.with(|c| c.set(0));
    let mut s = new_state();
    s.set_global("note", Value::NativeFn(note));
    run(
        &mut s,
        "keep = {}
         for i = 1, 3 do keep[i] = setmetatable({}, {__gc = note}) end
         setmetatable({}, {__gc = function() error('ignored at close') end})",
    )
    .unwrap();
    assert_eq!(FINALIZED.with(Cell::get), 0);
    drop(s);
    assert_eq!(FINALIZED.with(Cell::get), 3);
}

#[test]
fn close_runs_finalizers_once() {
    FINALIZED.with(|c| c.set(0));
    let mut s = new_state();
    s.set_global("note", Value::NativeFn(note));
    run(&mut s, "keep = setmetatable({}, {__gc = note})").unwrap();
    s.close();
    assert_eq!(FINALIZED.with(Cell::get), 1);
    drop(s);
    assert_eq!(FINALIZED.with(Cell::get), 1);
}

#[test]
fn userdata_with_a_gc_metamethod_is_finalized() {
    let mut s = new_state();
    // a table registered first, then a host userdata: finalized newest first
    run(
        &mut s,
        "log = {}
         mt = {__gc = function(o) log[#log + 1] = type(o) end}
         setmetatable({}, mt)",
    )
    .unwrap();
    let Value::Table(mt) = s.get_global("mt") else {
        panic!("mt is a table")
    };
    let u = s.new_userdata(Box::new(7u64), Some(mt));
    assert!(u.is_to_finalize());
    run(&mut s, "collectgarbage() collectgarbage()").unwrap();
    let r = run(&mut s, "return table.concat(log, ',')").unwrap();
    assert_eq!(r, ["userdata,table"]);
}

#[test]
fn the_closure_cache_of_a_prototype_is_weak() {
    let mut s = new_state();
    let f = s.load(b"return function() return 1 end", b"=t").unwrap();
    s.set_global("f", f);
    run(&mut s, "g = f()").unwrap();
    let Value::LuaFn(g) = s.get_global("g") else {
        panic!("g is a Lua function")
    };
    // `p` stays reachable: f's prototype holds it
    let p = g.p;
    p.cache.set(Some(g));
    run(&mut s, "collectgarbage()").unwrap();
    assert!(p.cache.get().is_some());
    run(&mut s, "g = nil collectgarbage()").unwrap();
    assert!(p.cache.get().is_none());
}
