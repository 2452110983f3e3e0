//! Introspection for the debug library (the VM half of PUC's `ldebug.c` API): the frame at
//! a stack level of any thread, what `getinfo` reports about a frame or a function, a
//! frame's locals (named from the prototype's `loc_vars` at the frame's pc, temporaries,
//! varargs), closure upvalues (get, set, identity, join), active lines, and the hook
//! settings `debug.sethook` stores.
//!
//! Levels count as in PUC: level 0 is the running function (the library function asking),
//! level 1 its caller, and so on; the base frame `ci[0]` is no level. A thread that is not
//! running is read through its saved `ThreadData` (in the cell `State::data_holder` names:
//! a resumer's is in the cell of the coroutine it resumed), the running one through `State`.
//!
//! Invariants:
//! - nothing here panics on any input: levels, indices and slots are checked, a frame
//!   without a function reads as a Rust frame, a thread whose data is being swapped reads
//!   as having no frames;
//! - hooks are only stored (per thread, as PUC's `hook`/`hookmask`/`basehookcount`): the
//!   interpreter does not call them yet.

use std::sync::Arc;

use luavm_compiler::{chunk_id, Proto};
use luavm_gc::{Gc, Heap};

use crate::errors::func_name_from_code;
use crate::state::State;
use crate::thread::{cist, CallInfo, Thread};
use crate::value::Value;

/// Hook event bits of a `Hook`'s mask (PUC's `LUA_MASK*`).
pub mod hookmask {
    pub const CALL: u8 = 1;
    pub const RET: u8 = 2;
    pub const LINE: u8 = 4;
    pub const COUNT: u8 = 8;
}

/// A thread's hook, as `debug.sethook` sets it. `func` is nil when no hook is set; the
/// mask is 0 then. `count` is kept even when the mask has no count bit (PUC's
/// `basehookcount`).
#[derive(Clone, Copy, Default)]
pub struct Hook {
    pub func: Value,
    pub mask: u8,
    pub count: i32,
    /// Instructions left before the next count event (PUC's `hookcount`).
    pub hookcount: i32,
    /// pc (index of the next instruction) of the last traced instruction (PUC's `oldpc`).
    pub oldpc: u32,
}

/// The frames of one thread, read-only: its stack, frames and top.
pub(crate) struct Frames<'a> {
    pub stack: &'a [Value],
    pub ci: &'a [CallInfo],
    pub top: usize,
}

/// What `lua_getinfo` fills in (only the fields its options asked for).
#[derive(Clone, Default)]
pub struct DebugInfo {
    /// The chunk name the function was loaded with (`=[C]` for Rust functions).
    pub source: Vec<u8>,
    pub short_src: String,
    pub line_defined: i64,
    pub last_line_defined: i64,
    /// `"Lua"`, `"C"` or `"main"`.
    pub what: &'static str,
    /// -1 when not a running Lua frame.
    pub current_line: i64,
    pub name: Option<String>,
    /// `"global"`, `"local"`, `"method"`, `"field"`, `"upvalue"`, `"metamethod"`,
    /// `"for iterator"`, `"constant"` or `""`.
    pub namewhat: &'static str,
    pub nups: usize,
    pub nparams: usize,
    pub is_vararg: bool,
    pub is_tail_call: bool,
    /// The function (option `f`).
    pub func: Value,
    /// Lines with code (option `L`), `None` for Rust functions.
    pub active_lines: Option<Vec<u32>>,
}

/// What `getinfo` is about.
#[derive(Clone, Copy)]
pub enum InfoTarget {
    /// The frame at index `usize` of the thread (from `State::debug_level`).
    Frame(usize),
    /// A function value (or, as PUC's `>` option allows, any value: non-functions read as
    /// Rust functions).
    Function(Value),
}

/// The prototype of a Lua function value.
fn lua_proto(f: Value) -> Option<Arc<Proto>> {
    match f {
        Value::LuaFn(c) => Some(c.p.proto.clone()),
        _ => None,
    }
}

/// `luaF_getlocalname` with PUC's signed pc: no local is active before the first
/// instruction ran (pc -1).
fn local_name(p: &Proto, n: i64, pc: i64) -> Option<&[u8]> {
    if n < 1 || pc < 0 {
        return None;
    }
    p.local_name(n as usize, pc as usize)
}

