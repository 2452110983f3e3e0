//! The basic library (manual §6.1): `print`, `type`, `pairs`, `pcall`, `load`, ...
//!
//! Written against the public API of `luavm-vm`. `pcall`/`xpcall` use continuation-style
//! calls (`State::call_k`) so a coroutine may yield inside them.

use luavm_vm::arith;
use luavm_vm::{LuaError, LuaResult, State, Status, Value, MULTRET};

use crate::Lib;

pub const FUNCS: Lib = &[
    ("assert", assert),
    ("collectgarbage", collectgarbage),
    ("dofile", dofile),
    ("error", error),
    ("getmetatable", getmetatable),
    ("ipairs", ipairs),
    ("load", load),
    ("loadfile", loadfile),
    ("next", next),
    ("pairs", pairs),
    ("pcall", pcall),
    ("print", print),
    ("rawequal", rawequal),
    ("rawget", rawget),
    ("rawlen", rawlen),
    ("rawset", rawset),
    ("select", select),
    ("setmetatable", setmetatable),
    ("tonumber", tonumber),
    ("tostring", tostring),
    ("type", type_),
    ("xpcall", xpcall),
];

/// Install `_G`, `_VERSION` and the functions into the globals.
pub fn open(s: &mut State) {
    let g = s.globals();
    crate::register(s, g, FUNCS);
    s.raw_set_static(g, "_G", Value::Table(g));
    let v = Value::Str(s.new_static_str(b"Lua 5.3"));
    s.raw_set_static(g, "_VERSION", v);
}

fn print(s: &mut State) -> LuaResult<usize> {
    let n = s.nargs();
    // 5.3 converts with the current global `tostring`
    let ts = s.get_global("tostring");
    let builtin =
        matches!(ts, Value::NativeFn(f) if std::ptr::fn_addr_eq(f, tostring as luavm_vm::NativeFn));
    if !builtin {
        let mut out = Vec::with_capacity(64);
        for i in 1..=n {
            let v = s.arg(i);
            let r = s.call_value1(ts, &[v])?;
            match r {
                Value::Str(st) => out.extend_from_slice(st.as_bytes()),
                Value::Int(_) | Value::Num(_) => crate::push_number(&mut out, r),
                _ => return Err(s.lib_error("'tostring' must return a string to 'print'")),
            }
            out.push(if i < n { b'\t' } else { b'\n' });
        }
        if n == 0 {
            out.push(b'\n');
        }
        crate::lio::write_stdout(&out);
        return Ok(0);
    }
    let mut out = Vec::with_capacity(64);
    for i in 1..=n {
        let v = s.arg(i);
        if i > 1 {
            out.push(b'\t');
        }
        match v {
            Value::Str(st) => out.extend_from_slice(st.as_bytes()),
            Value::Int(_) | Value::Num(_) | Value::Nil | Value::Bool(_)
                if s.metatable(v).is_none() =>
            {
                s.to_string_raw(v, &mut out)
            }
            _ => {
                let st = s.to_string_meta(v)?;
                out.extend_from_slice(st.as_bytes());
            }
        }
    }
    out.push(b'\n');
    crate::lio::write_stdout(&out);
    Ok(0)
}

fn type_(s: &mut State) -> LuaResult<usize> {
    let v = s.check_any(1)?;
    s.push_str(v.type_name().as_bytes());
    Ok(1)
}

fn tostring(s: &mut State) -> LuaResult<usize> {
    let v = s.check_any(1)?;
    let st = s.to_string_meta(v)?;
    s.push(Value::Str(st));
    Ok(1)
}

fn tonumber(s: &mut State) -> LuaResult<usize> {
    if s.arg(2).is_nil() {
        let v = s.check_any(1)?;
        let r = match v {
            Value::Int(_) | Value::Num(_) => v,
            Value::Str(_) => arith::to_number(v).unwrap_or(Value::Nil),
            _ => Value::Nil,
        };
        s.push(r);
        return Ok(1);
    }
    let base = s.check_integer(2)?;
    let st = match s.arg(1) {
        Value::Str(st) => st,
        _ => return Err(s.arg_type_error(1, "string")),
    };
    if !(2..=36).contains(&base) {
        return Err(s.arg_error(2, "base out of range"));
    }
    let r = luavm_compiler::number::str2int_base(st.as_bytes(), base as u32);
    s.push(r.map(Value::Int).unwrap_or(Value::Nil));
    Ok(1)
}

