//! A first slice of the os library (manual §6.9): `exit`, `time`, `clock`, `getenv`,
//! `remove`, `rename`, `tmpname`, `difftime`. `date` and the rest come with the
//! standard-library issue.

use luavm_vm::{LuaResult, State, Value};

use crate::Lib;

const FUNCS: Lib = &[
    ("clock", clock),
    ("difftime", difftime),
    ("exit", exit),
    ("getenv", getenv),
    ("remove", remove),
    ("rename", rename),
    ("time", time),
    ("tmpname", tmpname),
];

pub fn open(s: &mut State) {
    crate::open_lib(s, "os", FUNCS);
}

fn clock(s: &mut State) -> LuaResult<usize> {
    // CPU time of the process
    let t = cpu_time();
    s.push(Value::Num(t));
    Ok(1)
}

fn cpu_time() -> f64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
}

fn difftime(s: &mut State) -> LuaResult<usize> {
    let a = s.check_number(1)?;
    let b = s.opt_number(2, 0.0)?;
    s.push(Value::Num(a - b));
    Ok(1)
}

fn exit(s: &mut State) -> LuaResult<usize> {
    let code = match s.arg(1) {
        Value::Nil | Value::Bool(true) => 0,
        Value::Bool(false) => 1,
        _ => s.check_integer(1)? as i32,
    };
    // C's exit flushes every stream
    crate::lio::flush_all();
    std::process::exit(code);
}

fn getenv(s: &mut State) -> LuaResult<usize> {
    let name = s.check_string(1)?;
    match std::env::var_os(&*name.to_str_lossy()) {
        Some(v) => s.push_str(v.as_encoded_bytes()),
        None => s.push(Value::Nil),
    }
    Ok(1)
}

fn file_result(s: &mut State, r: std::io::Result<()>, name: &str) -> LuaResult<usize> {
    match r {
        Ok(()) => {
            s.push(Value::Bool(true));
            Ok(1)
        }
        Err(e) => {
            s.push(Value::Nil);
            let m = crate::base::describe_io_error(name, &e);
            s.push_str(m.as_bytes());
            s.push(Value::Int(e.raw_os_error().unwrap_or(0) as i64));
            Ok(3)
        }
    }
}

fn remove(s: &mut State) -> LuaResult<usize> {
    let name = s.check_string(1)?.to_str_lossy().into_owned();
    let r = std::fs::remove_file(&name).or_else(|e| {
        if std::path::Path::new(&name).is_dir() {
            std::fs::remove_dir(&name)
        } else {
            Err(e)
        }
    });
    file_result(s, r, &name)
}

fn rename(s: &mut State) -> LuaResult<usize> {
    let a = s.check_string(1)?.to_str_lossy().into_owned();
    let b = s.check_string(2)?.to_str_lossy().into_owned();
    let r = std::fs::rename(&a, &b);
    file_result(s, r, &a)
}

fn time(s: &mut State) -> LuaResult<usize> {
    if !s.arg(1).is_nil() {
        return Err(s.lib_error("os.time with a table is not implemented yet"));
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    s.push(Value::Int(t));
    Ok(1)
}

fn tmpname(s: &mut State) -> LuaResult<usize> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let name = format!("/tmp/lua_{}_{}", std::process::id(), n);
    if std::fs::File::create(&name).is_err() {
        return Err(s.lib_error("unable to generate a unique filename"));
    }
    s.push_str(name.as_bytes());
    Ok(1)
}
