//! The io library (manual §6.8), as PUC-Rio's `liolib.c` 5.3.6 behaves.
//!
//! Files are full userdata holding an `LFile` (PUC's `luaL_Stream`) with the metatable
//! registered as `"FILE*"` (`__name`, `__index` = the metatable itself, the methods,
//! `__gc`, `__tostring`). The default input and output files live in the registry under
//! `_IO_input` and `_IO_output`. The streams themselves (buffering, `read_number`'s
//! look-ahead, `popen`) are in `lio_stream`.
//!
//! Invariants:
//! - a file is closed exactly when its `LFile::stream` is `None` (PUC's `closef == NULL`);
//!   the standard files never close (`io_noclose`);
//! - no stream is borrowed across a call back into Lua.

use std::cell::RefMut;

use luavm_compiler::number::{is_space, str2number, Number};
use luavm_vm::userdata::UserData;
use luavm_vm::{Gc, LuaResult, State, Table, Value};

use crate::lio_stream::{self as stream, BufMode, SeekPos, Stream, StreamRef};
use crate::Lib;

pub use crate::lio_stream::{flush_all, flush_stdout, write_stdout};

const FILEHANDLE: &str = "FILE*";
const IO_INPUT: &str = "_IO_input";
const IO_OUTPUT: &str = "_IO_output";
/// Most formats `lines` accepts (PUC's `MAXARGLINE`).
const MAXARGLINE: usize = 250;
/// Longest numeral `read("n")` accepts (PUC's `L_MAXLENNUM`).
const MAXLENNUM: usize = 200;

pub(crate) const FUNCS: Lib = &[
    ("close", io_close),
    ("flush", io_flush),
    ("input", io_input),
    ("lines", io_lines),
    ("open", io_open),
    ("output", io_output),
    ("popen", io_popen),
    ("read", io_read),
    ("tmpfile", io_tmpfile),
    ("type", io_type),
    ("write", io_write),
];

pub(crate) const METHODS: Lib = &[
    ("close", f_close),
    ("flush", f_flush),
    ("lines", f_lines),
    ("read", f_read),
    ("seek", f_seek),
    ("setvbuf", f_setvbuf),
    ("write", f_write),
    ("__gc", f_gc),
    ("__tostring", f_tostring),
];

/// How a file is closed (PUC's `closef`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CloseKind {
    /// A standard file: closing fails ("cannot close standard file").
    Std,
    File,
    Pipe,
}

/// The data of a `FILE*` userdata.
struct LFile {
    stream: Option<StreamRef>,
    kind: CloseKind,
}

impl Drop for LFile {
    fn drop(&mut self) {
        // other files close when their last reference goes; the shared standard streams
        // at least get their output out when a state goes away
        if let Some(st) = &self.stream {
            if let Ok(mut st) = st.try_borrow_mut() {
                let _ = st.flush();
            }
        }
    }
}

pub fn open(s: &mut State) {
    let io = crate::open_lib_with(s, "io", FUNCS, 3);
    // the metatable of files (luaL_newmetatable + createmeta)
    let mt = s.new_table_with(0, METHODS.len() + 2);
    let name = Value::Str(s.new_static_str(FILEHANDLE.as_bytes()));
    s.raw_set_static(mt, "__name", name);
    s.raw_set_static(mt, "__index", Value::Table(mt));
    crate::register(s, mt, METHODS);
    let reg = s.registry();
    s.raw_set_static(reg, FILEHANDLE, Value::Table(mt));
    for (fd, fname, key) in [
        (0, "stdin", Some(IO_INPUT)),
        (1, "stdout", Some(IO_OUTPUT)),
        (2, "stderr", None),
    ] {
        let f = new_file(s, stream::std_stream_ref(fd), CloseKind::Std);
        if let Some(k) = key {
            s.raw_set_static(reg, k, f);
        }
        s.raw_set_static(io, fname, f);
    }
}

// ---- handles -------------------------------------------------------------------