impl Frames<'_> {
    /// Frame index of `level` (PUC's `lua_getstack`): `None` when negative or too deep.
    pub fn level(&self, level: i64) -> Option<usize> {
        if level < 0 {
            return None;
        }
        let n = self.ci.len() as i64;
        let idx = n - 1 - level;
        if idx >= 1 {
            Some(idx as usize)
        } else {
            None
        }
    }

    /// The function running in frame `idx` (nil if none).
    pub fn func(&self, idx: usize) -> Value {
        match self.ci.get(idx) {
            Some(ci) if idx > 0 => self
                .stack
                .get(ci.func as usize)
                .copied()
                .unwrap_or_default(),
            _ => Value::Nil,
        }
    }

    /// The Lua prototype running in frame `idx`, if it is a Lua frame.
    pub fn proto(&self, idx: usize) -> Option<Arc<Proto>> {
        if !self.ci.get(idx)?.is_lua() {
            return None;
        }
        lua_proto(self.func(idx))
    }

    /// The pc of the instruction frame `idx` is executing (PUC's `currentpc`, -1 before
    /// the first one).
    fn current_pc(&self, idx: usize) -> i64 {
        self.ci.get(idx).map(|c| c.pc as i64 - 1).unwrap_or(-1)
    }

    /// Current line of frame `idx` (-1 for Rust frames and functions without line
    /// information: a stripped binary chunk has line 0 everywhere).
    pub fn current_line(&self, idx: usize) -> i64 {
        match self.proto(idx) {
            Some(p) => match p.line_at(self.current_pc(idx).max(0) as usize) {
                0 => -1,
                line => line as i64,
            },
            None => -1,
        }
    }

    /// How the function of frame `idx` was called, from the calling instruction (PUC's
    /// `getfuncname`): `(namewhat, name)`, or `None` for a tail call or a caller that is
    /// not a Lua function.
    pub fn func_name(&self, idx: usize) -> Option<(&'static str, String)> {
        if idx == 0 {
            return None;
        }
        let ci = self.ci.get(idx)?;
        if ci.status & cist::FIN != 0 {
            return Some(("metamethod", "__gc".to_string()));
        }
        if ci.status & cist::TAIL != 0 {
            return None;
        }
        let p = self.proto(idx - 1)?;
        if self.ci.get(idx - 1)?.status & cist::HOOKED != 0 {
            return Some(("hook", "?".to_string()));
        }
        let pc = self.current_pc(idx - 1).max(0) as usize;
        func_name_from_code(&p, pc)
    }

    /// Name and stack slot of local `n` of frame `idx` (PUC's `findlocal`): named locals
    /// active at the frame's pc, then `(*temporary)` for other live slots of the frame;
    /// negative `n` are the varargs of a Lua frame.
    pub fn find_local(&self, idx: usize, n: i64) -> Option<(Vec<u8>, usize)> {
        if idx == 0 {
            return None;
        }
        let ci = *self.ci.get(idx)?;
        let (base, name) = match self.proto(idx) {
            Some(p) => {
                if n < 0 {
                    return self.find_vararg(&ci, &p, n);
                }
                let name = local_name(&p, n, self.current_pc(idx)).map(<[u8]>::to_vec);
                (ci.base as usize, name)
            }
            None => (ci.func as usize + 1, None),
        };
        let name = match name {
            Some(n) => n,
            None => {
                let limit = if idx + 1 == self.ci.len() {
                    self.top
                } else {
                    self.ci[idx + 1].func as usize
                };
                if n > 0 && limit >= base && (limit - base) as i64 >= n {
                    b"(*temporary)".to_vec()
                } else {
                    return None;
                }
            }
        };
        let pos = base + (n as usize - 1);
        if pos < self.stack.len() {
            Some((name, pos))
        } else {
            None
        }
    }

    /// Vararg `-n` of a Lua frame (PUC's `findvararg`).
    fn find_vararg(&self, ci: &CallInfo, p: &Proto, n: i64) -> Option<(Vec<u8>, usize)> {
        let nparams = p.num_params as i64;
        let nvararg = ci.base as i64 - ci.func as i64 - nparams;
        if n <= -nvararg {
            return None;
        }
        let pos = ci.func as i64 + nparams - n;
        if pos < 0 || pos as usize >= self.stack.len() {
            return None;
        }
        Some((b"(*vararg)".to_vec(), pos as usize))
    }

    /// `lua_getinfo` for `target` with the options `what` (without PUC's leading `>`).
    /// `None` if an option is invalid.
    pub fn info(&self, target: InfoTarget, what: &[u8]) -> Option<DebugInfo> {
        let (func, frame) = match target {
            InfoTarget::Frame(idx) => (self.func(idx), Some(idx)),
            InfoTarget::Function(f) => (f, None),
        };
        let proto = lua_proto(func);
        let mut ar = DebugInfo::default();
        for &opt in what {
            match opt {
                b'S' => match &proto {
                    Some(p) => {
                        ar.source = p.source.to_vec();
                        ar.line_defined = p.line_defined as i64;
                        ar.last_line_defined = p.last_line_defined as i64;
                        ar.what = if p.line_defined == 0 { "main" } else { "Lua" };
                        ar.short_src = chunk_id(&p.source);
                    }
                    None => {
                        ar.source = b"=[C]".to_vec();
                        ar.line_defined = -1;
                        ar.last_line_defined = -1;
                        ar.what = "C";
                        ar.short_src = "[C]".to_string();
                    }
                },
                b'l' => ar.current_line = frame.map_or(-1, |i| self.current_line(i)),
                b'u' => {
                    ar.nups = match func {
                        Value::LuaFn(c) => c.upvals.len(),
                        Value::NativeClosure(c) => c.upvalues.len(),
                        _ => 0,
                    };
                    match &proto {
                        Some(p) => {
                            ar.is_vararg = p.is_vararg;
                            ar.nparams = p.num_params as usize;
                        }
                        None => {
                            ar.is_vararg = true;
                            ar.nparams = 0;
                        }
                    }
                }
                b't' => {
                    ar.is_tail_call = frame
                        .and_then(|i| self.ci.get(i))
                        .is_some_and(|c| c.status & cist::TAIL != 0)
                }
                b'n' => match frame.and_then(|i| self.func_name(i)) {
                    Some((namewhat, name)) => {
                        ar.namewhat = namewhat;
                        ar.name = Some(name);
                    }
                    None => {
                        ar.namewhat = "";
                        ar.name = None;
                    }
                },
                b'f' => ar.func = func,
                b'L' => ar.active_lines = active_lines(func),
                _ => return None,
            }
        }
        Some(ar)
    }
}

