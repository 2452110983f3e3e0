//! The debug library (manual §6.10), as PUC's `ldblib.c` over the introspection in
//! `luavm_vm::debug`: `getinfo`, `getlocal`/`setlocal`, `getupvalue`/`setupvalue`,
//! `upvalueid`/`upvaluejoin`, `traceback`, raw `getmetatable`/`setmetatable`,
//! `getregistry`, `getuservalue`/`setuservalue`, `sethook`/`gethook` and `debug`.
//!
//! Functions that take an optional thread first argument shift their other arguments (and
//! the numbers in their "bad argument" messages) by one, as PUC's `getthread`. Levels and
//! indices are truncated to 32 bits as PUC's `(int)` casts do.
//!
//! Hooks are stored per thread and returned by `gethook`; the interpreter does not call
//! them yet.

use std::io::{BufRead, Write};

use luavm_vm::debug::{self, hookmask, DebugInfo, InfoTarget};
use luavm_vm::{Gc, LuaError, LuaResult, State, Table, Thread, Type, Value};

use crate::Lib;

pub const FUNCS: Lib = &[
    ("debug", debug_),
    ("getuservalue", getuservalue),
    ("gethook", gethook),
    ("getinfo", getinfo),
    ("getlocal", getlocal),
    ("getregistry", getregistry),
    ("getmetatable", getmetatable),
    ("getupvalue", getupvalue),
    ("upvaluejoin", upvaluejoin),
    ("upvalueid", upvalueid),
    ("setuservalue", setuservalue),
    ("sethook", sethook),
    ("setlocal", setlocal),
    ("setmetatable", setmetatable),
    ("setupvalue", setupvalue),
    ("traceback", traceback),
];

pub fn open(s: &mut State) {
    crate::open_lib_with(s, "debug", FUNCS, 0);
}

/// The optional thread argument: the thread (`None`: the running one) and how many
/// arguments it takes (PUC's `getthread`).
fn get_thread(s: &State) -> (Option<Gc<Thread>>, usize) {
    match s.arg(1) {
        Value::Thread(t) => (Some(t), 1),
        _ => (None, 0),
    }
}

/// An integer argument cut to C's `int`, as PUC's `(int)luaL_checkinteger`.
fn check_int(s: &mut State, n: usize) -> LuaResult<i64> {
    Ok(s.check_integer(n)? as i32 as i64)
}

fn set_field(s: &mut State, t: Gc<Table>, k: &str, v: Value) {
    s.raw_set_str(t, k, v);
}

fn set_str_field(s: &mut State, t: Gc<Table>, k: &str, v: &[u8]) {
    let v = s.str_value(v);
    s.raw_set_str(t, k, v);
}

fn getinfo(s: &mut State) -> LuaResult<usize> {
    let (th, arg) = get_thread(s);
    let options: Vec<u8> = match s.opt_string(arg + 2)? {
        Some(o) => o.as_bytes().to_vec(),
        None => b"flnStu".to_vec(),
    };
    let f = s.arg(arg + 1);
    let (target, what) = if f.is_function() {
        (InfoTarget::Function(f), &options[..])
    } else {
        let level = check_int(s, arg + 1)?;
        let Some(idx) = s.debug_level(th, level) else {
            s.push(Value::Nil); // level out of range
            return Ok(1);
        };
        match options.strip_prefix(b">") {
            // PUC's `lua_getinfo` then describes the value on top of the stack: the
            // options string itself (not a function: it reads as a C function)
            Some(rest) => (InfoTarget::Function(s.arg(arg + 2)), rest),
            None => (InfoTarget::Frame(idx), &options[..]),
        }
    };
    let Some(ar) = s.debug_info(th, target, what) else {
        return Err(s.arg_error(arg + 2, "invalid option"));
    };
    let t = s.new_table_with(0, 2);
    s.push(Value::Table(t)); // keep it rooted while it is filled
    fill_info(s, t, &options, ar);
    Ok(1)
}