fn ipairs_aux(s: &mut State) -> LuaResult<usize> {
    let i = s.check_integer(2)?.wrapping_add(1);
    let t = s.arg(1);
    let v = match t {
        Value::Table(tt) if tt.metatable().is_none() => tt.get_int(i),
        _ => s.index(t, Value::Int(i))?,
    };
    if v.is_nil() {
        s.push(Value::Nil);
        Ok(1)
    } else {
        s.push(Value::Int(i));
        s.push(v);
        Ok(2)
    }
}

fn ipairs(s: &mut State) -> LuaResult<usize> {
    let t = s.check_any(1)?;
    s.push(Value::NativeFn(ipairs_aux));
    s.push(t);
    s.push(Value::Int(0));
    Ok(3)
}

fn next(s: &mut State) -> LuaResult<usize> {
    let t = s.check_table(1)?;
    let k = s.arg(2);
    match t.next(k) {
        Ok(Some((k, v))) => {
            s.push(k);
            s.push(v);
            Ok(2)
        }
        Ok(None) => {
            s.push(Value::Nil);
            Ok(1)
        }
        Err(_) => Err(s.lib_error("invalid key to 'next'")),
    }
}

fn pairs(s: &mut State) -> LuaResult<usize> {
    let t = s.check_any(1)?;
    let mt = s.get_tm(t, luavm_vm::meta::Tm::Pairs);
    if !mt.is_nil() {
        let base = s.top();
        s.call_value(mt, &[t], 3)?;
        return Ok(s.top() - base);
    }
    s.push(Value::NativeFn(next));
    s.push(t);
    s.push(Value::Nil);
    Ok(3)
}

fn select(s: &mut State) -> LuaResult<usize> {
    let n = s.nargs() as i64;
    if let Value::Str(st) = s.arg(1) {
        if st.as_bytes() == b"#" {
            s.push(Value::Int(n - 1));
            return Ok(1);
        }
    }
    let i = s.check_integer(1)?;
    let i = if i < 0 {
        n + i
    } else if i > n {
        n
    } else {
        i
    };
    if i < 1 {
        return Err(s.arg_error(1, "index out of range"));
    }
    Ok((n - i) as usize)
}

fn rawequal(s: &mut State) -> LuaResult<usize> {
    let a = s.check_any(1)?;
    let b = s.check_any(2)?;
    s.push(Value::Bool(a.raw_equal(b)));
    Ok(1)
}

fn rawget(s: &mut State) -> LuaResult<usize> {
    let t = s.check_table(1)?;
    let k = s.check_any(2)?;
    s.push(t.get(k));
    Ok(1)
}

fn rawset(s: &mut State) -> LuaResult<usize> {
    let t = s.check_table(1)?;
    let k = s.check_any(2)?;
    let v = s.check_any(3)?;
    match k {
        Value::Nil => return Err(s.runtime_error("table index is nil")),
        Value::Num(f) if f.is_nan() => return Err(s.runtime_error("table index is NaN")),
        _ => {}
    }
    s.raw_set(t, k, v);
    s.push(Value::Table(t));
    Ok(1)
}

fn rawlen(s: &mut State) -> LuaResult<usize> {
    let n = match s.arg(1) {
        Value::Table(t) => t.len(),
        Value::Str(st) => st.len() as i64,
        _ => return Err(s.arg_error(1, "table or string expected")),
    };
    s.push(Value::Int(n));
    Ok(1)
}

fn getmetatable(s: &mut State) -> LuaResult<usize> {
    let v = s.check_any(1)?;
    match s.metatable(v) {
        None => s.push(Value::Nil),
        Some(mt) => {
            let key = s.str_value(b"__metatable");
            let protected = mt.get(key);
            s.push(if protected.is_nil() {
                Value::Table(mt)
            } else {
                protected
            });
        }
    }
    Ok(1)
}