/// The lines that have code in a Lua function (PUC's `collectvalidlines`), sorted; none
/// for a stripped function.
pub fn active_lines(f: Value) -> Option<Vec<u32>> {
    let p = lua_proto(f)?;
    let mut lines: Vec<u32> = p.line_info.iter().copied().filter(|&l| l > 0).collect();
    lines.sort_unstable();
    lines.dedup();
    Some(lines)
}

/// Name of parameter `n` of a Lua function (`lua_getlocal` on a function: the locals
/// active at its first instruction).
pub fn param_name(f: Value, n: i64) -> Option<Vec<u8>> {
    let p = lua_proto(f)?;
    local_name(&p, n, 0).map(<[u8]>::to_vec)
}

/// Name and value of upvalue `n` (1-based) of a closure (PUC's `aux_upvalue`): Rust
/// closures' upvalues are named `""`; other values have none.
pub fn get_upvalue(f: Value, n: i64) -> Option<(Vec<u8>, Value)> {
    if n < 1 {
        return None;
    }
    let i = (n - 1) as usize;
    match f {
        Value::LuaFn(c) => {
            let u = c.upvals.get(i)?;
            let name = match c.p.proto.upvalues.get(i).and_then(|d| d.name.as_ref()) {
                Some(name) => name.to_vec(),
                None => b"(*no name)".to_vec(),
            };
            Some((name, u.get()))
        }
        Value::NativeClosure(c) => Some((Vec::new(), c.upvalues.get(i)?.get())),
        _ => None,
    }
}

/// Set upvalue `n` of a closure; returns its name as `get_upvalue` does.
pub fn set_upvalue(heap: &mut Heap, f: Value, n: i64, v: Value) -> Option<Vec<u8>> {
    let (name, _) = get_upvalue(f, n)?;
    let i = (n - 1) as usize;
    match f {
        Value::LuaFn(c) => {
            let u = *c.upvals.get(i)?;
            u.set(v);
            heap.barrier_back(u);
        }
        Value::NativeClosure(c) => {
            c.upvalues.get(i)?.set(v);
            heap.barrier_back(c);
        }
        _ => return None,
    }
    Some(name)
}