/// Store the fields of `ar` that `options` asked for into `t` (PUC's `db_getinfo`).
fn fill_info(s: &mut State, t: Gc<Table>, options: &[u8], ar: DebugInfo) {
    let has = |c: u8| options.contains(&c);
    if has(b'S') {
        set_str_field(s, t, "source", &ar.source);
        set_str_field(s, t, "short_src", ar.short_src.as_bytes());
        set_field(s, t, "linedefined", Value::Int(ar.line_defined));
        set_field(s, t, "lastlinedefined", Value::Int(ar.last_line_defined));
        set_str_field(s, t, "what", ar.what.as_bytes());
    }
    if has(b'l') {
        set_field(s, t, "currentline", Value::Int(ar.current_line));
    }
    if has(b'u') {
        set_field(s, t, "nups", Value::Int(ar.nups as i64));
        set_field(s, t, "nparams", Value::Int(ar.nparams as i64));
        set_field(s, t, "isvararg", Value::Bool(ar.is_vararg));
    }
    if has(b'n') {
        if let Some(name) = &ar.name {
            set_str_field(s, t, "name", name.as_bytes());
        }
        set_str_field(s, t, "namewhat", ar.namewhat.as_bytes());
    }
    if has(b't') {
        set_field(s, t, "istailcall", Value::Bool(ar.is_tail_call));
    }
    if has(b'L') {
        if let Some(lines) = &ar.active_lines {
            let lt = s.new_table();
            set_field(s, t, "activelines", Value::Table(lt));
            for &l in lines {
                s.raw_set_int(lt, l as i64, Value::Bool(true));
            }
        }
    }
    if has(b'f') {
        set_field(s, t, "func", ar.func);
    }
}

fn push_name(s: &mut State, name: Option<Vec<u8>>) {
    match name {
        Some(n) => s.push_str(&n),
        None => s.push(Value::Nil),
    }
}

fn getlocal(s: &mut State) -> LuaResult<usize> {
    let (th, arg) = get_thread(s);
    let nvar = check_int(s, arg + 2)?;
    let f = s.arg(arg + 1);
    if f.is_function() {
        // parameters of a function that is not running: names only
        push_name(s, debug::param_name(f, nvar));
        return Ok(1);
    }
    let level = check_int(s, arg + 1)?;
    let Some(idx) = s.debug_level(th, level) else {
        return Err(s.arg_error(arg + 1, "level out of range"));
    };
    match s.get_local(th, idx, nvar) {
        Some((name, v)) => {
            s.push_str(&name);
            s.push(v);
            Ok(2)
        }
        None => {
            s.push(Value::Nil);
            Ok(1)
        }
    }
}

fn setlocal(s: &mut State) -> LuaResult<usize> {
    let (th, arg) = get_thread(s);
    let level = check_int(s, arg + 1)?;
    let nvar = check_int(s, arg + 2)?;
    let Some(idx) = s.debug_level(th, level) else {
        return Err(s.arg_error(arg + 1, "level out of range"));
    };
    let v = s.check_any(arg + 3)?;
    // as PUC's `lua_settop(L, arg+3)`: the value is the last slot of the running frame
    let top = s.arg_index(arg + 3) + 1;
    s.set_top(top);
    let name = s.set_local(th, idx, nvar, v);
    push_name(s, name);
    Ok(1)
}

fn check_function(s: &mut State, n: usize) -> LuaResult<Value> {
    let f = s.arg(n);
    if f.is_function() {
        Ok(f)
    } else {
        Err(s.arg_type_error(n, "function"))
    }
}

fn getupvalue(s: &mut State) -> LuaResult<usize> {
    let n = check_int(s, 2)?;
    let f = check_function(s, 1)?;
    match debug::get_upvalue(f, n) {
        Some((name, v)) => {
            s.push_str(&name);
            s.push(v);
            Ok(2)
        }
        None => Ok(0),
    }
}

fn setupvalue(s: &mut State) -> LuaResult<usize> {
    let v = s.check_any(3)?;
    let n = check_int(s, 2)?;
    let f = check_function(s, 1)?;
    match debug::set_upvalue(&mut s.heap, f, n, v) {
        Some(name) => {
            s.push_str(&name);
            Ok(1)
        }
        None => Ok(0),
    }
}

/// The index of an existing upvalue of the function at `argf` (PUC's `checkupval`).
/// Like PUC, it leaves the upvalue's value on the stack, where a missing next argument
/// then finds it.
fn check_upval(s: &mut State, argf: usize, argnup: usize) -> LuaResult<i64> {
    let n = check_int(s, argnup)?;
    let f = check_function(s, argf)?;
    match debug::get_upvalue(f, n) {
        Some((_, v)) => s.push(v),
        None => return Err(s.arg_error(argnup, "invalid upvalue index")),
    }
    Ok(n)
}

