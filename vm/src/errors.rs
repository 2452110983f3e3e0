//! Every runtime error message of the VM is built here, with PUC 5.3's words: positions
//! (`chunk:line:`), variable names found by symbolic execution of the bytecode (PUC's
//! `getobjname`), function names for "bad argument" and tracebacks.
//!
//! Invariant: all raising goes through `State::throw`, which runs the message handler
//! (`xpcall`) at the point of the error, before anything is unwound.

use luavm_compiler::opcodes::{inst, OpCode};
use luavm_compiler::{chunk_id, Proto};
use luavm_gc::Gc;

use crate::debug::InfoTarget;
use crate::error::LuaError;
use crate::meta::Tm;
use crate::ops::Src;
use crate::state::State;
use crate::thread::Thread;
use crate::value::Value;

/// Whether `op` writes register A (PUC's `testAMode`).
fn sets_a(op: OpCode) -> bool {
    !matches!(
        op,
        OpCode::SetTabUp
            | OpCode::SetUpval
            | OpCode::SetTable
            | OpCode::Jmp
            | OpCode::Eq
            | OpCode::Lt
            | OpCode::Le
            | OpCode::Test
            | OpCode::Return
            | OpCode::TForCall
            | OpCode::SetList
            | OpCode::ExtraArg
    )
}

/// The last instruction before `lastpc` that set register `reg` (PUC's `findsetreg`).
fn find_set_reg(p: &Proto, lastpc: usize, reg: u32) -> Option<usize> {
    let mut setreg = None;
    let mut jmptarget = 0usize;
    for pc in 0..lastpc.min(p.code.len()) {
        let i = p.code[pc];
        let op = inst::opcode(i);
        let a = inst::a(i);
        let hit = match op {
            OpCode::LoadNil => a <= reg && reg <= a + inst::b(i),
            OpCode::TForCall => reg >= a + 2,
            OpCode::Call | OpCode::TailCall => reg >= a,
            OpCode::Jmp => {
                let dest = pc as isize + 1 + inst::sbx(i) as isize;
                if (pc as isize) < dest && dest <= lastpc as isize && dest as usize > jmptarget {
                    jmptarget = dest as usize;
                }
                false
            }
            _ => sets_a(op) && reg == a,
        };
        if hit {
            setreg = if pc < jmptarget { None } else { Some(pc) };
        }
    }
    setreg
}

fn upval_name(p: &Proto, i: u32) -> String {
    match p.upvalues.get(i as usize).and_then(|u| u.name.as_ref()) {
        Some(n) => String::from_utf8_lossy(n).into_owned(),
        None => "?".to_string(),
    }
}

