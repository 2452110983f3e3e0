//! `State`: one Lua state — heap, strings, globals, registry and the running thread.
//!
//! Invariants:
//! - `stack`, `ci`, `open_upvals`, `top`, `nny`, `errfunc`, `hook` describe the *running* thread
//!   (`current`); other threads keep theirs in their `Thread` object;
//! - the collector runs only at safe points (`check_gc`), when every live value is in a root:
//!   a stack slot, a frame, a table, an upvalue, the registry or `error_value`;
//! - `stack.len()` only grows, by `grow_stack`, which re-points open upvalues.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use luavm_compiler::{Constant, Proto};
use luavm_gc::{Gc, Heap, Marker};

use crate::debug::Hook;
use crate::error::{LuaError, LuaResult};
use crate::function::{LuaClosure, LuaProto, NativeClosure, NativeFn, UpVal};
use crate::meta::{Tm, TM_NAMES};
use crate::string::{Interner, LuaStr};
use crate::table::{mark_value, Table};
use crate::thread::{CallInfo, CoStatus, Thread, ThreadData};
use crate::value::{Type, Value};

/// PUC's `LUAI_MAXSTACK`: the most stack slots a thread may use.
pub const MAX_STACK: usize = 1_000_000;
/// Extra slots kept for error handling past `MAX_STACK`.
pub const ERROR_STACK_EXTRA: usize = 200;
/// Slots a native function may use without asking (`LUA_MINSTACK`).
pub const MIN_STACK: usize = 20;
/// PUC's `LUAI_MAXCCALLS`: nesting limit of Rust-level calls (natives calling Lua,
/// resumes, parser levels).
pub const MAX_CCALLS: u32 = 200;
/// Extra stack slots above a frame's top (for metamethod calls).
pub const EXTRA_STACK: usize = 5;

/// One Lua state.
pub struct State {
    pub heap: Heap,
    pub(crate) strings: Interner,
    pub(crate) stack: Vec<Value>,
    pub(crate) ci: Vec<CallInfo>,
    pub(crate) open_upvals: Vec<Gc<UpVal>>,
    pub(crate) top: usize,
    pub(crate) nny: u32,
    pub(crate) errfunc: usize,
    pub(crate) current: Gc<Thread>,
    pub(crate) main_thread: Gc<Thread>,
    pub(crate) globals: Gc<Table>,
    pub(crate) registry: Gc<Table>,
    pub(crate) type_meta: [Option<Gc<Table>>; 8],
    pub(crate) tm_names: Vec<Gc<LuaStr>>,
    pub(crate) error_value: Value,
    pub(crate) n_ccalls: u32,
    /// Whether the stack is in its overflow extension (to give "error in error handling").
    pub(crate) in_overflow: bool,
    /// Values pinned by host code (the embedding API's handles index into this).
    pub(crate) pinned: Vec<Value>,
    /// Threads that resumed the running one (innermost last).
    pub(crate) resumers: Vec<Gc<Thread>>,
    /// The running thread's hook (`debug.sethook`); stored, not called yet.
    pub(crate) hook: Hook,
    /// Interrupt flag set from another thread (`set_interrupt`): checked at loop back-edges
    /// and tail calls; while it is set, errors are not caught by `pcall`.
    pub(crate) interrupt: Option<Arc<AtomicBool>>,
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    pub fn new() -> State {
        let mut heap = Heap::new();
        let mut strings = Interner::default();
        let main_thread = heap.alloc(Thread {
            data: Default::default(),
            status: std::cell::Cell::new(CoStatus::Running),
        });
        let globals = heap.alloc(Table::new());
        let registry = heap.alloc(Table::new());
        let tm_names = TM_NAMES
            .iter()
            .map(|n| strings.intern(&mut heap, n.as_bytes()))
            .collect();
        let st = State {
            heap,
            strings,
            stack: vec![Value::Nil; 64],
            ci: vec![CallInfo::base_frame()],
            open_upvals: Vec::new(),
            top: 1,
            nny: 0,
            errfunc: 0,
            current: main_thread,
            main_thread,
            globals,
            registry,
            type_meta: [None; 8],
            tm_names,
            error_value: Value::Nil,
            n_ccalls: 0,
            in_overflow: false,
            pinned: Vec::new(),
            resumers: Vec::new(),
            hook: Hook::default(),
            interrupt: None,
        };
        // registry[1] = main thread, registry[2] = globals (as PUC)
        st.registry.set_int(1, Value::Thread(main_thread));
        st.registry.set_int(2, Value::Table(globals));
        st
    }