fn reg_get(s: &mut State, key: &str) -> Value {
    let k = s.str_value(key.as_bytes());
    s.registry().get(k)
}

fn reg_set(s: &mut State, key: &str, v: Value) {
    let reg = s.registry();
    s.raw_set_str(reg, key, v);
}

fn file_meta(s: &mut State) -> Option<Gc<Table>> {
    match reg_get(s, FILEHANDLE) {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn new_file(s: &mut State, st: Option<StreamRef>, kind: CloseKind) -> Value {
    let mt = file_meta(s);
    let u = s.new_userdata(Box::new(LFile { stream: st, kind }), mt);
    Value::UserData(u)
}

/// `luaL_testudata(v, "FILE*")`.
fn test_file(s: &mut State, v: Value) -> Option<Gc<UserData>> {
    match v {
        Value::UserData(u) => {
            let mt = file_meta(s)?;
            match u.metatable.get() {
                Some(m) if Gc::ptr_eq(m, mt) => Some(u),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `tolstream`: argument 1 must be a file (open or closed).
fn check_lfile(s: &mut State) -> LuaResult<Gc<UserData>> {
    let v = s.arg(1);
    match test_file(s, v) {
        Some(u) => Ok(u),
        None => Err(s.arg_type_error(1, FILEHANDLE)),
    }
}

/// The stream and close kind of a file userdata; `None` when closed.
fn stream_of(u: Gc<UserData>) -> Option<(StreamRef, CloseKind)> {
    let d = u.data.try_borrow().ok()?;
    let f = d.downcast_ref::<LFile>()?;
    f.stream.clone().map(|st| (st, f.kind))
}

/// `tofile`: argument 1 must be an open file.
fn to_file(s: &mut State) -> LuaResult<StreamRef> {
    let u = check_lfile(s)?;
    match stream_of(u) {
        Some((st, _)) => Ok(st),
        None => Err(s.lib_error("attempt to use a closed file")),
    }
}

fn borrow<'a>(s: &mut State, st: &'a StreamRef) -> LuaResult<RefMut<'a, Stream>> {
    match st.try_borrow_mut() {
        Ok(b) => Ok(b),
        Err(_) => Err(s.lib_error("file is in use")),
    }
}

/// `getiofile`: the default input or output file (pushed) and its stream.
fn get_io_file(s: &mut State, key: &str) -> LuaResult<StreamRef> {
    let v = reg_get(s, key);
    s.push(v);
    let st = match v {
        Value::UserData(u) => stream_of(u).map(|(st, _)| st),
        _ => None,
    };
    match st {
        Some(st) => Ok(st),
        None => {
            let which = &key[4..];
            Err(s.lib_error(&format!("standard {which} file is closed")))
        }
    }
}

/// `luaL_fileresult`: `true`, or `nil, message, errno`.
fn file_result(s: &mut State, r: Result<(), i32>, fname: Option<&[u8]>) -> usize {
    match r {
        Ok(()) => {
            s.push(Value::Bool(true));
            1
        }
        Err(code) => push_error(s, code, fname),
    }
}

fn push_error(s: &mut State, code: i32, fname: Option<&[u8]>) -> usize {
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

/// `luaL_execresult`: `true|nil, "exit"|"signal", code`.
pub fn exec_result(s: &mut State, status: std::io::Result<std::process::ExitStatus>) -> usize {
    use std::os::unix::process::ExitStatusExt;
    let status = match status {
        Ok(st) => st,
        Err(e) => return push_error(s, stream::errno(&e), None),
    };
    let (what, code) = match (status.code(), status.signal()) {
        (Some(c), _) => ("exit", c),
        (None, Some(sig)) => ("signal", sig),
        (None, None) => ("exit", 0),
    };
    if what == "exit" && code == 0 {
        s.push(Value::Bool(true));
    } else {
        s.push(Value::Nil);
    }
    s.push_str(what.as_bytes());
    s.push(Value::Int(code as i64));
    3
}

/// `aux_close`: close the file in argument 1 (which is open) and push the results.
fn aux_close(s: &mut State, u: Gc<UserData>) -> LuaResult<usize> {
    let Some((st, kind)) = stream_of(u) else {
        return Ok(0);
    };
    if kind == CloseKind::Std {
        s.push(Value::Nil);
        s.push_str(b"cannot close standard file");
        return Ok(2);
    }
    if let Ok(mut d) = u.data.try_borrow_mut() {
        if let Some(f) = d.downcast_mut::<LFile>() {
            f.stream = None;
        }
    }
    let (r, status) = borrow(s, &st)?.close();
    Ok(match (kind, status) {
        (CloseKind::Pipe, Some(status)) => exec_result(s, status),
        _ => file_result(s, r, None),
    })
}

// ---- io functions ----------------------------------------------------------------

fn io_type(s: &mut State) -> LuaResult<usize> {
    let v = s.check_any(1)?;
    match test_file(s, v) {
        None => s.push(Value::Nil),
        Some(u) => {
            let r: &[u8] = if stream_of(u).is_some() {
                b"file"
            } else {
                b"closed file"
            };
            s.push_str(r)
        }
    }
    Ok(1)
}

fn f_tostring(s: &mut State) -> LuaResult<usize> {
    let u = check_lfile(s)?;
    match stream_of(u) {
        None => s.push_str(b"file (closed)"),
        Some((st, _)) => {
            let m = format!("file ({:p})", std::rc::Rc::as_ptr(&st));
            s.push_str(m.as_bytes())
        }
    }
    Ok(1)
}

fn f_close(s: &mut State) -> LuaResult<usize> {
    to_file(s)?;
    let u = check_lfile(s)?;
    aux_close(s, u)
}

fn io_close(s: &mut State) -> LuaResult<usize> {
    if s.nargs() == 0 {
        let out = reg_get(s, IO_OUTPUT);
        s.push(out);
    }
    f_close(s)
}

fn f_gc(s: &mut State) -> LuaResult<usize> {
    let u = check_lfile(s)?;
    if stream_of(u).is_some() {
        aux_close(s, u)?;
    }
    Ok(0)
}

/// `opencheck`: open `fname` or raise "cannot open file".
fn open_check(s: &mut State, fname: &[u8], mode: &[u8]) -> LuaResult<Value> {
    match stream::open(fname, mode) {
        Ok(st) => Ok(new_file(s, Some(st), CloseKind::File)),
        Err(code) => {
            let m = format!(
                "cannot open file '{}' ({})",
                String::from_utf8_lossy(fname),
                stream::strerror(code)
            );
            Err(s.lib_error(&m))
        }
    }
}

fn io_open(s: &mut State) -> LuaResult<usize> {
    let fname = s.check_string(1)?.as_bytes().to_vec();
    let mode = match s.opt_string(2)? {
        Some(m) => m.as_bytes().to_vec(),
        None => b"r".to_vec(),
    };
    if !stream::check_mode(&mode) {
        return Err(s.arg_error(2, "invalid mode"));
    }
    match stream::open(&fname, &mode) {
        Ok(st) => {
            let f = new_file(s, Some(st), CloseKind::File);
            s.push(f);
            Ok(1)
        }
        Err(code) => Ok(push_error(s, code, Some(&fname))),
    }
}

fn io_popen(s: &mut State) -> LuaResult<usize> {
    let prog = s.check_string(1)?.as_bytes().to_vec();
    let mode = match s.opt_string(2)? {
        Some(m) => m.as_bytes().to_vec(),
        None => b"r".to_vec(),
    };
    if mode.as_slice() != b"r" && mode.as_slice() != b"w" {
        return Err(s.arg_error(2, "invalid mode"));
    }
    match stream::popen(&prog, mode[0] == b'w') {
        Ok(st) => {
            let f = new_file(s, Some(st), CloseKind::Pipe);
            s.push(f);
            Ok(1)
        }
        Err(code) => Ok(push_error(s, code, Some(&prog))),
    }
}

fn io_tmpfile(s: &mut State) -> LuaResult<usize> {
    match stream::tmpfile() {
        Ok(st) => {
            let f = new_file(s, Some(st), CloseKind::File);
            s.push(f);
            Ok(1)
        }
        Err(code) => Ok(push_error(s, code, None)),
    }
}

/// `g_iofile`: set (by name or file) and return the default input or output.
fn g_iofile(s: &mut State, key: &str, mode: &[u8]) -> LuaResult<usize> {
    let v = s.arg(1);
    if !v.is_nil() {
        if let Some(name) = s.to_bytes(v) {
            let name = name.as_bytes().to_vec();
            let f = open_check(s, &name, mode)?;
            reg_set(s, key, f);
        } else {
            to_file(s)?;
            reg_set(s, key, v);
        }
    }
    let cur = reg_get(s, key);
    s.push(cur);
    Ok(1)
}

fn io_input(s: &mut State) -> LuaResult<usize> {
    g_iofile(s, IO_INPUT, b"r")
}

fn io_output(s: &mut State) -> LuaResult<usize> {
    g_iofile(s, IO_OUTPUT, b"w")
}

/// `aux_lines`: the iterator over the file in argument 1 with the formats after it.
fn aux_lines(s: &mut State, toclose: bool) -> LuaResult<usize> {
    let n = s.nargs().saturating_sub(1);
    if n > MAXARGLINE {
        return Err(s.arg_error(MAXARGLINE + 2, "too many arguments"));
    }
    let mut up = Vec::with_capacity(n + 3);
    up.push(s.arg(1));
    up.push(Value::Int(n as i64));
    up.push(Value::Bool(toclose));
    for i in 0..n {
        up.push(s.arg(i + 2));
    }
    let f = s.new_native_closure(io_readline, "lines", up);
    s.push(f);
    Ok(1)
}

fn f_lines(s: &mut State) -> LuaResult<usize> {
    to_file(s)?;
    aux_lines(s, false)
}

fn io_lines(s: &mut State) -> LuaResult<usize> {
    if s.nargs() == 0 {
        s.push(Value::Nil);
    }
    let toclose = if s.arg(1).is_nil() {
        let input = reg_get(s, IO_INPUT);
        s.set_arg(1, input);
        to_file(s)?;
        false
    } else {
        let name = s.check_string(1)?.as_bytes().to_vec();
        let f = open_check(s, &name, b"r")?;
        s.set_arg(1, f);
        true
    };
    aux_lines(s, toclose)
}

fn io_readline(s: &mut State) -> LuaResult<usize> {
    let fv = s.native_upvalue(0);
    let st = match fv {
        Value::UserData(u) => stream_of(u).map(|(st, _)| st),
        _ => None,
    };
    let Some(st) = st else {
        return Err(s.lib_error("file is already closed"));
    };
    let n = match s.native_upvalue(1) {
        Value::Int(n) => n.max(0) as usize,
        _ => 0,
    };
    // the formats become arguments 2.. (for g_read and its error messages)
    let base = s.arg_index(1);
    s.set_top(base + 1);
    for i in 0..n {
        let v = s.native_upvalue(3 + i);
        s.push(v);
    }
    let r = g_read(s, &st, 2)?;
    let first = s.stack_at(s.top() - r);
    if first.truthy() {
        return Ok(r);
    }
    if r > 1 {
        // error information: raise the message
        let m = s.stack_at(s.top() - r + 1);
        let mut b = Vec::new();
        s.to_string_raw(m, &mut b);
        return Err(s.lib_error(&String::from_utf8_lossy(&b)));
    }
    if s.native_upvalue(2).truthy() {
        if let Value::UserData(u) = fv {
            s.set_top(base);
            aux_close(s, u)?;
        }
    }
    Ok(0)
}

// ---- reading ---------------------------------------------------------------------

/// PUC's `read_number`: read the longest prefix of a numeral (at most 200 characters)
/// and convert it; the first character that cannot continue it stays unread.
fn read_number(st: &mut Stream) -> Option<Number> {
    struct Rn<'a> {
        st: &'a mut Stream,
        c: Option<u8>,
        buf: Vec<u8>,
        overflow: bool,
    }
    impl Rn<'_> {
        fn nextc(&mut self) -> bool {
            if self.buf.len() >= MAXLENNUM {
                self.overflow = true;
                return false;
            }
            if let Some(c) = self.c {
                self.buf.push(c);
            }
            self.st.skip();
            self.c = self.st.peek();
            true
        }
        fn test2(&mut self, set: &[u8; 2]) -> bool {
            match self.c {
                Some(c) if c == set[0] || c == set[1] => self.nextc(),
                _ => false,
            }
        }
        fn digits(&mut self, hex: bool) -> usize {
            let mut n = 0;
            while let Some(c) = self.c {
                let ok = if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                };
                if !ok || !self.nextc() {
                    break;
                }
                n += 1;
            }
            n
        }
    }
    let mut c = st.peek();
    while let Some(x) = c {
        if !is_space(x) {
            break;
        }
        st.skip();
        c = st.peek();
    }
    let mut rn = Rn {
        st,
        c,
        buf: Vec::with_capacity(32),
        overflow: false,
    };
    let mut count = 0;
    let mut hex = false;
    rn.test2(b"-+");
    if rn.test2(b"00") {
        if rn.test2(b"xX") {
            hex = true;
        } else {
            count = 1;
        }
    }
    count += rn.digits(hex);
    if rn.test2(b"..") {
        count += rn.digits(hex);
    }
    if count > 0 && rn.test2(if hex { b"pP" } else { b"eE" }) {
        rn.test2(b"-+");
        rn.digits(false);
    }
    if rn.overflow {
        return None;
    }
    str2number(&rn.buf)
}

/// Any count at least this big fails as PUC's buffer allocation would.
const MAX_READ: u64 = 1 << 40;

/// `g_read`: read with the formats in arguments `first..`; push the results.
fn g_read(s: &mut State, st: &StreamRef, first: usize) -> LuaResult<usize> {
    // Reading loops allocate a string per call and may run no instruction that collects:
    // collect here, while every live value is still in a root (nothing is held in Rust).
    s.check_gc();
    let nargs = s.nargs().saturating_sub(first - 1);
    borrow(s, st)?.clear_err();
    let mut success;
    let mut n = 0;
    let mut buf = Vec::new();
    if nargs == 0 {
        success = borrow(s, st)?.read_line(&mut buf, true);
        s.push_str(&buf);
        n = 1;
    } else {
        success = true;
        let mut i = first;
        while n < nargs && success {
            buf.clear();
            match s.arg(i) {
                Value::Int(_) | Value::Num(_) => {
                    let l = s.check_integer(i)?;
                    if l == 0 {
                        success = borrow(s, st)?.peek().is_some();
                    } else if l < 0 || l as u64 >= MAX_READ {
                        return Err(s.lib_error("not enough memory for buffer allocation"));
                    } else {
                        success = borrow(s, st)?.read_chars(&mut buf, l as usize);
                    }
                    s.push_str(&buf);
                }
                _ => {
                    let f = s.check_string(i)?;
                    let p = f.as_bytes();
                    let p = p.strip_prefix(b"*").unwrap_or(p);
                    match p.first() {
                        Some(b'n') => match read_number(&mut *borrow(s, st)?) {
                            Some(Number::Int(v)) => s.push(Value::Int(v)),
                            Some(Number::Float(v)) => s.push(Value::Num(v)),
                            None => {
                                s.push(Value::Nil);
                                success = false;
                            }
                        },
                        Some(b'l') => {
                            success = borrow(s, st)?.read_line(&mut buf, true);
                            s.push_str(&buf);
                        }
                        Some(b'L') => {
                            success = borrow(s, st)?.read_line(&mut buf, false);
                            s.push_str(&buf);
                        }
                        Some(b'a') => {
                            borrow(s, st)?.read_all(&mut buf);
                            success = true;
                            s.push_str(&buf);
                        }
                        _ => return Err(s.arg_error(i, "invalid format")),
                    }
                }
            }
            i += 1;
            n += 1;
        }
    }
    if let Some(code) = borrow(s, st)?.error() {
        return Ok(push_error(s, code, None));
    }
    if !success {
        s.pop();
        s.push(Value::Nil);
    }
    Ok(n)
}

fn io_read(s: &mut State) -> LuaResult<usize> {
    let st = get_io_file(s, IO_INPUT)?;
    s.pop();
    g_read(s, &st, 1)
}

fn f_read(s: &mut State) -> LuaResult<usize> {
    let st = to_file(s)?;
    g_read(s, &st, 2)
}

// ---- writing ---------------------------------------------------------------------

/// `g_write`: write arguments `arg..` (numbers as `%.14g` or integers); the file to return
/// is on the top of the stack.
fn g_write(s: &mut State, st: &StreamRef, first: usize) -> LuaResult<usize> {
    let n = s.nargs();
    let mut out = Vec::new();
    let mut status: Result<(), i32> = Ok(());
    for i in first..=n {
        match s.arg(i) {
            Value::Str(v) => out.extend_from_slice(v.as_bytes()),
            Value::Int(v) => luavm_compiler::numfmt::fmt_d(&mut out, v, None, Default::default()),
            Value::Num(v) => {
                luavm_compiler::numfmt::fmt_g(&mut out, v, Some(14), Default::default())
            }
            _ => {
                // what came before is written, as PUC writes argument by argument
                let _ = borrow(s, st)?.write(&out);
                return Err(s.arg_type_error(i, "string"));
            }
        }
    }
    if !out.is_empty() {
        status = borrow(s, st)?.write(&out);
    }
    match status {
        Ok(()) => Ok(1),
        Err(code) => Ok(push_error(s, code, None)),
    }
}

fn io_write(s: &mut State) -> LuaResult<usize> {
    let st = get_io_file(s, IO_OUTPUT)?;
    // the file was pushed on top: move it below the arguments' view by writing first
    let file = s.pop();
    let r = g_write(s, &st, 1)?;
    if r == 1 {
        s.push(file);
    }
    Ok(r)
}

fn f_write(s: &mut State) -> LuaResult<usize> {
    let st = to_file(s)?;
    let r = g_write(s, &st, 2)?;
    if r == 1 {
        let f = s.arg(1);
        s.push(f);
    }
    Ok(r)
}

fn f_seek(s: &mut State) -> LuaResult<usize> {
    let st = to_file(s)?;
    let op = s.check_option(2, Some("cur"), &["set", "cur", "end"])?;
    let off = s.opt_integer(3, 0)?;
    let pos = match op {
        0 => SeekPos::Set(off),
        1 => SeekPos::Cur(off),
        _ => SeekPos::End(off),
    };
    let r = borrow(s, &st)?.seek(pos);
    match r {
        Ok(p) => {
            s.push(Value::Int(p));
            Ok(1)
        }
        Err(code) => Ok(push_error(s, code, None)),
    }
}

fn f_setvbuf(s: &mut State) -> LuaResult<usize> {
    let st = to_file(s)?;
    let op = s.check_option(2, None, &["no", "full", "line"])?;
    s.opt_integer(3, stream::BUFSIZE as i64)?;
    let mode = [BufMode::No, BufMode::Full, BufMode::Line][op];
    let r = borrow(s, &st)?.set_mode(mode);
    Ok(file_result(s, r, None))
}

fn io_flush(s: &mut State) -> LuaResult<usize> {
    let st = get_io_file(s, IO_OUTPUT)?;
    s.pop();
    let r = borrow(s, &st)?.flush();
    Ok(file_result(s, r, None))
}

fn f_flush(s: &mut State) -> LuaResult<usize> {
    let st = to_file(s)?;
    let r = borrow(s, &st)?.flush();
    Ok(file_result(s, r, None))
}
