//! The os library (manual §6.9), as PUC-Rio's `loslib.c` 5.3.6 behaves on Linux with
//! glibc. Calendar work is in `los_time` (with the time zone in `los_tz`).
//!
//! Where this differs from PUC (see COMPATIBILITY.md):
//! - `os.clock` is the CPU time of the process read from `/proc/self/task/*/schedstat`
//!   (nanoseconds, live threads only), else from `/proc/self/stat` (1/100 s), else the time
//!   since the library was opened;
//! - `os.setlocale` knows only the "C" locale;
//! - `os.execute` does not ignore SIGINT/SIGQUIT while the command runs, as `system` does.

use luavm_vm::{Gc, LuaResult, State, Table, Value};

use crate::lio_stream as stream;
use crate::los_time::{self, DateFields, Tm};
use crate::Lib;

pub(crate) const FUNCS: Lib = &[
    ("clock", clock),
    ("date", date),
    ("difftime", difftime),
    ("execute", execute),
    ("exit", exit),
    ("getenv", getenv),
    ("remove", remove),
    ("rename", rename),
    ("setlocale", setlocale),
    ("time", time),
    ("tmpname", tmpname),
];

pub fn open(s: &mut State) {
    crate::open_lib_with(s, "os", FUNCS, 0);
}

/// `luaL_fileresult`.
fn file_result(s: &mut State, r: std::io::Result<()>, fname: Option<&[u8]>) -> usize {
    match r {
        Ok(()) => {
            s.push(Value::Bool(true));
            1
        }
        Err(e) => {
            let code = stream::errno(&e);
            let mut msg = Vec::new();
            if let Some(n) = fname {
                msg.extend_from_slice(n);
                msg.extend_from_slice(b": ");
            }
            msg.extend_from_slice(stream::strerror(code).as_bytes());
            s.push(Value::Nil);
            s.push_str(&msg);
            s.push(Value::Int(code as i64));
            3
        }
    }
}

fn execute(s: &mut State) -> LuaResult<usize> {
    let Some(cmd) = s.opt_string(1)? else {
        let sh = std::path::Path::new("/bin/sh").exists();
        s.push(Value::Bool(sh));
        return Ok(1);
    };
    let cmd = cmd.as_bytes().to_vec();
    let end = cmd.iter().position(|&c| c == 0).unwrap_or(cmd.len());
    use std::os::unix::ffi::OsStrExt;
    let mut c = std::process::Command::new("/bin/sh");
    std::os::unix::process::CommandExt::arg0(&mut c, "sh");
    let status = c
        .arg("-c")
        .arg(std::ffi::OsStr::from_bytes(&cmd[..end]))
        .status();
    Ok(crate::lio::exec_result(s, status))
}

fn remove(s: &mut State) -> LuaResult<usize> {
    let name = s.check_string(1)?.as_bytes().to_vec();
    let path = stream::c_path(&name);
    // C's remove: unlink, and rmdir for a directory
    let r = std::fs::remove_file(path).or_else(|e| {
        if e.raw_os_error() == Some(21) {
            std::fs::remove_dir(path)
        } else {
            Err(e)
        }
    });
    Ok(file_result(s, r, Some(&name)))
}

fn rename(s: &mut State) -> LuaResult<usize> {
    let from = s.check_string(1)?.as_bytes().to_vec();
    let to = s.check_string(2)?.as_bytes().to_vec();
    let r = std::fs::rename(stream::c_path(&from), stream::c_path(&to));
    Ok(file_result(s, r, None))
}

fn tmpname(s: &mut State) -> LuaResult<usize> {
    match stream::create_unique("/tmp/lua_") {
        Ok((_, name)) => {
            s.push_str(name.as_bytes());
            Ok(1)
        }
        Err(_) => Err(s.lib_error("unable to generate a unique filename")),
    }
}

fn getenv(s: &mut State) -> LuaResult<usize> {
    use std::os::unix::ffi::OsStrExt;
    let name = s.check_string(1)?.as_bytes().to_vec();
    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    let name = &name[..end];
    // glibc's getenv: the first "name=value" entry whose text starts with "name="
    let mut found = None;
    if !name.is_empty() {
        for (k, v) in std::env::vars_os() {
            let mut entry = k.as_bytes().to_vec();
            entry.push(b'=');
            entry.extend_from_slice(v.as_bytes());
            if entry.len() > name.len() && entry.starts_with(name) && entry[name.len()] == b'=' {
                found = Some(entry[name.len() + 1..].to_vec());
                break;
            }
        }
    }
    match found {
        Some(v) => s.push_str(&v),
        None => s.push(Value::Nil),
    }
    Ok(1)
}

fn clock(s: &mut State) -> LuaResult<usize> {
    s.push(Value::Num(cpu_time()));
    Ok(1)
}

/// CPU time of the process in seconds (see the module comment).
fn cpu_time() -> f64 {
    if let Some(ns) = schedstat_ns() {
        return ns as f64 / 1e9;
    }
    if let Some(ticks) = stat_ticks() {
        return ticks as f64 / 100.0;
    }
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
}

fn schedstat_ns() -> Option<u64> {
    let mut total = 0u64;
    let mut any = false;
    for e in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let text = std::fs::read_to_string(e.path().join("schedstat")).ok()?;
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
        any = true;
    }
    any.then_some(total)
}

fn stat_ticks() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn difftime(s: &mut State) -> LuaResult<usize> {
    let a = s.check_integer(1)?;
    let b = s.check_integer(2)?;
    s.push(Value::Num(a as f64 - b as f64));
    Ok(1)
}

