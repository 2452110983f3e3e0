//! Short Lua programs through the whole VM (compiler, interpreter, collector, standard
//! library), small enough to run under Miri, which checks the `unsafe` code they reach
//! for undefined behaviour: the collector's boxes and sweep, the tables' hash nodes and
//! array part, strings, `Value::load`, the interpreter's unchecked register and
//! constant accesses, calls, returns, coroutines, upvalues, hooks and limits.
//!
//! `cargo +nightly miri test --test miri_vm` (docs/ARCHITECTURE.md, "Tests and
//! benchmarks"); under plain `cargo test` they are ordinary tests of the same programs.
//! Every program checks its own results (`assert`) and returns "ok"; the collector runs
//! in both modes, with full collections and steps, weak tables and finalizers.

use luavm::prelude::*;
use luavm::{UserData, UserDataMethods};
use luavm_vm::State;

mod common;
use common::run;

fn new_state() -> State {
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    s
}

/// Run `code` in a fresh state and check that it returned "ok".
fn ok(code: &str) {
    let mut s = new_state();
    assert_eq!(run(&mut s, code), Ok(vec!["ok".to_string()]));
}

/// Run `code` in a fresh state in each collector mode (incremental, generational).
fn ok_in_both_modes(code: &str) {
    for mode in ["incremental", "generational"] {
        let mut s = new_state();
        run(&mut s, &format!("collectgarbage('{mode}')")).unwrap();
        assert_eq!(
            run(&mut s, code),
            Ok(vec!["ok".to_string()]),
            "in {mode} mode"
        );
    }
}