    // ---- objects -------------------------------------------------------------------

    /// Intern or create a string.
    #[inline]
    pub fn new_str(&mut self, bytes: &[u8]) -> Gc<LuaStr> {
        self.strings.intern(&mut self.heap, bytes)
    }
    /// A string value from owned bytes.
    pub fn new_str_vec(&mut self, bytes: Vec<u8>) -> Gc<LuaStr> {
        self.strings.intern_vec(&mut self.heap, bytes)
    }
    #[inline]
    pub fn str_value(&mut self, bytes: &[u8]) -> Value {
        Value::Str(self.new_str(bytes))
    }
    pub fn new_table(&mut self) -> Gc<Table> {
        self.heap.alloc(Table::new())
    }
    pub fn new_table_with(&mut self, narray: usize, nhash: usize) -> Gc<Table> {
        self.heap.alloc(Table::with_capacity(narray, nhash))
    }
    pub fn new_native_closure(
        &mut self,
        f: NativeFn,
        name: &'static str,
        upvalues: Vec<Value>,
    ) -> Value {
        let c = NativeClosure {
            f,
            upvalues: upvalues.into_iter().map(std::cell::Cell::new).collect(),
            name,
        };
        Value::NativeClosure(self.heap.alloc(c))
    }
    /// A full userdata owning `data`, with metatable `mt` and a nil user value.
    pub fn new_userdata(
        &mut self,
        data: Box<dyn std::any::Any>,
        mt: Option<Gc<Table>>,
    ) -> Gc<crate::userdata::UserData> {
        self.heap.alloc(crate::userdata::UserData {
            metatable: std::cell::Cell::new(mt),
            user_value: std::cell::Cell::new(Value::Nil),
            data: std::cell::RefCell::new(data),
        })
    }
    pub fn new_thread(&mut self, body: Value) -> Gc<Thread> {
        let data = ThreadData {
            stack: vec![Value::Nil, body, Value::Nil, Value::Nil],
            ci: vec![CallInfo::base_frame()],
            top: 2,
            // as `lua_newthread`: the mask and count are inherited; the hook function
            // is not (PUC keeps it in a table keyed by thread)
            hook: Hook {
                func: Value::Nil,
                mask: self.hook.mask,
                count: self.hook.count,
            },
            ..Default::default()
        };
        self.heap.alloc(Thread {
            data: std::cell::RefCell::new(data),
            status: std::cell::Cell::new(CoStatus::Fresh),
        })
    }

    /// Raw table write that keeps memory accounting.
    #[inline]
    pub fn raw_set(&mut self, t: Gc<Table>, k: Value, v: Value) {
        let d = t.set(k, v);
        if d != 0 {
            self.heap.account(d);
        }
    }
    #[inline]
    pub fn raw_set_int(&mut self, t: Gc<Table>, k: i64, v: Value) {
        let d = t.set_int(k, v);
        if d != 0 {
            self.heap.account(d);
        }
    }
    pub fn raw_set_str(&mut self, t: Gc<Table>, k: &str, v: Value) {
        let k = self.new_str(k.as_bytes());
        let d = t.set_str(k, v);
        self.heap.account(d);
    }

