//! The string library (manual §6.4), over `lpattern` and `lformat`, and the string
//! metatable (`("x"):upper()`).
//!
//! Invariant: subject and pattern strings stay on the stack (they are arguments) while
//! callbacks into Lua run, so the collector never frees bytes borrowed here.

use luavm_vm::state::{EXTRA_STACK, MAX_STACK};
use luavm_vm::{Gc, LuaError, LuaResult, LuaStr, State, Type, Value};

use crate::lformat::{self, FormatArgs};
use crate::lpattern::{self, Capture, GMatchState, Match, MatchState};
use crate::lstrpack;
use crate::Lib;

pub const FUNCS: Lib = &[
    ("byte", byte),
    ("char", char),
    ("dump", dump),
    ("find", find),
    ("format", format),
    ("gmatch", gmatch),
    ("gsub", gsub),
    ("len", len),
    ("lower", lower),
    ("match", match_),
    ("rep", rep),
    ("reverse", reverse),
    ("sub", sub),
    ("upper", upper),
    ("pack", lstrpack::pack),
    ("packsize", lstrpack::packsize),
    ("unpack", lstrpack::unpack),
];

/// Longest string the library builds (PUC's `MAXSIZE` check for `rep`).
const MAX_STRING: usize = i32::MAX as usize;

pub fn open(s: &mut State) {
    let t = crate::open_lib_with(s, "string", FUNCS, 0);
    let mt = s.new_table_with(0, 1);
    s.raw_set_static(mt, "__index", Value::Table(t));
    s.set_type_metatable(Type::String, Some(mt));
}

/// Lua string position (1-based, negative from the end) to a 0-based start, clamped.
pub(crate) fn pos_relat(pos: i64, len: usize) -> i64 {
    if pos >= 0 {
        pos
    } else if pos.unsigned_abs() > len as u64 {
        0
    } else {
        len as i64 + pos + 1
    }
}

fn len(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    s.push(Value::Int(st.len() as i64));
    Ok(1)
}

fn sub(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let l = st.len();
    let mut i = pos_relat(s.opt_integer(2, 1)?, l);
    let mut j = pos_relat(s.opt_integer(3, -1)?, l);
    if i < 1 {
        i = 1;
    }
    if j > l as i64 {
        j = l as i64;
    }
    if i > j {
        s.push_str(b"");
    } else {
        let b = &st.as_bytes()[(i - 1) as usize..j as usize];
        let v = s.str_value(b);
        s.push(v);
    }
    Ok(1)
}

fn map_bytes(s: &mut State, f: fn(u8) -> u8) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let out: Vec<u8> = st.as_bytes().iter().map(|&c| f(c)).collect();
    let v = Value::Str(s.new_str_vec(out));
    s.push(v);
    Ok(1)
}

fn upper(s: &mut State) -> LuaResult<usize> {
    map_bytes(s, |c| c.to_ascii_uppercase())
}

fn lower(s: &mut State) -> LuaResult<usize> {
    map_bytes(s, |c| c.to_ascii_lowercase())
}

fn reverse(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let mut out = st.as_bytes().to_vec();
    out.reverse();
    let v = Value::Str(s.new_str_vec(out));
    s.push(v);
    Ok(1)
}

fn rep(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let n = s.check_integer(2)?;
    let sep = s.opt_string(3)?;
    if n <= 0 {
        s.push_str(b"");
        return Ok(1);
    }
    let sep_b: &[u8] = sep.as_ref().map(|x| x.as_bytes()).unwrap_or(b"");
    let unit = st.len() + sep_b.len();
    let total = (unit as u128) * (n as u128) - sep_b.len() as u128;
    if unit > 0 && total >= MAX_STRING as u128 {
        return Err(s.lib_error("resulting string too large"));
    }
    s.check_alloc(total as usize)?;
    let mut out = Vec::with_capacity(total as usize);
    for k in 0..n {
        out.extend_from_slice(st.as_bytes());
        if k + 1 < n {
            out.extend_from_slice(sep_b);
        }
    }
    let v = Value::Str(s.new_str_vec(out));
    s.push(v);
    Ok(1)
}

fn byte(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let l = st.len();
    let i = s.opt_integer(2, 1)?;
    let posi = pos_relat(i, l);
    let pose = pos_relat(s.opt_integer(3, posi)?, l);
    let posi = posi.max(1);
    let pose = pose.min(l as i64);
    if posi > pose {
        return Ok(0);
    }
    if pose - posi >= i32::MAX as i64 {
        return Err(s.lib_error("string slice too long"));
    }
    let n = (pose - posi + 1) as usize;
    // PUC's luaL_checkstack(L, n, "string slice too long")
    if s.top() + EXTRA_STACK + n > MAX_STACK {
        return Err(s.lib_error("stack overflow (string slice too long)"));
    }
    s.check_stack(n)?;
    for k in 0..n {
        let c = st.as_bytes()[posi as usize - 1 + k];
        s.push(Value::Int(c as i64));
    }
    Ok(n)
}