/// Keys of every type in one table, through rehashes (array and hash part), `next`,
/// removal and re-insertion; `table.insert`/`remove` (the array memmove), `sort`,
/// `concat`, `#`.
#[test]
fn tables_with_every_key_type() {
    ok(r#"
        local t = {}
        local long = string.rep("k", 50)
        local f = function() end
        local co = coroutine.create(f)
        local keys = {1, 2, 3, -1, 0, 2^53, 1.5, -0.25, 1e300, "a", "short", long,
                      true, false, t, f, print, co, io.stdout, math.huge, -math.huge}
        for i, k in ipairs(keys) do t[k] = i end
        for i = 1, 40 do t[i * 1024 + 7] = i; t[i] = i end   -- grows both parts
        for i, k in ipairs(keys) do
          if k ~= 1 and k ~= 2 and k ~= 3 then assert(t[k] == i, tostring(k)) end
        end
        assert(t[2.0] == 2 and t[long .. ""] == 12 and t[string.rep("k", 50)] == 12)
        local n = 0
        for k, v in pairs(t) do n = n + 1; assert(t[k] == v) end
        assert(n == 40 + 40 + #keys - 3)
        for k in pairs(t) do if type(k) ~= "number" then t[k] = nil end end
        for i, k in ipairs(keys) do t[k] = i end
        assert(t[long] == 12 and t[co] == 18 and t[print] == 17)
        assert(select('#', pcall(function() t[0/0] = 1 end)) == 2)
        assert(not pcall(function() t[nil] = 1 end))
        local a = {}
        for i = 1, 20 do table.insert(a, i) end
        table.insert(a, 1, 0)
        assert(table.remove(a, 1) == 0 and table.remove(a) == 20 and #a == 19)
        table.sort(a, function(x, y) return x > y end)
        assert(a[1] == 19 and a[19] == 1)
        assert(table.concat({1, "x", 2.5}, ",") == "1,x,2.5")
        local u = table.pack(table.unpack({1, nil, 3}, 1, 3))
        assert(u.n == 3 and u[3] == 3)
        local m = table.move({1, 2, 3}, 1, 3, 2, {})
        assert(m[2] == 1 and m[4] == 3)
        return "ok"
    "#);
}

/// Short (interned) and long strings: concatenation, patterns, formatting, `rep`,
/// comparison, conversion, `string.pack`, strings as keys.
#[test]
fn strings_short_and_long() {
    ok(r#"
        local s = "hello"
        local l = string.rep("ab", 30)
        assert(#l == 60 and l:sub(59) == "ab" and l:upper():sub(1, 2) == "AB")
        assert(s .. " " .. "world" == "hello world")
        assert(("x"):rep(41) == string.rep("x", 41))
        assert(string.format("%d %5.2f %s %q", 3, 1.5, l:sub(1, 3), "a\n") ==
               '3  1.50 aba "a\\\n"')
        assert(("key=val, k2=v2"):gsub("(%w+)=(%w+)", "%2=%1") == "val=key, v2=k2")
        assert(("abc"):find("b", 1, true) == 2 and ("a1b2"):match("%d") == "1")
        local parts = {}
        for w in ("one two three"):gmatch("%a+") do parts[#parts + 1] = w end
        assert(#parts == 3 and parts[3] == "three")
        assert(tostring(12) .. "" == "12" and tonumber("0x10") == 16 and "10" + 1 == 11)
        assert("a" < "b" and l < s and l == string.rep("a", 1) .. l:sub(2))
        assert(string.unpack("<i4", string.pack("<i4", -7)) == -7)
        assert(utf8.char(228, 8364) == "ä€" and utf8.len("ä€") == 2)
        local t = {[l] = 1, [s] = 2}
        assert(t[string.rep("ab", 30)] == 1 and t["hel" .. "lo"] == 2)
        assert(("%s"):format(l) == l and #(l .. l .. l) == 180)
        return "ok"
    "#);
}

/// Closures and upvalues (open, closed, shared, joined), varargs, tail calls,
/// recursion, errors through `pcall`, metamethods of every kind the loop calls.
#[test]
fn closures_upvalues_and_metamethods() {
    ok(r#"
        local function counter()
          local n = 0
          return function() n = n + 1; return n end, function() return n end
        end
        local inc, get = counter()
        inc(); inc()
        assert(get() == 2)
        local fs = {}
        for i = 1, 5 do fs[i] = function() return i end end
        assert(fs[1]() == 1 and fs[5]() == 5)
        local a, b = 1, 2
        local fa = function() return a end
        local fb = function() return b end
        debug.upvaluejoin(fa, 1, fb, 1)
        assert(fa() == 2)
        debug.setupvalue(fb, 1, 7)
        assert(fa() == 7 and b == 7)
        -- joining an upvalue of the running closure, then reading it
        local ux, uy = "x", "y"
        local self_join
        self_join = function()
          local before = ux
          debug.upvaluejoin(self_join, 1, function() return uy end, 1)
          return before .. ux
        end
        assert(self_join() == "xy")
        -- open upvalues while the stack is reallocated under them
        local v = 1
        local getv, setv = function() return v end, function(x) v = x end
        local function grow(n)
          local a, b, c, d, e, f, g, h = 1, 2, 3, 4, 5, 6, 7, 8
          if n == 0 then setv(getv() + 1) return 0 end
          return grow(n - 1) + a
        end
        assert(grow(150) == 150 and v == 2 and getv() == 2)
        local function sum(...)
          local s = 0
          for i = 1, select('#', ...) do s = s + (select(i, ...)) end
          return s
        end
        assert(sum(1, 2, 3, 4.5) == 10.5)
        local function loop(n, acc) if n == 0 then return acc end return loop(n - 1, acc + n) end
        assert(loop(200, 0) == 20100)
        local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
        assert(fib(12) == 144)
        local ok, e = pcall(function() local x = nil; return x.y end)
        assert(not ok and e:find("attempt to index a nil value"))
        ok, e = pcall(error, {code = 1})
        assert(not ok and e.code == 1)
        local V = {}
        V.__index = function(t, k) return k .. "!" end
        V.__newindex = function(t, k, v) rawset(t, k, v * 2) end
        V.__add = function(x, y) return 100 end
        V.__eq = function() return true end
        V.__lt = function() return true end
        V.__le = function() return false end
        V.__concat = function() return "cat" end
        V.__len = function() return 42 end
        V.__call = function(self, x) return x + 1 end
        V.__unm = function() return -1 end
        local x, y = setmetatable({}, V), setmetatable({}, V)
        assert(x.foo == "foo!")
        x.n = 4; assert(rawget(x, "n") == 8)
        assert(x + 1 == 100 and x == y and x < y and not (x <= y))
        assert(x .. "s" == "cat" and #x == 42 and x(1) == 2 and -x == -1)
        local chain = setmetatable({}, {__index = setmetatable({}, {__index = {deep = 1}})})
        assert(chain.deep == 1)
        local obj = {v = 3}
        function obj:get() return self.v end
        assert(obj:get() == 3 and ("abc"):len() == 3)
        -- (Miri gives `pow` a random error of a few ulps, as its documentation allows)
        assert(math.abs(2^10 - 1024) < 1e-9)
        assert(3 // 2 == 1 and 3.0 / 2 == 1.5 and 7 % 3 == 1
               and 5 & 3 == 1 and 1 << 4 == 16 and math.type(3 // 1.0) == "float")
        local acc = 0
        for i = 10, 1, -3 do acc = acc + i end
        for i = 0.5, 2 do acc = acc + i end
        assert(acc == 22 + 2)
        return "ok"
    "#);
}

/// Coroutines: generators, yields across `pcall` and metamethods and iterators, errors,
/// nesting, wrapped coroutines, status, and collected dead coroutines.
#[test]
fn coroutines() {
    ok_in_both_modes(
        r#"
        local gen = coroutine.wrap(function(n)
          for i = 1, n do coroutine.yield(i) end
          return "done"
        end)
        assert(gen(3) == 1 and gen() == 2 and gen() == 3 and gen() == "done")
        local co = coroutine.create(function(a, b)
          local c = coroutine.yield(a + b)
          local ok, d = pcall(function() return coroutine.yield(c * 2) end)
          assert(ok)
          local t = setmetatable({}, {__index = function(_, k) return coroutine.yield(k) end})
          return t.key, d
        end)
        assert(select(2, coroutine.resume(co, 1, 2)) == 3)
        assert(select(2, coroutine.resume(co, 10)) == 20)
        assert(select(2, coroutine.resume(co, "d")) == "key")
        local _, k, d = coroutine.resume(co, "v")
        assert(k == "v" and d == "d" and coroutine.status(co) == "dead")
        local bad = coroutine.create(function() error("boom") end)
        local ok, e = coroutine.resume(bad)
        assert(not ok and e:find("boom"))
        local outer = coroutine.wrap(function()
          local inner = coroutine.wrap(function() coroutine.yield(1); coroutine.yield(2) end)
          coroutine.yield(inner() + inner())
        end)
        assert(outer() == 3)
        local function iter() return coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end) end
        local s = 0
        for i in iter() do s = s + i end
        assert(s == 6)
        assert(coroutine.isyieldable() == false and coroutine.running())
        -- a suspended coroutine's open upvalues, read and written from outside while
        -- the collector traces its stack and the running stack grows
        local getter
        local holder = coroutine.create(function()
          local hidden = 1
          getter = function() return hidden end
          coroutine.yield(function(x) hidden = x end)
          return hidden
        end)
        local _, setter = coroutine.resume(holder)
        setter(9)
        collectgarbage()
        local function grow(n) local a, b, c, d, e, f = 1, 2, 3, 4, 5, 6
          if n == 0 then return getter() end return grow(n - 1) end
        assert(grow(100) == 9)
        assert(select(2, coroutine.resume(holder)) == 9 and getter() == 9)
        for i = 1, 20 do coroutine.wrap(function() coroutine.yield() end)() end
        collectgarbage()
        return "ok"
    "#,
    );
}

/// The collector: weak values, weak keys (ephemerons), both; finalizers (order,
/// resurrection, errors); `collectgarbage` options; steps; in both modes.
#[test]
fn gc_weak_tables_and_finalizers() {
    ok_in_both_modes(
        r#"
        local wv = setmetatable({}, {__mode = "v"})
        local wk = setmetatable({}, {__mode = "k"})
        local wkv = setmetatable({}, {__mode = "kv"})
        local keep = {}
        wv[1] = {}; wv[2] = keep; wv[3] = "str"; wv[4] = 5
        wk[{}] = 1; wk[keep] = {}
        local e = {}
        wk[e] = {e}                               -- an ephemeron: e only through its value
        e = nil
        wkv[{}] = {}; wkv[1] = keep
        collectgarbage()
        assert(wv[1] == nil and wv[2] == keep and wv[3] == "str" and wv[4] == 5)
        local n = 0
        for k in pairs(wk) do n = n + 1; assert(k == keep) end
        assert(n == 1)
        assert(next(wkv) == 1 and wkv[1] == keep)
        local order = {}
        for i = 1, 3 do
          setmetatable({}, {__gc = function() order[#order + 1] = i end})
        end
        collectgarbage()
        assert(#order == 3 and order[1] == 3 and order[3] == 1)
        local saved
        setmetatable({name = "r"}, {__gc = function(o) saved = o end})
        collectgarbage()
        assert(saved and saved.name == "r")
        saved = nil
        collectgarbage()
        setmetatable({}, {__gc = function() error("in gc") end})
        local ok, err = pcall(collectgarbage)
        assert(not ok and err:find("error in __gc metamethod"))
        assert(type(collectgarbage("count")) == "number")
        collectgarbage("stop")
        assert(not collectgarbage("isrunning"))
        collectgarbage("restart")
        collectgarbage("setpause", 100); collectgarbage("setstepmul", 400)
        local garbage = 0
        for i = 1, 200 do local t = {i, tostring(i) .. "x"}; garbage = garbage + #t end
        for i = 1, 20 do assert(type(collectgarbage("step", 0)) == "boolean") end
        assert(collectgarbage("step", 1 << 20))   -- a whole cycle
        return "ok"
    "#,
    );
}

/// Programs under the stress modes: a full collection at every safe point, and a small
/// step (a minor collection in generational mode) at every safe point with the barrier
/// check.
#[test]
fn gc_stress_modes() {
    let code = r#"
        local t, weak = {}, setmetatable({}, {__mode = "v"})
        for i = 1, 6 do
          t[i] = {tostring(i) .. "s", function() return i end}
          weak[i] = {}
          t["k" .. i] = t[i]
        end
        local s = ""
        for i = 1, 6 do s = s .. t[i][1] .. t["k" .. i][2]() end
        assert(s == "1s12s23s34s45s56s6")
        local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield({i}) end end)
        assert(co()[1] == 1 and co()[1] == 2)
        return "ok"
    "#;
    for mode in [luavm_gc::Mode::Incremental, luavm_gc::Mode::Generational] {
        let mut s = new_state();
        s.set_gc_mode(mode);
        s.set_gc_stress(true);
        assert_eq!(run(&mut s, code), Ok(vec!["ok".to_string()]), "{mode:?}");
        s.set_gc_stress(false);
        s.set_gc_stress_steps(true);
        assert_eq!(run(&mut s, code), Ok(vec!["ok".to_string()]), "{mode:?}");
        assert_eq!(s.gc_violations(), 0);
    }
}

/// The hooked and limited instantiations of the loop: `debug.sethook` with line, call and
/// count events, and an instruction budget.
#[test]
fn hooks_and_limits() {
    ok(r#"
        local lines, calls = 0, 0
        debug.sethook(function(ev)
          if ev == "line" then lines = lines + 1 else calls = calls + 1 end
        end, "lc")
        local function f(x) return x + 1 end
        local y = f(1) + f(2)
        debug.sethook()
        assert(y == 5 and lines > 0 and calls > 0)
        local info = debug.getinfo(1, "Sl")
        assert(info.short_src == "test" and info.currentline > 0)
        local tb = debug.traceback("msg")
        assert(tb:find("stack traceback"))
        return "ok"
    "#);
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::All).unwrap();
    vm.set_instruction_limit(Some(5_000));
    assert!(vm.execute_string("while true do end").is_err());
    vm.set_instruction_limit(None);
    let r = vm.execute_string("return 1 + 1").unwrap();
    assert_eq!(format!("{r:?}"), "[2]");
}

/// The embedding API: host functions (plain and closures with state), userdata with
/// methods and metamethods, rooted handles kept across collections.
#[test]
fn embedding_api() {
    struct Counter(i64);
    impl UserData for Counter {
        fn add_methods(m: &mut UserDataMethods<Self>) {
            m.add_method_mut("bump", |_, this, by: i64| {
                this.0 += by;
                this.0
            });
        }
    }

    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::All).unwrap();
    vm.register("add", |a: i64, b: i64| a + b).unwrap();
    let calls = std::cell::Cell::new(0);
    vm.register("count", move || {
        calls.set(calls.get() + 1);
        calls.get()
    })
    .unwrap();
    let c = vm.create_userdata(Counter(10)).unwrap();
    vm.set_global("c", c).unwrap();
    let r = vm.execute_string("return {x = 'kept'}").unwrap();
    let t = r[0].as_table().unwrap().clone();
    drop(r);
    vm.execute_string("collectgarbage(); collectgarbage()")
        .unwrap();
    let r = vm
        .execute_string("count(); return add(2, 3), count(), c:bump(5), ('y'):rep(3)")
        .unwrap();
    assert_eq!(format!("{r:?}"), r#"[5, 2, 15, "yyy"]"#);
    let x: String = t.get(&mut vm, "x").unwrap();
    assert_eq!(x, "kept");
}