    pub fn globals(&self) -> Gc<Table> {
        self.globals
    }
    pub fn registry(&self) -> Gc<Table> {
        self.registry
    }
    pub fn main_thread(&self) -> Gc<Thread> {
        self.main_thread
    }
    pub fn current_thread(&self) -> Gc<Thread> {
        self.current
    }
    pub fn set_global(&mut self, name: &str, v: Value) {
        let g = self.globals;
        self.raw_set_str(g, name, v);
    }
    pub fn get_global(&mut self, name: &str) -> Value {
        let k = self.new_str(name.as_bytes());
        self.globals.get_str(k)
    }
    #[inline]
    pub(crate) fn tm_name(&self, tm: Tm) -> Gc<LuaStr> {
        self.tm_names[tm as usize]
    }

    /// Metatable of any value (per-type metatables for non-tables).
    #[inline]
    pub fn metatable(&self, v: Value) -> Option<Gc<Table>> {
        match v {
            Value::Table(t) => t.metatable(),
            Value::UserData(u) => u.metatable.get(),
            other => self.type_meta[other.type_of() as usize],
        }
    }
    pub fn set_type_metatable(&mut self, ty: Type, mt: Option<Gc<Table>>) {
        self.type_meta[ty as usize] = mt;
    }

    /// The metamethod `tm` of `v`, or nil.
    #[inline]
    pub fn get_tm(&self, v: Value, tm: Tm) -> Value {
        match self.metatable(v) {
            None => Value::Nil,
            Some(mt) => {
                if crate::meta::cached_absent(mt, tm) {
                    return Value::Nil;
                }
                let r = mt.get_str(self.tm_name(tm));
                if r.is_nil() {
                    crate::meta::note_absent(mt, tm);
                }
                r
            }
        }
    }

    // ---- loading -------------------------------------------------------------------

    /// Load a prototype into this state (constants become this state's values).
    pub fn load_proto(&mut self, p: &Arc<Proto>) -> Gc<LuaProto> {
        let k: Box<[Value]> = p
            .constants
            .iter()
            .map(|c| match c {
                Constant::Nil => Value::Nil,
                Constant::Bool(b) => Value::Bool(*b),
                Constant::Int(i) => Value::Int(*i),
                Constant::Float(f) => Value::Num(*f),
                Constant::Str(s) => Value::Str(self.new_str(s)),
            })
            .collect();
        // keep the constants reachable while the nested prototypes are loaded
        let mark = self.pinned.len();
        self.pinned.extend(k.iter().copied());
        let protos: Box<[Gc<LuaProto>]> = p.protos.iter().map(|c| self.load_proto(c)).collect();
        self.pinned.truncate(mark);
        self.heap.alloc(LuaProto {
            code: p.code.clone().into_boxed_slice(),
            k,
            num_params: p.num_params,
            is_vararg: p.is_vararg,
            max_stack: p.max_stack_size,
            protos,
            proto: p.clone(),
        })
    }

    /// A closure of a main chunk: one upvalue, set to the globals table (`_ENV`).
    pub fn new_main_closure(&mut self, p: &Arc<Proto>) -> Value {
        let lp = self.load_proto(p);
        let upvals: Box<[Gc<UpVal>]> = (0..p.upvalues.len())
            .map(|i| {
                let v = if i == 0 {
                    Value::Table(self.globals)
                } else {
                    Value::Nil
                };
                let u = self.heap.alloc(UpVal::new_closed(v));
                u.fix_closed();
                u
            })
            .collect();
        Value::LuaFn(self.heap.alloc(LuaClosure::new(lp, upvals)))
    }