/// A unique identity of upvalue `n` of a closure (`lua_upvalueid`): shared upvalues of
/// Lua closures have the same one.
pub fn upvalue_id(f: Value, n: i64) -> Option<usize> {
    if n < 1 {
        return None;
    }
    let i = (n - 1) as usize;
    match f {
        Value::LuaFn(c) => c.upvals.get(i).map(|u| u.addr()),
        Value::NativeClosure(c) => c.upvalues.get(i).map(|u| u as *const _ as usize),
        _ => None,
    }
}

/// Make upvalue `n1` of Lua closure `f1` refer to upvalue `n2` of Lua closure `f2`
/// (`lua_upvaluejoin`). Returns false (changing nothing) when either is not a Lua closure
/// or an index is out of range.
pub fn upvalue_join(heap: &mut Heap, f1: Value, n1: i64, f2: Value, n2: i64) -> bool {
    let (Value::LuaFn(c1), Value::LuaFn(c2)) = (f1, f2) else {
        return false;
    };
    if n1 < 1 || n2 < 1 || n1 as usize > c1.upvals.len() {
        return false;
    }
    let Some(&u2) = c2.upvals.get(n2 as usize - 1) else {
        return false;
    };
    let ptr = c1.as_ptr();
    // SAFETY: `c1` is a live closure (it is an argument of the running function). The
    // write goes through a pointer with the allocation's provenance; no reference into
    // `upvals` is alive during it: the interpreter and the collector borrow a closure's
    // upvalue slice only for the duration of one access, and neither runs here.
    unsafe {
        let upvals = &raw mut (*ptr).upvals;
        (*upvals)[n1 as usize - 1] = u2;
        if n1 == 1 {
            (*ptr).up0 = Some(u2);
        }
    }
    heap.barrier_back(c1);
    true
}