fn setmetatable(s: &mut State) -> LuaResult<usize> {
    let t = s.check_table(1)?;
    let mt = match s.arg(2) {
        Value::Nil if s.nargs() >= 2 => None,
        Value::Table(m) => Some(m),
        _ => return Err(s.arg_error(2, "nil or table expected")),
    };
    if let Some(old) = t.metatable() {
        let key = s.str_value(b"__metatable");
        if !old.get(key).is_nil() {
            return Err(s.lib_error("cannot change a protected metatable"));
        }
    }
    s.set_metatable(Value::Table(t), mt);
    s.push(Value::Table(t));
    Ok(1)
}

fn assert(s: &mut State) -> LuaResult<usize> {
    let v = s.check_any(1)?;
    if v.truthy() {
        return Ok(s.nargs());
    }
    // as 5.3's luaB_assert: the message goes through `error` (level 1)
    let msg = if s.nargs() >= 2 {
        s.arg(2)
    } else {
        s.str_value(b"assertion failed!")
    };
    Err(raise(s, msg, 1))
}

fn error(s: &mut State) -> LuaResult<usize> {
    let v = s.arg(1);
    let level = s.opt_integer(2, 1)?;
    Err(raise(s, v, level))
}

/// Raise `v`, with the position of the function `level` levels up prefixed to strings.
fn raise(s: &mut State, v: Value, level: i64) -> LuaError {
    if let Value::Str(st) = v {
        if level > 0 {
            let w = s.where_(level as usize);
            if !w.is_empty() {
                let mut m = w.into_bytes();
                m.push(b' ');
                m.extend_from_slice(st.as_bytes());
                let mv = Value::Str(s.new_str_vec(m));
                return s.error(mv);
            }
        }
    }
    s.error(v)
}

fn finish_pcall(s: &mut State, status: Status, ctx: usize) -> LuaResult<usize> {
    // ctx = stack index of the `true` placed before the function
    match status {
        Status::Ok => Ok(s.top() - ctx),
        Status::Error if s.is_aborting().is_some() => {
            // an instruction-limit or interrupt error is not caught
            let err = s.pop();
            Err(s.set_error(err))
        }
        Status::Error => {
            let err = s.pop();
            s.set_top(ctx);
            s.push(Value::Bool(false));
            s.push(err);
            Ok(2)
        }
    }
}

fn pcall(s: &mut State) -> LuaResult<usize> {
    s.check_any(1)?;
    // [f, args...] -> [true, f, args...]
    let first = s.arg_index(1);
    s.push(Value::Nil);
    let top = s.top();
    for i in (first..top - 1).rev() {
        let v = s.stack_at(i);
        s.set_stack_at(i + 1, v);
    }
    s.set_stack_at(first, Value::Bool(true));
    s.call_k(first + 1, MULTRET, first, finish_pcall, Some(0))
}

fn xpcall(s: &mut State) -> LuaResult<usize> {
    if !s.arg(2).is_function() {
        return Err(s.arg_type_error(2, "function"));
    }
    // [f, msgh, args...] -> [f, msgh, true, f, args...]
    let first = s.arg_index(1);
    let f = s.arg(1);
    s.push(Value::Nil);
    s.push(Value::Nil);
    let top = s.top();
    for i in (first + 2..top - 2).rev() {
        let v = s.stack_at(i);
        s.set_stack_at(i + 2, v);
    }
    s.set_stack_at(first + 2, Value::Bool(true));
    s.set_stack_at(first + 3, f);
    s.call_k(first + 3, MULTRET, first + 2, finish_pcall, Some(first + 1))
}