fn const_str(p: &Proto, idx: u32) -> Option<String> {
    match p.constants.get(idx as usize) {
        Some(luavm_compiler::Constant::Str(s)) => Some(String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

/// Name of the key operand `c` of a table access (PUC's `kname`).
fn key_name(p: &Proto, pc: usize, c: u32) -> String {
    if inst::is_k(c) {
        if let Some(s) = const_str(p, inst::index_k(c)) {
            return s;
        }
    } else if let Some(("constant", n)) = obj_name(p, pc, c) {
        return n;
    }
    "?".to_string()
}

/// Kind and name of the value in register `reg` at `lastpc` (PUC's `getobjname`).
pub fn obj_name(p: &Proto, lastpc: usize, reg: u32) -> Option<(&'static str, String)> {
    if let Some(n) = p.local_name(reg as usize + 1, lastpc) {
        return Some(("local", String::from_utf8_lossy(n).into_owned()));
    }
    let pc = find_set_reg(p, lastpc, reg)?;
    let i = p.code[pc];
    match inst::opcode(i) {
        OpCode::Move => {
            let b = inst::b(i);
            if b < inst::a(i) {
                return obj_name(p, pc, b);
            }
            None
        }
        OpCode::GetTabUp | OpCode::GetTable => {
            let t = inst::b(i);
            let is_env = if inst::opcode(i) == OpCode::GetTable {
                p.local_name(t as usize + 1, pc)
                    .map(|n| n == b"_ENV")
                    .unwrap_or(false)
            } else {
                upval_name(p, t) == "_ENV"
            };
            let name = key_name(p, pc, inst::c(i));
            Some((if is_env { "global" } else { "field" }, name))
        }
        OpCode::GetUpval => Some(("upvalue", upval_name(p, inst::b(i)))),
        OpCode::LoadK | OpCode::LoadKx => {
            let b = if inst::opcode(i) == OpCode::LoadK {
                inst::bx(i)
            } else {
                inst::ax(*p.code.get(pc + 1)?)
            };
            const_str(p, b).map(|s| ("constant", s))
        }
        OpCode::SelfOp => Some(("method", key_name(p, pc, inst::c(i)))),
        _ => None,
    }
}

/// Name of the function called by the instruction at `pc` of `p` (PUC's `funcnamefromcode`).
pub(crate) fn func_name_from_code(p: &Proto, pc: usize) -> Option<(&'static str, String)> {
    let i = *p.code.get(pc)?;
    let tm = match inst::opcode(i) {
        OpCode::Call | OpCode::TailCall => return obj_name(p, pc, inst::a(i)),
        OpCode::TForCall => return Some(("for iterator", "for iterator".to_string())),
        OpCode::SelfOp | OpCode::GetTabUp | OpCode::GetTable => Tm::Index,
        OpCode::SetTabUp | OpCode::SetTable => Tm::NewIndex,
        OpCode::Add => Tm::Add,
        OpCode::Sub => Tm::Sub,
        OpCode::Mul => Tm::Mul,
        OpCode::Mod => Tm::Mod,
        OpCode::Pow => Tm::Pow,
        OpCode::Div => Tm::Div,
        OpCode::IDiv => Tm::IDiv,
        OpCode::BAnd => Tm::BAnd,
        OpCode::BOr => Tm::BOr,
        OpCode::BXor => Tm::BXor,
        OpCode::Shl => Tm::Shl,
        OpCode::Shr => Tm::Shr,
        OpCode::Unm => Tm::Unm,
        OpCode::BNot => Tm::BNot,
        OpCode::Len => Tm::Len,
        OpCode::Concat => Tm::Concat,
        OpCode::Eq => Tm::Eq,
        OpCode::Lt => Tm::Lt,
        OpCode::Le => Tm::Le,
        _ => return None,
    };
    Some(("metamethod", tm.name().to_string()))
}

impl State {
    /// "chunk:line:" of the frame `level` levels below the running one, or "" when it is
    /// not a Lua function or its line is unknown (PUC's `luaL_where`).
    pub fn where_(&self, level: usize) -> String {
        self.with_frames(None, |fr| {
            let Some(idx) = fr.level(level as i64) else {
                return String::new();
            };
            match fr.proto(idx) {
                Some(p) if fr.current_line(idx) > 0 => {
                    format!("{}:{}:", chunk_id(&p.source), fr.current_line(idx))
                }
                _ => String::new(),
            }
        })
    }

    /// "chunk:line:" of the running frame if it is a Lua function, even when the line is
    /// unknown (-1), as PUC's `luaG_runerror`; "" otherwise.
    fn run_position(&self) -> String {
        self.with_frames(None, |fr| {
            let Some(idx) = fr.level(0) else {
                return String::new();
            };
            match fr.proto(idx) {
                Some(p) => format!("{}:{}:", chunk_id(&p.source), fr.current_line(idx)),
                None => String::new(),
            }
        })
    }

    /// Raise `v` as an error: run the message handler (if any) first.
    pub fn throw(&mut self, v: Value) -> LuaError {
        if self.errfunc != 0 && self.errfunc < self.top.max(self.errfunc + 1) {
            let h = self.stack[self.errfunc];
            if h.is_function() {
                match self.call_value1(h, &[v]) {
                    Ok(r) => return self.set_error(r),
                    Err(e) => return e,
                }
            }
        }
        self.set_error(v)
    }

    /// A runtime error at the running frame's position (PUC's `luaG_runerror`).
    #[cold]
    #[inline(never)]
    pub fn runtime_error(&mut self, msg: &str) -> LuaError {
        let w = self.run_position();
        let m = format!("{w}{}{msg}", if w.is_empty() { "" } else { " " });
        let v = self.str_value(m.as_bytes());
        self.throw(v)
    }

    /// An error from a library function, positioned at its caller (PUC's `luaL_error`).
    pub fn lib_error(&mut self, msg: &str) -> LuaError {
        let w = self.where_(1);
        let m = format!("{w}{}{msg}", if w.is_empty() { "" } else { " " });
        let v = self.str_value(m.as_bytes());
        self.throw(v)
    }

    /// Type name of a value for messages, honouring `__name` (PUC's `luaT_objtypename`).
    pub fn obj_type_name(&self, v: Value) -> String {
        if let Some(mt) = match v {
            Value::Table(t) => t.metatable(),
            Value::UserData(u) => u.metatable.get(),
            _ => None,
        } {
            if let Value::Str(s) = mt.get_str(self.tm_name(Tm::Name)) {
                return s.to_str_lossy().into_owned();
            }
        }
        if let Value::LightUserData(_) = v {
            return "light userdata".to_string();
        }
        v.type_name().to_string()
    }

    /// " (local 'x')" and the like, for a value that came from `src` in the running frame.
    pub(crate) fn var_info(&self, _v: Value, src: Src) -> String {
        let Some((p, pc)) = self.with_frames(None, |fr| {
            let idx = fr.level(0)?;
            Some((fr.proto(idx)?, fr.ci[idx].pc as usize))
        }) else {
            return String::new();
        };
        let found = match src {
            Src::Reg(r) => obj_name(&p, pc.saturating_sub(1), r),
            Src::Up(u) => Some(("upvalue", upval_name(&p, u))),
            Src::None => None,
        };
        match found {
            Some((kind, name)) => format!(" ({kind} '{name}')"),
            None => String::new(),
        }
    }

    /// "attempt to <op> a <type> value (<varinfo>)".
    pub(crate) fn type_error(&mut self, v: Value, op: &str, src: Src) -> LuaError {
        let t = self.obj_type_name(v);
        let info = self.var_info(v, src);
        self.runtime_error(&format!("attempt to {op} a {t} value{info}"))
    }

    pub(crate) fn type_error_key(&mut self, v: Value, op: &str, src: Src, _key: Value) -> LuaError {
        self.type_error(v, op, src)
    }

    /// The value at `func` cannot be called.
    pub(crate) fn call_error(&mut self, func: usize) -> LuaError {
        let v = self.stack[func];
        let src = match self.ci.last() {
            Some(c) if c.is_lua() && func >= c.base as usize => {
                Src::Reg((func - (c.base as usize)) as u32)
            }
            _ => Src::None,
        };
        self.type_error(v, "call", src)
    }

    pub(crate) fn compare_error(&mut self, a: Value, b: Value) -> LuaError {
        let t1 = self.obj_type_name(a);
        let t2 = self.obj_type_name(b);
        if t1 == t2 {
            self.runtime_error(&format!("attempt to compare two {t1} values"))
        } else {
            self.runtime_error(&format!("attempt to compare {t1} with {t2}"))
        }
    }

    /// Name of the function running in frame index `idx` of the running thread, from the
    /// code that called it: `(namewhat, name)` as `getinfo(..., "n")`.
    pub fn frame_func_name(&self, idx: usize) -> Option<(&'static str, String)> {
        self.with_frames(None, |fr| fr.func_name(idx))
    }

    /// "module.name" of a function found in `package.loaded` (PUC's `pushglobalfuncname`).
    pub fn global_func_name(&self, f: Value) -> Option<String> {
        let loaded = match self
            .registry
            .get(Value::Str(self.find_interned(b"_LOADED")?))
        {
            Value::Table(t) => t,
            _ => return None,
        };
        let mut k = Value::Nil;
        let mut found: Option<String> = None;
        while let Ok(Some((key, val))) = loaded.next(k) {
            k = key;
            let modname = match key {
                Value::Str(s) => s.to_str_lossy().into_owned(),
                _ => continue,
            };
            if val.raw_equal(f) {
                found = Some(modname);
                break;
            }
            if let Value::Table(m) = val {
                let mut k2 = Value::Nil;
                while let Ok(Some((key2, val2))) = m.next(k2) {
                    k2 = key2;
                    if val2.raw_equal(f) {
                        if let Value::Str(s2) = key2 {
                            let name = format!("{modname}.{}", s2.to_str_lossy());
                            // prefer names from library tables over "_G."
                            let better =
                                found.as_ref().map(|f| f.starts_with("_G.")).unwrap_or(true);
                            if better {
                                found = Some(name);
                            }
                        }
                    }
                }
            }
        }
        found.map(|n| n.strip_prefix("_G.").map(str::to_string).unwrap_or(n))
    }

    /// An interned string if it exists (no allocation).
    pub(crate) fn find_interned(&self, b: &[u8]) -> Option<luavm_gc::Gc<crate::string::LuaStr>> {
        self.strings.find(b)
    }

    /// "bad argument #n to 'f' (msg)" for the running Rust function (PUC's `luaL_argerror`).
    pub fn arg_error(&mut self, mut arg: usize, extramsg: &str) -> LuaError {
        let idx = self.ci.len() - 1;
        let name = self.frame_func_name(idx);
        if let Some(("method", ref n)) = name {
            arg -= 1;
            if arg == 0 {
                return self.lib_error(&format!("calling '{n}' on bad self ({extramsg})"));
            }
        }
        let fname = match name {
            Some((_, n)) => n,
            None => {
                let f = self.stack[self.ci[idx].func as usize];
                self.global_func_name(f).unwrap_or_else(|| "?".to_string())
            }
        };
        self.lib_error(&format!("bad argument #{arg} to '{fname}' ({extramsg})"))
    }

    /// `"bad argument #n to 'f' (<expected> expected, got <type>)"` (PUC's `luaL_typeerror`).
    pub fn arg_type_error(&mut self, arg: usize, expected: &str) -> LuaError {
        let got = if arg > self.nargs() {
            "no value".to_string()
        } else {
            let v = self.arg(arg);
            self.obj_type_name(v)
        };
        self.arg_error(arg, &format!("{expected} expected, got {got}"))
    }

    /// A traceback of the running thread from `level` (PUC's `luaL_traceback` format).
    pub fn traceback(&self, msg: Option<&str>, level: usize) -> String {
        let tb = self.traceback_of(None, msg.map(str::as_bytes), level as i64);
        String::from_utf8_lossy(&tb).into_owned()
    }

    /// A traceback of thread `th` (`None`: the running one) from `level`, after `msg`
    /// (PUC's `luaL_traceback`): at most 10 levels, "...", and the last 11 when there are
    /// more than 22.
    pub fn traceback_of(&self, th: Option<Gc<Thread>>, msg: Option<&[u8]>, level: i64) -> Vec<u8> {
        const LEVELS1: i64 = 10;
        const LEVELS2: i64 = 11;
        let mut out = Vec::new();
        if let Some(m) = msg {
            out.extend_from_slice(m);
            out.push(b'\n');
        }
        out.extend_from_slice(b"stack traceback:");
        self.with_frames(th, |fr| {
            // the deepest level
            let last = fr.ci.len() as i64 - 2;
            let mut n1 = if last - level > LEVELS1 + LEVELS2 {
                LEVELS1
            } else {
                -1
            };
            let mut level = level;
            while let Some(idx) = fr.level(level) {
                level += 1;
                if n1 == 0 {
                    out.extend_from_slice(b"\n\t...");
                    level = last - LEVELS2 + 1;
                    n1 -= 1;
                    continue;
                }
                n1 -= 1;
                let Some(ar) = fr.info(InfoTarget::Frame(idx), b"Slntf") else {
                    continue;
                };
                out.extend_from_slice(format!("\n\t{}:", ar.short_src).as_bytes());
                if ar.current_line > 0 {
                    out.extend_from_slice(format!("{}:", ar.current_line).as_bytes());
                }
                out.extend_from_slice(b" in ");
                let fname = if let Some(g) = self.global_func_name(ar.func) {
                    format!("function '{g}'")
                } else if !ar.namewhat.is_empty() {
                    format!("{} '{}'", ar.namewhat, ar.name.unwrap_or_default())
                } else if ar.what == "main" {
                    "main chunk".to_string()
                } else if ar.what != "C" {
                    format!("function <{}:{}>", ar.short_src, ar.line_defined)
                } else {
                    "?".to_string()
                };
                out.extend_from_slice(fname.as_bytes());
                if ar.is_tail_call {
                    out.extend_from_slice(b"\n\t(...tail calls...)");
                }
            }
        });
        out
    }
}