fn exit(s: &mut State) -> LuaResult<usize> {
    let code = match s.arg(1) {
        Value::Bool(b) => i32::from(!b),
        _ => s.opt_integer(1, 0)? as i32,
    };
    // `os.exit(code, true)` closes the state first: pending finalizers run
    if s.arg(2).truthy() {
        s.close();
    }
    // C's exit flushes and closes every stream
    stream::flush_all();
    std::process::exit(code);
}

fn setlocale(s: &mut State) -> LuaResult<usize> {
    let l = s.opt_string(1)?.map(|l| l.as_bytes().to_vec());
    s.check_option(
        2,
        Some("all"),
        &["all", "collate", "ctype", "monetary", "numeric", "time"],
    )?;
    match l.as_deref() {
        None | Some(b"") | Some(b"C") | Some(b"POSIX") => s.push_str(b"C"),
        Some(_) => s.push(Value::Nil),
    }
    Ok(1)
}

// ---- date and time -------------------------------------------------------------------

fn now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

fn set_field(s: &mut State, t: Gc<Table>, k: &str, v: i64) {
    s.raw_set_str(t, k, Value::Int(v));
}

/// `setallfields`.
fn set_all_fields(s: &mut State, t: Gc<Table>, tm: &Tm) {
    set_field(s, t, "sec", tm.sec);
    set_field(s, t, "min", tm.min);
    set_field(s, t, "hour", tm.hour);
    set_field(s, t, "day", tm.mday);
    set_field(s, t, "month", tm.mon + 1);
    set_field(s, t, "year", tm.year);
    set_field(s, t, "wday", tm.wday + 1);
    set_field(s, t, "yday", tm.yday + 1);
    s.raw_set_str(t, "isdst", Value::Bool(tm.isdst));
}

fn cannot_represent(s: &mut State) -> luavm_vm::LuaError {
    s.lib_error("time result cannot be represented in this installation")
}

fn date(s: &mut State) -> LuaResult<usize> {
    let fmt = match s.opt_string(1)? {
        Some(f) => f.as_bytes().to_vec(),
        None => b"%c".to_vec(),
    };
    let t = if s.arg(2).is_nil() {
        now()
    } else {
        s.check_integer(2)?
    };
    let (utc, fmt) = match fmt.strip_prefix(b"!") {
        Some(rest) => (true, rest),
        None => (false, &fmt[..]),
    };
    let tm = if utc {
        los_time::gmtime(t)
    } else {
        los_time::localtime(t)
    };
    let Some(tm) = tm else {
        return Err(cannot_represent(s));
    };
    // strcmp(s, "*t"): compared as C strings
    let cstr = &fmt[..fmt.iter().position(|&c| c == 0).unwrap_or(fmt.len())];
    if cstr == b"*t" {
        let t = s.new_table_with(0, 9);
        set_all_fields(s, t, &tm);
        s.push(Value::Table(t));
        return Ok(1);
    }
    let mut out = Vec::with_capacity(fmt.len() + 16);
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            out.push(fmt[i]);
            i += 1;
            continue;
        }
        i += 1;
        let conv = &fmt[i..];
        match los_time::check_option(conv) {
            Some(n) => {
                los_time::strftime_one(&mut out, &conv[..n], &tm);
                i += n;
            }
            None => {
                let shown = &conv[..conv.iter().position(|&c| c == 0).unwrap_or(conv.len())];
                let msg = format!(
                    "invalid conversion specifier '%{}'",
                    String::from_utf8_lossy(shown)
                );
                return Err(s.arg_error(1, &msg));
            }
        }
    }
    s.push_str(&out);
    Ok(1)
}

/// Largest absolute value of a date field (PUC's `L_MAXDATEFIELD`).
const MAXDATEFIELD: i64 = (i32::MAX / 2) as i64;

/// `getfield`: field `key` of the table in argument 1, minus `delta`; `d` < 0: required.
fn get_field(s: &mut State, t: Gc<Table>, key: &str, d: i64, delta: i64) -> LuaResult<i64> {
    let k = s.str_value(key.as_bytes());
    let v = s.index(Value::Table(t), k)?;
    match luavm_vm::arith::to_integer(v) {
        Some(r) => {
            if !(-MAXDATEFIELD..=MAXDATEFIELD).contains(&r) {
                return Err(s.lib_error(&format!("field '{key}' is out-of-bound")));
            }
            Ok(r - delta)
        }
        None if !v.is_nil() => Err(s.lib_error(&format!("field '{key}' is not an integer"))),
        None if d < 0 => Err(s.lib_error(&format!("field '{key}' missing in date table"))),
        None => Ok(d),
    }
}

fn time(s: &mut State) -> LuaResult<usize> {
    let t = if s.arg(1).is_nil() {
        now()
    } else {
        let tbl = s.check_table(1)?;
        s.set_top(s.arg_index(1) + 1);
        let sec = get_field(s, tbl, "sec", 0, 0)?;
        let min = get_field(s, tbl, "min", 0, 0)?;
        let hour = get_field(s, tbl, "hour", 12, 0)?;
        let day = get_field(s, tbl, "day", -1, 0)?;
        let month = get_field(s, tbl, "month", -1, 1)?;
        let year = get_field(s, tbl, "year", -1, 1900)?;
        let k = s.str_value(b"isdst");
        let v = s.index(Value::Table(tbl), k)?;
        let isdst = if v.is_nil() {
            -1
        } else {
            i32::from(v.truthy())
        };
        let f = DateFields {
            year: year + 1900,
            month,
            day,
            hour,
            min,
            sec,
            isdst,
        };
        let Some((t, tm)) = los_time::mktime(&f) else {
            return Err(cannot_represent(s));
        };
        set_all_fields(s, tbl, &tm);
        if t == -1 {
            return Err(cannot_represent(s));
        }
        t
    };
    s.push(Value::Int(t));
    Ok(1)
}