fn upvalueid(s: &mut State) -> LuaResult<usize> {
    let n = check_upval(s, 1, 2)?;
    let id = debug::upvalue_id(s.arg(1), n).unwrap_or(0);
    s.push(Value::LightUserData(id));
    Ok(1)
}

fn upvaluejoin(s: &mut State) -> LuaResult<usize> {
    let n1 = check_upval(s, 1, 2)?;
    let n2 = check_upval(s, 3, 4)?;
    for a in [1, 3] {
        if !matches!(s.arg(a), Value::LuaFn(_)) {
            return Err(s.arg_error(a, "Lua function expected"));
        }
    }
    let (f1, f2) = (s.arg(1), s.arg(3));
    debug::upvalue_join(&mut s.heap, f1, n1, f2, n2);
    Ok(0)
}

fn sethook(s: &mut State) -> LuaResult<usize> {
    let (th, arg) = get_thread(s);
    if s.arg(arg + 1).is_nil() {
        s.set_hook(th, Value::Nil, 0, 0);
        return Ok(0);
    }
    let smask = s.check_string(arg + 2)?.as_bytes().to_vec();
    let f = check_function(s, arg + 1)?;
    let count = s.opt_integer(arg + 3, 0)? as i32;
    let mut mask = 0;
    for (c, bit) in [
        (b'c', hookmask::CALL),
        (b'r', hookmask::RET),
        (b'l', hookmask::LINE),
    ] {
        if smask.contains(&c) {
            mask |= bit;
        }
    }
    if count > 0 {
        mask |= hookmask::COUNT;
    }
    s.set_hook(th, f, mask, count);
    Ok(0)
}

fn gethook(s: &mut State) -> LuaResult<usize> {
    let (th, _) = get_thread(s);
    let hook = s.hook(th);
    s.push(hook.func);
    let mut smask = Vec::new();
    for (c, bit) in [
        (b'c', hookmask::CALL),
        (b'r', hookmask::RET),
        (b'l', hookmask::LINE),
    ] {
        if hook.mask & bit != 0 {
            smask.push(c);
        }
    }
    s.push_str(&smask);
    s.push(Value::Int(hook.count as i64));
    Ok(3)
}

fn traceback(s: &mut State) -> LuaResult<usize> {
    let (th, arg) = get_thread(s);
    let msg = match s.arg(arg + 1) {
        Value::Nil => None,
        v @ (Value::Str(_) | Value::Int(_) | Value::Num(_)) => s.to_bytes(v),
        v => {
            // a non-string message is returned untouched
            s.push(v);
            return Ok(1);
        }
    };
    let same = th.is_none_or(|t| Gc::ptr_eq(t, s.current_thread()));
    let level = s.opt_integer(arg + 2, if same { 1 } else { 0 })? as i32 as i64;
    let msg = msg.map(|m| m.as_bytes().to_vec());
    let tb = s.traceback_of(th, msg.as_deref(), level);
    s.push_str(&tb);
    Ok(1)
}

fn getmetatable(s: &mut State) -> LuaResult<usize> {
    let v = s.check_any(1)?;
    match s.metatable(v) {
        Some(mt) => s.push(Value::Table(mt)),
        None => s.push(Value::Nil),
    }
    Ok(1)
}

fn setmetatable(s: &mut State) -> LuaResult<usize> {
    let mt = match s.arg(2) {
        Value::Nil if s.nargs() >= 2 => None,
        Value::Table(t) => Some(t),
        _ => return Err(s.arg_error(2, "nil or table expected")),
    };
    let v = s.arg(1);
    s.set_metatable(v, mt);
    s.push(v);
    Ok(1)
}

fn getregistry(s: &mut State) -> LuaResult<usize> {
    let r = s.registry();
    s.push(Value::Table(r));
    Ok(1)
}

fn getuservalue(s: &mut State) -> LuaResult<usize> {
    match s.arg(1) {
        Value::UserData(u) => s.push(u.user_value.get()),
        _ => s.push(Value::Nil),
    }
    Ok(1)
}

fn setuservalue(s: &mut State) -> LuaResult<usize> {
    let u = match s.arg(1) {
        Value::UserData(u) => u,
        _ => return Err(s.arg_type_error(1, Type::UserData.name())),
    };
    let v = s.check_any(2)?;
    u.user_value.set(v);
    s.heap.barrier_back(u);
    s.push(Value::UserData(u));
    Ok(1)
}