    /// Compile `source` (or undump a binary chunk) and return its main function; a
    /// syntax error becomes the error value. Every prototype passes the verifier before
    /// the interpreter sees it.
    pub fn load(&mut self, source: &[u8], chunkname: &[u8]) -> LuaResult<Value> {
        let result: Result<Arc<Proto>, Vec<u8>> = if source.first() == Some(&0x1b) {
            luavm_compiler::dump::undump(source, chunkname)
                .map(Arc::new)
                .map_err(String::into_bytes)
        } else {
            luavm_compiler::compile_with_c_calls(source, chunkname, self.n_ccalls + 1)
                .map_err(|e| e.raw)
        };
        let checked = result.and_then(|p| match luavm_compiler::verify(&p) {
            Ok(()) => Ok(p),
            Err(e) => Err(format!(
                "{}: bad binary format ({e})",
                luavm_compiler::chunk_id(chunkname)
            )
            .into_bytes()),
        });
        match checked {
            Ok(p) => Ok(self.new_main_closure(&p)),
            Err(msg) => {
                let m = self.str_value(&msg);
                Err(self.set_error(m))
            }
        }
    }

    // ---- stack -------------------------------------------------------------------

    /// Make sure `n` more slots exist above `top`.
    #[inline]
    pub fn check_stack(&mut self, n: usize) -> LuaResult<()> {
        if self.top + n + EXTRA_STACK > self.stack.len() {
            self.grow_stack(self.top + n + EXTRA_STACK)?;
        }
        Ok(())
    }

    #[cold]
    pub(crate) fn grow_stack(&mut self, needed: usize) -> LuaResult<()> {
        if needed > MAX_STACK {
            if self.in_overflow {
                if needed > MAX_STACK + ERROR_STACK_EXTRA {
                    // overflow while handling an overflow
                    let m = self.str_value(b"error in error handling");
                    return Err(self.set_error(m));
                }
            } else {
                // give the error handling some room, then raise
                self.in_overflow = true;
                self.resize_stack(MAX_STACK + ERROR_STACK_EXTRA);
                return Err(self.runtime_error("stack overflow"));
            }
        }
        let new_len = (self.stack.len() * 2).max(needed).min(MAX_STACK);
        self.resize_stack(new_len.max(needed));
        Ok(())
    }

    fn resize_stack(&mut self, new_len: usize) {
        if new_len <= self.stack.len() {
            return;
        }
        let old = self.stack.as_ptr();
        let old_cap = self.stack.capacity();
        self.stack.resize(new_len, Value::Nil);
        self.heap
            .account(((self.stack.capacity() - old_cap) * 16) as isize);
        if self.stack.as_ptr() != old {
            let base = self.stack.as_mut_ptr();
            for u in &self.open_upvals {
                u.relocate(base);
            }
        }
    }

    /// Push a value (grows the stack when needed).
    #[inline]
    pub fn push(&mut self, v: Value) {
        if self.top >= self.stack.len() {
            // A native that pushes past MIN_STACK without check_stack: grow anyway.
            let n = self.top + 1 + EXTRA_STACK;
            self.resize_stack(n.max(self.stack.len() * 2));
        }
        self.stack[self.top] = v;
        self.top += 1;
    }

    #[inline]
    pub fn pop(&mut self) -> Value {
        self.top -= 1;
        self.stack[self.top]
    }

    pub fn top(&self) -> usize {
        self.top
    }
    pub fn set_top(&mut self, t: usize) {
        while self.top < t {
            self.push(Value::Nil);
        }
        self.top = t;
    }
    pub fn stack_at(&self, i: usize) -> Value {
        self.stack[i]
    }
    pub fn set_stack_at(&mut self, i: usize, v: Value) {
        self.stack[i] = v;
    }

    // ---- upvalues -------------------------------------------------------------------

    /// The open upvalue for stack slot `idx`, created if needed.
    #[inline(never)]
    pub(crate) fn find_upval(&mut self, idx: usize) -> Gc<UpVal> {
        let pos = self.open_upvals.partition_point(|u| u.index.get() < idx);
        if let Some(u) = self.open_upvals.get(pos) {
            if u.index.get() == idx {
                return *u;
            }
        }
        let slot = &mut self.stack[idx] as *mut Value;
        let u = self.heap.alloc(UpVal::new_open(self.current, idx, slot));
        self.open_upvals.insert(pos, u);
        u
    }

