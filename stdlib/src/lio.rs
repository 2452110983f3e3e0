//! A first slice of the io library (manual §6.8): `io.write`, `io.read`, and the standard
//! files `io.stdout`/`io.stderr` with `write`. Files (`io.open`, `lines`, `seek`, ...) come
//! with the standard-library issue.

use std::io::{BufRead, Read, Write};

use luavm_vm::{LuaResult, State, Value};

use crate::Lib;

const FUNCS: Lib = &[("write", io_write), ("read", io_read)];

pub fn open(s: &mut State) {
    let io = crate::open_lib(s, "io", FUNCS);
    // standard files: tables with a `write` method and their descriptor at [1]
    let mt = s.new_table();
    let methods = s.new_table();
    crate::register(s, methods, &[("write", file_write), ("flush", file_flush)]);
    s.raw_set_str(mt, "__index", Value::Table(methods));
    let name = s.str_value(b"FILE*");
    s.raw_set_str(mt, "__name", name);
    for (fname, fd) in [("stdout", 1), ("stderr", 2)] {
        let f = s.new_table();
        s.raw_set_int(f, 1, Value::Int(fd));
        f.set_metatable(Some(mt));
        s.raw_set_str(io, fname, Value::Table(f));
    }
}

fn write_values(s: &mut State, first: usize, fd: i64) -> LuaResult<()> {
    let mut out = Vec::new();
    for i in first..=s.nargs() {
        match s.arg(i) {
            Value::Str(st) => out.extend_from_slice(st.as_bytes()),
            Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Num(f) => {
                luavm_compiler::numfmt::fmt_g(&mut out, f, Some(14), Default::default());
            }
            _ => return Err(s.arg_type_error(i, "string")),
        }
    }
    let r = if fd == 2 {
        let _ = std::io::stdout().flush();
        std::io::stderr().write_all(&out)
    } else {
        std::io::stdout().write_all(&out)
    };
    if let Err(e) = r {
        return Err(s.lib_error(&e.to_string()));
    }
    Ok(())
}

fn io_write(s: &mut State) -> LuaResult<usize> {
    write_values(s, 1, 1)?;
    let io = s.get_global("io");
    let k = s.str_value(b"stdout");
    let f = match io {
        Value::Table(t) => t.get(k),
        _ => Value::Nil,
    };
    s.push(f);
    Ok(1)
}

fn file_fd(s: &mut State) -> LuaResult<i64> {
    match s.arg(1) {
        Value::Table(t) => match t.get_int(1) {
            Value::Int(fd) => Ok(fd),
            _ => Err(s.arg_type_error(1, "FILE*")),
        },
        _ => Err(s.arg_type_error(1, "FILE*")),
    }
}

fn file_write(s: &mut State) -> LuaResult<usize> {
    let fd = file_fd(s)?;
    write_values(s, 2, fd)?;
    let f = s.arg(1);
    s.push(f);
    Ok(1)
}

fn file_flush(s: &mut State) -> LuaResult<usize> {
    file_fd(s)?;
    let _ = std::io::stdout().flush();
    let f = s.arg(1);
    s.push(f);
    Ok(1)
}

fn io_read(s: &mut State) -> LuaResult<usize> {
    let fmt = match s.arg(1) {
        Value::Str(f) => f.as_bytes().to_vec(),
        Value::Nil => b"l".to_vec(),
        _ => return Err(s.arg_error(1, "invalid format")),
    };
    let fmt: Vec<u8> = fmt.into_iter().filter(|&c| c != b'*').collect();
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    match fmt.first() {
        Some(b'a') => {
            let mut buf = Vec::new();
            let _ = lock.read_to_end(&mut buf);
            s.push_str(&buf);
        }
        Some(b'l') | Some(b'L') => {
            let mut buf = Vec::new();
            match lock.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => s.push(Value::Nil),
                Ok(_) => {
                    if fmt[0] == b'l' && buf.last() == Some(&b'\n') {
                        buf.pop();
                    }
                    s.push_str(&buf);
                }
            }
        }
        _ => return Err(s.arg_error(1, "invalid format")),
    }
    Ok(1)
}