/// `collectgarbage(opt, arg)` as 5.3's `luaB_collectgarbage` over `lua_gc`: the
/// argument is read (as a C `int`) for every option. Extension from 5.4:
/// `"generational"` (`minormul`, `majormul`) and `"incremental"` (`pause`, `stepmul`)
/// switch the collector's mode (arguments 0 or absent keep a setting) and return the
/// previous mode's name.
fn collectgarbage(s: &mut State) -> LuaResult<usize> {
    const OPTS: &[&str] = &[
        "stop",
        "restart",
        "collect",
        "count",
        "step",
        "setpause",
        "setstepmul",
        "isrunning",
        "generational",
        "incremental",
    ];
    let o = s.check_option(1, Some("collect"), OPTS)?;
    let ex = s.opt_integer(2, 0)? as i32;
    match OPTS[o] {
        "stop" => {
            s.heap.set_running(false);
            s.push(Value::Int(0));
        }
        "restart" => {
            s.heap.set_running(true);
            s.push(Value::Int(0));
        }
        "collect" => {
            s.full_gc()?;
            s.push(Value::Int(0));
        }
        "count" => {
            let b = s.memory_used();
            s.push(Value::Num(b as f64 / 1024.0));
        }
        "step" => {
            let done = s.gc_step_api(i64::from(ex))?;
            s.push(Value::Bool(done));
        }
        "setpause" => {
            let old = s.heap.tuning.pause;
            s.heap.tuning.pause = i64::from(ex);
            s.push(Value::Int(old));
        }
        "setstepmul" => {
            let old = s.heap.tuning.stepmul;
            // as lua_gc: avoid ridiculous low values (and 0)
            s.heap.tuning.stepmul = i64::from(ex.max(40));
            s.push(Value::Int(old));
        }
        "generational" => {
            let major = s.opt_integer(3, 0)?;
            if ex != 0 {
                s.heap.tuning.minormul = i64::from(ex);
            }
            if major != 0 {
                s.heap.tuning.pause = 100 + major.clamp(0, i64::from(i32::MAX));
            }
            let old = s.set_gc_mode(luavm_vm::GcMode::Generational);
            s.push_str(old.name().as_bytes());
        }
        "incremental" => {
            let stepmul = s.opt_integer(3, 0)?;
            if ex != 0 {
                s.heap.tuning.pause = i64::from(ex);
            }
            if stepmul != 0 {
                s.heap.tuning.stepmul = stepmul.clamp(40, i64::from(i32::MAX));
            }
            let old = s.set_gc_mode(luavm_vm::GcMode::Incremental);
            s.push_str(old.name().as_bytes());
        }
        _ => {
            let r = s.heap.is_running();
            s.push(Value::Bool(r));
        }
    }
    Ok(1)
}

/// Load a chunk and push the function (or nil and the message).
fn load_chunk(
    s: &mut State,
    code: &[u8],
    chunkname: &[u8],
    mode: &[u8],
    env: Option<Value>,
) -> LuaResult<usize> {
    let is_binary = code.first() == Some(&0x1b);
    if is_binary && !mode.contains(&b'b') {
        s.push(Value::Nil);
        let m = format!(
            "attempt to load a binary chunk (mode is '{}')",
            String::from_utf8_lossy(mode)
        );
        s.push_str(m.as_bytes());
        return Ok(2);
    }
    if !is_binary && !mode.contains(&b't') {
        s.push(Value::Nil);
        let m = format!(
            "attempt to load a text chunk (mode is '{}')",
            String::from_utf8_lossy(mode)
        );
        s.push_str(m.as_bytes());
        return Ok(2);
    }
    match s.load(code, chunkname) {
        Ok(f) => {
            if let (Some(env), Value::LuaFn(c)) = (env, f) {
                if let Some(u) = c.upvals.first() {
                    u.set(env);
                }
            }
            s.push(f);
            Ok(1)
        }
        Err(LuaError::Error) => {
            let e = s.error_value();
            s.push(Value::Nil);
            s.push(e);
            Ok(2)
        }
        Err(e) => Err(e),
    }
}