fn char(s: &mut State) -> LuaResult<usize> {
    let n = s.nargs();
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let c = s.check_integer(i)?;
        if !(0..=255).contains(&c) {
            return Err(s.arg_error(i, "value out of range"));
        }
        out.push(c as u8);
    }
    let v = Value::Str(s.new_str_vec(out));
    s.push(v);
    Ok(1)
}

fn dump(s: &mut State) -> LuaResult<usize> {
    let f = s.arg(1);
    let strip = s.arg(2).truthy();
    match f {
        Value::LuaFn(c) => {
            let bytes = luavm_compiler::dump::dump(&c.p.proto, strip);
            let v = Value::Str(s.new_str_vec(bytes));
            s.push(v);
            Ok(1)
        }
        v if v.is_function() => Err(s.lib_error("unable to dump given function")),
        _ => Err(s.arg_type_error(1, "function")),
    }
}

// ---- format -------------------------------------------------------------------

struct Args<'a> {
    s: &'a mut State,
}

impl FormatArgs for Args<'_> {
    type Error = LuaError;
    fn arg_count(&self) -> usize {
        self.s.nargs().saturating_sub(1)
    }
    fn integer(&mut self, n: usize) -> Result<i64, LuaError> {
        self.s.check_integer(n + 1)
    }
    fn number(&mut self, n: usize) -> Result<f64, LuaError> {
        self.s.check_number(n + 1)
    }
    fn string(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), LuaError> {
        let v = self.s.arg(n + 1);
        match v {
            Value::Str(st) => out.extend_from_slice(st.as_bytes()),
            _ => {
                let st = self.s.to_string_meta(v)?;
                out.extend_from_slice(st.as_bytes());
            }
        }
        Ok(())
    }
    fn quoted(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), LuaError> {
        match self.s.arg(n + 1) {
            Value::Str(st) => lformat::add_quoted(out, st.as_bytes()),
            Value::Int(i) => lformat::add_quoted_integer(out, i),
            Value::Num(f) => lformat::add_quoted_float(out, f),
            v @ (Value::Nil | Value::Bool(_)) => self.s.to_string_raw(v, out),
            _ => return Err(self.s.arg_error(n + 1, "value has no literal form")),
        }
        Ok(())
    }
    fn arg_error(&mut self, n: usize, extramsg: &str) -> LuaError {
        if n + 1 > self.s.nargs() && extramsg.starts_with("no value") {
            return self.s.arg_error(n + 1, "no value");
        }
        self.s.arg_error(n + 1, extramsg)
    }
    fn error(&mut self, msg: String) -> LuaError {
        self.s.lib_error(&msg)
    }
}

fn format(s: &mut State) -> LuaResult<usize> {
    let fmt = s.check_string(1)?;
    let out = lformat::format(fmt.as_bytes(), &mut Args { s })?;
    let v = Value::Str(s.new_str_vec(out));
    s.push(v);
    Ok(1)
}

// ---- patterns -------------------------------------------------------------------

/// Push capture `c` of a match on `src` (whole match when there are no captures).
fn push_capture(s: &mut State, src: &[u8], c: Capture) {
    match c {
        Capture::Bytes { start, end } => {
            let v = s.str_value(&src[start..end]);
            s.push(v);
        }
        Capture::Position(p) => s.push(Value::Int(p as i64)),
    }
}

/// Push the captures of `m` (or the whole match); returns how many.
fn push_captures(s: &mut State, src: &[u8], m: &Match, whole_if_none: bool) -> LuaResult<usize> {
    if m.captures.is_empty() {
        if whole_if_none {
            push_capture(
                s,
                src,
                Capture::Bytes {
                    start: m.start,
                    end: m.end,
                },
            );
            return Ok(1);
        }
        return Ok(0);
    }
    s.check_stack(m.captures.len())
        .map_err(|_| s.lib_error("too many captures"))?;
    for c in &m.captures {
        push_capture(s, src, *c);
    }
    Ok(m.captures.len())
}

fn pattern_error(s: &mut State, msg: String) -> LuaError {
    s.lib_error(&msg)
}

fn str_find_aux(s: &mut State, find: bool) -> LuaResult<usize> {
    let src = s.check_string(1)?;
    let pat = s.check_string(2)?;
    let init = s.opt_integer(3, 1)?;
    let plain = find && s.arg(4).truthy();
    let r = if find {
        lpattern::str_find(src.as_bytes(), pat.as_bytes(), init, plain)
    } else {
        lpattern::str_match(src.as_bytes(), pat.as_bytes(), init)
    };
    match r {
        Err(m) => Err(pattern_error(s, m)),
        Ok(None) => {
            s.push(Value::Nil);
            Ok(1)
        }
        Ok(Some(m)) => {
            if find {
                s.push(Value::Int(m.start as i64 + 1));
                s.push(Value::Int(m.end as i64));
                Ok(2 + push_captures(s, src.as_bytes(), &m, false)?)
            } else {
                push_captures(s, src.as_bytes(), &m, true)
            }
        }
    }
}