/// `debug.debug`: run each line read from stdin as a chunk until a line `cont` (or the
/// end of input); errors are printed on stderr.
fn debug_(s: &mut State) -> LuaResult<usize> {
    let stdin = std::io::stdin();
    loop {
        {
            let mut err = std::io::stderr();
            let _ = err.write_all(b"lua_debug> ");
            let _ = err.flush();
        }
        let mut line = Vec::new();
        match stdin.lock().read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return Ok(0),
            Ok(_) => {}
        }
        if line == b"cont\n" {
            return Ok(0);
        }
        let base = s.top();
        let failed = match s.load(&line, b"=(debug command)") {
            Ok(f) => {
                s.push(f);
                s.pcall(base, 0, 0).is_err()
            }
            Err(LuaError::Error) => {
                let e = s.error_value();
                s.push(e);
                true
            }
            Err(e) => return Err(e),
        };
        if failed {
            let e = s.stack_at(s.top() - 1);
            let mut msg = match s.to_bytes(e) {
                Some(m) => m.as_bytes().to_vec(),
                None => b"(null)".to_vec(),
            };
            msg.push(b'\n');
            let _ = std::io::stderr().write_all(&msg);
        }
        s.set_top(base);
    }
}

#[cfg(test)]
mod tests {
    use luavm_vm::{State, Value, MULTRET};

    /// Every debug function with a cross product of odd arguments, on the running thread
    /// and on suspended, dead, fresh and normal coroutines: Lua errors only, no panic.
    #[test]
    fn odd_arguments_never_panic() {
        let src = br#"
            local up1, up2 = 1, 2
            local function lua_fn(a, ...) return up1 + up2 end
            local suspended = coroutine.create(function(x, ...) local y = x; coroutine.yield(y) end)
            coroutine.resume(suspended, 1, 2, 3)
            local dead = coroutine.create(function(x) local z = x; error("e") end)
            coroutine.resume(dead, 1)
            local fresh = coroutine.create(function() end)
            local light = debug.upvalueid(lua_fn, 1)
            local vals = { 0, 1, 2, 3, 4, -1, -2, -3, 100, 2^31, -2^31, 2^32 + 1, 2^53, 1.5,
              "x", "1", "nSltufL", ">f", "", {}, print, lua_fn, suspended, dead, fresh,
              coroutine.running(), true, light }
            local nvals = #vals + 1 -- nil too
            local reads = { debug.getinfo, debug.getlocal, debug.getupvalue, debug.upvalueid,
              debug.traceback, debug.gethook, debug.getmetatable, debug.getuservalue,
              debug.setupvalue, debug.upvaluejoin }
            local calls = 0
            local function sweep(f, fixed)
              for i = 1, nvals do
                for j = 1, nvals do
                  for k = 1, nvals do
                    pcall(f, vals[i], vals[j], vals[k], fixed)
                    calls = calls + 1
                  end
                end
              end
            end
            for _, f in ipairs(reads) do sweep(f) end
            -- setlocal on other threads; on this one only at levels that are not the sweep
            for _, th in ipairs({ suspended, dead, fresh }) do
              sweep(function(a, b, c) return debug.setlocal(th, a, b, c) end)
            end
            for _, level in ipairs({ -1, 0, 1, 100, 2^31, -2^31 }) do
              for i = -4, 6 do pcall(debug.setlocal, level, i, "v") end
            end
            -- from inside a coroutine, the main thread is 'normal'
            local main = coroutine.running()
            coroutine.wrap(function()
              for _, l in ipairs({ -1, 0, 1, 2, 3, 50 }) do
                for i = -3, 8 do
                  pcall(debug.getlocal, main, l, i)
                  pcall(debug.getinfo, main, l, "nSltufL")
                end
                pcall(debug.traceback, main, "m", l)
              end
            end)()
            debug.sethook()
            assert(calls > 0)
        "#;
        let mut s = State::new();
        crate::open_all(&mut s);
        s.set_global("print", Value::Nil);
        let f = s.load(src, b"=sweep").expect("the sweep compiles");
        let top = s.top();
        s.push(f);
        let r = s.pcall(top, MULTRET, 0);
        assert!(r.is_ok(), "the sweep ran to the end");
    }
}