impl State {
    /// Run `f` over the frames of thread `th` (`None`: the running thread).
    pub(crate) fn with_frames<R>(
        &self,
        th: Option<Gc<Thread>>,
        f: impl FnOnce(&Frames<'_>) -> R,
    ) -> R {
        match th {
            Some(t) if !Gc::ptr_eq(t, self.current) => {
                match self.data_holder(t).data.try_borrow() {
                    Ok(d) => f(&Frames {
                        stack: &d.stack,
                        ci: &d.ci,
                        top: d.top,
                    }),
                    Err(_) => f(&Frames {
                        stack: &[],
                        ci: &[],
                        top: 0,
                    }),
                }
            }
            _ => f(&Frames {
                stack: &self.stack,
                ci: &self.ci,
                top: self.top,
            }),
        }
    }

    /// Frame index of stack level `level` of thread `th` (`lua_getstack`).
    pub fn debug_level(&self, th: Option<Gc<Thread>>, level: i64) -> Option<usize> {
        self.with_frames(th, |fr| fr.level(level))
    }

    /// `lua_getinfo`: what options `what` ask about `target` (a frame of thread `th` or a
    /// function). `None` if an option is invalid.
    pub fn debug_info(
        &self,
        th: Option<Gc<Thread>>,
        target: InfoTarget,
        what: &[u8],
    ) -> Option<DebugInfo> {
        self.with_frames(th, |fr| fr.info(target, what))
    }

    /// Name and value of local `n` of frame `idx` of thread `th` (`lua_getlocal`).
    pub fn get_local(
        &self,
        th: Option<Gc<Thread>>,
        idx: usize,
        n: i64,
    ) -> Option<(Vec<u8>, Value)> {
        self.with_frames(th, |fr| {
            let (name, pos) = fr.find_local(idx, n)?;
            Some((name, fr.stack[pos]))
        })
    }

    /// Set local `n` of frame `idx` of thread `th` to `v` (`lua_setlocal`); its name, or
    /// `None` (nothing set) when there is no such local.
    pub fn set_local(
        &mut self,
        th: Option<Gc<Thread>>,
        idx: usize,
        n: i64,
        v: Value,
    ) -> Option<Vec<u8>> {
        let (name, pos) = self.with_frames(th, |fr| fr.find_local(idx, n))?;
        match th {
            Some(t) if !Gc::ptr_eq(t, self.current) => {
                let holder = self.data_holder(t);
                let mut d = holder.data.try_borrow_mut().ok()?;
                *d.stack.get_mut(pos)? = v;
            }
            _ => *self.stack.get_mut(pos)? = v,
        }
        Some(name)
    }

    /// The hook of thread `th` (`None`: the running thread).
    pub fn hook(&self, th: Option<Gc<Thread>>) -> Hook {
        match th {
            Some(t) if !Gc::ptr_eq(t, self.current) => self
                .data_holder(t)
                .data
                .try_borrow()
                .map(|d| d.hook)
                .unwrap_or_default(),
            _ => self.hook,
        }
    }

    /// Set the hook of thread `th` (`lua_sethook`): a nil function or an empty mask turns
    /// the hook off. `hooks.rs` calls it.
    pub fn set_hook(&mut self, th: Option<Gc<Thread>>, func: Value, mask: u8, count: i32) {
        let hook = if func.is_nil() || mask == 0 {
            Hook {
                func: Value::Nil,
                mask: 0,
                count,
                hookcount: count,
                oldpc: 0,
            }
        } else {
            Hook {
                func,
                mask,
                count,
                hookcount: count,
                oldpc: 0,
            }
        };
        match th {
            Some(t) if !Gc::ptr_eq(t, self.current) => {
                if let Ok(mut d) = self.data_holder(t).data.try_borrow_mut() {
                    d.hook = hook;
                }
            }
            _ => self.hook = hook,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state running nothing has no levels; odd levels, indices and values give
    /// `None`, never a panic.
    #[test]
    fn odd_requests_on_an_idle_state() {
        let mut s = State::new();
        for level in [-1i64, 0, 1, 2, i64::from(i32::MAX), i64::MIN, i64::MAX] {
            assert!(s.debug_level(None, level).is_none());
        }
        for idx in [0usize, 1, 5, usize::MAX] {
            for n in [i64::MIN, -1, 0, 1, 3, i64::MAX] {
                assert!(s.get_local(None, idx, n).is_none());
                assert!(s.set_local(None, idx, n, Value::Int(1)).is_none());
            }
            let ar = s
                .debug_info(None, InfoTarget::Frame(idx), b"nSltufL")
                .expect("valid options");
            assert_eq!(ar.what, "C");
            assert_eq!(ar.current_line, -1);
        }
        assert!(s
            .debug_info(None, InfoTarget::Function(Value::Nil), b"Sx")
            .is_none());
        for level in [-5i64, 0, 1, 1000] {
            let tb = s.traceback_of(None, Some(b"m"), level);
            assert_eq!(tb, b"m\nstack traceback:");
        }
    }

    #[test]
    fn upvalues_of_non_closures() {
        for f in [Value::Nil, Value::Int(3), Value::Bool(true)] {
            assert!(get_upvalue(f, 1).is_none());
            assert!(set_upvalue(&mut Heap::new(), f, 1, Value::Nil).is_none());
            assert!(upvalue_id(f, 1).is_none());
            assert!(!upvalue_join(&mut Heap::new(), f, 1, f, 1));
            assert!(param_name(f, 1).is_none());
            assert!(active_lines(f).is_none());
        }
    }

    #[test]
    fn closures_and_threads() {
        let mut s = State::new();
        let f = s
            .load(
                b"local a, b = 1, 2\nreturn function(x, y) return a + b end",
                b"=t",
            )
            .expect("compiles");
        let Value::LuaFn(main) = f else {
            panic!("a Lua function")
        };
        // the main chunk: one upvalue, _ENV
        let (name, _) = get_upvalue(f, 1).expect("_ENV");
        assert_eq!(name, b"_ENV");
        assert!(get_upvalue(f, 2).is_none());
        assert!(get_upvalue(f, 0).is_none());
        assert!(upvalue_id(f, i64::MIN).is_none());
        assert_eq!(active_lines(f), Some(vec![1, 2]));
        assert_eq!(main.upvals.len(), 1);
        // a fresh thread has no levels
        let t = s.new_thread(f);
        assert!(s.debug_level(Some(t), 0).is_none());
        assert!(s.get_local(Some(t), 1, 1).is_none());
        assert!(s.set_local(Some(t), 1, 1, Value::Nil).is_none());
        assert_eq!(s.traceback_of(Some(t), None, 0), b"stack traceback:");
        s.set_hook(Some(t), f, hookmask::LINE, 3);
        let h = s.hook(Some(t));
        assert_eq!((h.mask, h.count), (hookmask::LINE, 3));
        assert!(s.hook(None).func.is_nil());
        s.set_hook(Some(t), f, 0, 3);
        assert!(s.hook(Some(t)).func.is_nil());
    }
}