fn find(s: &mut State) -> LuaResult<usize> {
    str_find_aux(s, true)
}

fn match_(s: &mut State) -> LuaResult<usize> {
    str_find_aux(s, false)
}

fn gmatch_aux(s: &mut State) -> LuaResult<usize> {
    let (src, pat) = match (s.native_upvalue(0), s.native_upvalue(1)) {
        (Value::Str(a), Value::Str(b)) => (a, b),
        _ => return Ok(0),
    };
    let pos = match s.native_upvalue(2) {
        Value::Int(i) => i,
        _ => 0,
    };
    let last = match s.native_upvalue(3) {
        Value::Int(i) => Some(i as usize),
        _ => None,
    };
    let mut st = GMatchState {
        src: pos as usize,
        lastmatch: last,
    };
    match st.next_match(src.as_bytes(), pat.as_bytes()) {
        Err(m) => Err(pattern_error(s, m)),
        Ok(None) => {
            s.set_native_upvalue(2, Value::Int(st.src as i64));
            Ok(0)
        }
        Ok(Some(m)) => {
            s.set_native_upvalue(2, Value::Int(st.src as i64));
            s.set_native_upvalue(
                3,
                st.lastmatch
                    .map(|x| Value::Int(x as i64))
                    .unwrap_or(Value::Nil),
            );
            push_captures(s, src.as_bytes(), &m, true)
        }
    }
}

fn gmatch(s: &mut State) -> LuaResult<usize> {
    let src = s.check_string(1)?;
    let pat = s.check_string(2)?;
    let f = s.new_native_closure(
        gmatch_aux,
        "gmatch_aux",
        vec![Value::Str(src), Value::Str(pat), Value::Int(0), Value::Nil],
    );
    s.push(f);
    Ok(1)
}

enum GsubErr {
    Pattern(String),
    Lua(LuaError),
}

impl From<String> for GsubErr {
    fn from(m: String) -> Self {
        GsubErr::Pattern(m)
    }
}

fn gsub(s: &mut State) -> LuaResult<usize> {
    let src = s.check_string(1)?;
    let pat = s.check_string(2)?;
    let repl = s.arg(3);
    match repl {
        Value::Str(_) | Value::Int(_) | Value::Num(_) | Value::Table(_) => {}
        v if v.is_function() => {}
        _ => return Err(s.arg_error(3, "string/function/table expected")),
    }
    let max_n = if s.arg(4).is_nil() {
        None
    } else {
        Some(s.check_integer(4)?)
    };
    let repl_str: Option<Gc<LuaStr>> = match repl {
        Value::Str(r) => Some(r),
        Value::Int(_) | Value::Num(_) => Some(s.check_string(3)?),
        _ => None,
    };
    let mut out = Vec::with_capacity(src.len());
    let srcb = src.as_bytes();
    let r = lpattern::gsub(
        srcb,
        pat.as_bytes(),
        max_n,
        &mut out,
        |ms: &MatchState<'_>, st, e, out| {
            if let Some(r) = repl_str {
                return lpattern::expand_replacement(out, r.as_bytes(), ms, st, e)
                    .map_err(GsubErr::Pattern);
            }
            // table or function: look up / call with the first capture (or whole match)
            let first = ms.get_capture(0, st, e).map_err(GsubErr::Pattern)?;
            let key = match first {
                Capture::Bytes { start, end } => s.str_value(&srcb[start..end]),
                Capture::Position(p) => Value::Int(p as i64),
            };
            let v = if let Value::Table(_) = repl {
                s.index(repl, key).map_err(GsubErr::Lua)?
            } else {
                let caps = ms.captures(st, e, true).map_err(GsubErr::Pattern)?;
                let base = s.top();
                s.push(repl);
                for c in caps {
                    push_capture(s, srcb, c);
                }
                s.call(base, 1).map_err(GsubErr::Lua)?;
                let v = s.stack_at(base);
                s.set_top(base);
                v
            };
            match v {
                Value::Nil | Value::Bool(false) => out.extend_from_slice(&srcb[st..e]),
                Value::Str(x) => out.extend_from_slice(x.as_bytes()),
                Value::Int(_) | Value::Num(_) => {
                    crate::push_number(out, v);
                }
                other => {
                    let t = s.obj_type_name(other);
                    return Err(GsubErr::Lua(
                        s.lib_error(&format!("invalid replacement value (a {t})")),
                    ));
                }
            }
            Ok(())
        },
    );
    let n = match r {
        Ok(n) => n,
        Err(GsubErr::Pattern(m)) => return Err(pattern_error(s, m)),
        Err(GsubErr::Lua(e)) => return Err(e),
    };
    let v = Value::Str(s.new_str_vec(out));
    s.push(v);
    s.push(Value::Int(n));
    Ok(2)
}