    /// Close every open upvalue at or above stack slot `level`.
    #[inline]
    pub(crate) fn close_upvals(&mut self, level: usize) {
        while let Some(u) = self.open_upvals.last() {
            if u.index.get() < level {
                break;
            }
            u.close();
            self.open_upvals.pop();
        }
    }

    // ---- interrupts ---------------------------------------------------------------

    /// Install (or remove) the interrupt flag; returns the previous one. Once another
    /// thread sets the flag, the running Lua code stops at its next loop back-edge or tail
    /// call with the error "interrupted", and no `pcall` catches errors until the flag is
    /// cleared or replaced (the flag is sticky: code that recovers keeps failing).
    pub fn set_interrupt(&mut self, flag: Option<Arc<AtomicBool>>) -> Option<Arc<AtomicBool>> {
        std::mem::replace(&mut self.interrupt, flag)
    }

    /// Whether the installed interrupt flag is set.
    #[inline]
    pub fn interrupt_pending(&self) -> bool {
        match &self.interrupt {
            Some(f) => f.load(Ordering::Relaxed),
            None => false,
        }
    }

    /// The error raised when the interrupt flag is seen.
    #[cold]
    #[inline(never)]
    pub(crate) fn interrupted(&mut self) -> LuaError {
        self.runtime_error("interrupted")
    }

    // ---- errors -------------------------------------------------------------------

    /// Set the pending error value; returns `LuaError::Error` for `Err(...)`.
    pub fn set_error(&mut self, v: Value) -> LuaError {
        self.error_value = v;
        LuaError::Error
    }
    /// The pending error value.
    pub fn error_value(&self) -> Value {
        self.error_value
    }

    // ---- garbage collection -------------------------------------------------------------------

    /// A safe point: collect if the allocation debt says so.
    #[inline(always)]
    pub fn check_gc(&mut self) {
        if self.heap.should_collect() {
            self.collect_garbage();
        }
    }

    /// A full collection.
    #[inline(never)]
    pub fn collect_garbage(&mut self) {
        // clear dead stack slots above every frame so they do not keep garbage alive
        let live = self
            .ci
            .iter()
            .map(|c| c.top as usize)
            .max()
            .unwrap_or(0)
            .max(self.top)
            .min(self.stack.len());
        for v in &mut self.stack[live..] {
            *v = Value::Nil;
        }
        let State {
            heap,
            stack,
            open_upvals,
            current,
            main_thread,
            globals,
            registry,
            type_meta,
            tm_names,
            error_value,
            pinned,
            resumers,
            hook,
            ..
        } = self;
        heap.mark_from(|m: &mut Marker| {
            for v in stack.iter() {
                mark_value(m, *v);
            }
            for u in open_upvals.iter() {
                m.mark(*u);
            }
            m.mark(*current);
            m.mark(*main_thread);
            m.mark(*globals);
            m.mark(*registry);
            for t in type_meta.iter().flatten() {
                m.mark(*t);
            }
            for s in tm_names.iter() {
                m.mark_leaf(*s);
            }
            mark_value(m, *error_value);
            for v in pinned.iter() {
                mark_value(m, *v);
            }
            for t in resumers.iter() {
                m.mark(*t);
            }
            mark_value(m, hook.func);
        });
        self.strings.sweep_dead();
        // SAFETY: the roots above are every place the VM keeps values between safe points
        // (module invariant): all stacks (the running one here, suspended ones through their
        // thread objects), open upvalues, globals, registry, per-type metatables,
        // metamethod names, the pending error and host-pinned values. Dead strings were
        // just removed from the intern table.
        unsafe { self.heap.sweep() };
    }

    /// Memory in use, in bytes.
    pub fn memory_used(&self) -> usize {
        self.heap.allocated()
    }
}