fn load(s: &mut State) -> LuaResult<usize> {
    let chunk = s.arg(1);
    let mode = match s.opt_string(3)? {
        Some(m) => m.as_bytes().to_vec(),
        None => b"bt".to_vec(),
    };
    let env = if s.nargs() >= 4 { Some(s.arg(4)) } else { None };
    let chunk = match chunk {
        Value::Int(_) | Value::Num(_) => Value::Str(s.check_string(1)?),
        c => c,
    };
    match chunk {
        Value::Str(code) => {
            let name = match s.opt_string(2)? {
                Some(n) => n.as_bytes().to_vec(),
                None => code.as_bytes().to_vec(),
            };
            let code = code.as_bytes().to_vec();
            load_chunk(s, &code, &name, &mode, env)
        }
        f if f.is_function() => {
            let name = match s.opt_string(2)? {
                Some(n) => n.as_bytes().to_vec(),
                None => b"=(load)".to_vec(),
            };
            let mut code = Vec::new();
            loop {
                let func = s.top();
                s.push(f);
                let piece = match s.pcall(func, 1, 0) {
                    Ok(()) => s.pop(),
                    Err(LuaError::Error) => {
                        let e = s.pop();
                        s.push(Value::Nil);
                        s.push(e);
                        return Ok(2);
                    }
                    Err(e) => return Err(e),
                };
                match piece {
                    Value::Nil => break,
                    Value::Str(p) if p.is_empty() => break,
                    Value::Str(p) => code.extend_from_slice(p.as_bytes()),
                    Value::Int(_) | Value::Num(_) => crate::push_number(&mut code, piece),
                    _ => {
                        let w = s.where_(1);
                        s.push(Value::Nil);
                        let m = format!("{w} reader function must return a string");
                        s.push_str(m.trim_start().as_bytes());
                        return Ok(2);
                    }
                }
            }
            load_chunk(s, &code, &name, &mode, env)
        }
        _ => Err(s.arg_type_error(1, "function")),
    }
}

/// Read a file for `loadfile`/`dofile`, skipping a first line starting with '#'.
pub fn read_source(path: Option<&[u8]>) -> Result<(Vec<u8>, Vec<u8>), String> {
    let (data, name) = match path {
        Some(p) => {
            let ps = String::from_utf8_lossy(p).into_owned();
            match std::fs::read(&ps) {
                Ok(d) => {
                    let mut n = b"@".to_vec();
                    n.extend_from_slice(p);
                    (d, n)
                }
                Err(e) => {
                    return Err(format!("cannot open {}", describe_io_error(&ps, &e)));
                }
            }
        }
        None => {
            let mut d = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut d);
            (d, b"=stdin".to_vec())
        }
    };
    Ok((skip_comment_line(data), name))
}

/// "name: No such file or directory" as C's strerror would say.
pub fn describe_io_error(name: &str, e: &std::io::Error) -> String {
    let msg = match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    };
    format!("{name}: {msg}")
}

/// What `luaL_loadfilex` skips: a UTF-8 byte-order mark, then a first line starting with
/// `#` (its newline is kept so line numbers stay right, except before a binary chunk).
fn skip_comment_line(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(b"\xEF\xBB\xBF") {
        data.drain(..3);
    }
    if data.first() == Some(&b'#') {
        let end = data.iter().position(|&c| c == b'\n').unwrap_or(data.len());
        if data.get(end + 1) == Some(&0x1b) {
            data.drain(..end + 1);
        } else {
            data.drain(..end);
        }
    }
    data
}

fn loadfile(s: &mut State) -> LuaResult<usize> {
    let path = s.opt_string(1)?.map(|p| p.as_bytes().to_vec());
    let mode = match s.opt_string(2)? {
        Some(m) => m.as_bytes().to_vec(),
        None => b"bt".to_vec(),
    };
    let env = if s.nargs() >= 3 { Some(s.arg(3)) } else { None };
    match read_source(path.as_deref()) {
        Ok((code, name)) => load_chunk(s, &code, &name, &mode, env),
        Err(m) => {
            s.push(Value::Nil);
            s.push_str(m.as_bytes());
            Ok(2)
        }
    }
}

fn dofile(s: &mut State) -> LuaResult<usize> {
    let path = s.opt_string(1)?.map(|p| p.as_bytes().to_vec());
    let (code, name) = match read_source(path.as_deref()) {
        Ok(x) => x,
        Err(m) => {
            let v = s.str_value(m.as_bytes());
            return Err(s.error(v));
        }
    };
    let f = s.load(&code, &name)?;
    let func = s.top();
    s.push(f);
    // continuation style, so the chunk may yield (as PUC's dofile with lua_callk)
    s.call_k(func, MULTRET, func, finish_dofile, None)
}

fn finish_dofile(s: &mut State, _: luavm_vm::Status, func: usize) -> LuaResult<usize> {
    Ok(s.top() - func)
}
