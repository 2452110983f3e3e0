//! `State`: one Lua state — heap, strings, globals, registry and the running thread.
//!
//! Invariants:
//! - `stack`, `ci`, `open_upvals`, `top`, `nny`, `errfunc`, `hook` describe the *running* thread
//!   (`current`); other threads keep theirs in a `Thread` object's cell (their own, or for
//!   a resumer the resumed coroutine's: `coroutine.rs`);
//! - the collector runs only at safe points (`check_gc`), when every live value is in a root:
//!   a stack slot, a frame, a table, an upvalue, the registry or `error_value`;
//! - `stack.len()` only grows, by `grow_stack`, which re-points open upvalues.

use std::sync::Arc;

use luavm_compiler::{Constant, Proto};
use std::collections::VecDeque;

use luavm_gc::{Gc, Heap, Marker, Mode, Phase, WeakPart};

use crate::debug::Hook;
use crate::error::{LuaError, LuaResult};
use crate::function::{LuaClosure, LuaProto, NativeClosure, NativeFn, UpVal};
use crate::meta::{Tm, TM_NAMES};
use crate::string::{Interner, LuaStr};
use crate::table::{mark_value, value_is_marked, Table};
use crate::thread::{cist, CallInfo, CoStatus, Thread, ThreadData};
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
/// Work of one step in incremental stress mode (a few objects).
const STRESS_STEP: isize = 256;
/// Generational stress mode: one safe point in this many starts a major collection.
const STRESS_MAJOR_EVERY: u32 = 8;
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
    /// Values pinned for a while by Rust code (e.g. constants while a prototype loads);
    /// the embedding API's long-lived handles are in `host` instead.
    pub(crate) pinned: Vec<Value>,
    /// Threads that resumed the running one (innermost last).
    pub(crate) resumers: Vec<Gc<Thread>>,
    /// The running thread's hook (`debug.sethook`), called by `hooks.rs`.
    pub(crate) hook: Hook,
    /// False while a hook runs (hooks do not nest), PUC's `allowhook`.
    pub(crate) allow_hook: bool,
    /// Tables and userdata registered for finalization, oldest first (not roots).
    pub(crate) finobj: Vec<Value>,
    /// Objects found unreachable whose finalizer has not run yet (roots), next first.
    pub(crate) tobefnz: VecDeque<Value>,
    /// The message of memory errors, allocated in advance.
    pub(crate) mem_err_msg: Gc<LuaStr>,
    /// Threads that may have open upvalues (PUC's `twups`; not roots).
    pub(crate) twups: Vec<Gc<Thread>>,
    /// `close` ran.
    closed: bool,
    /// Safe points seen by the incremental stress mode in generational mode (every
    /// `STRESS_MAJOR_EVERY`th starts a major, the others run a minor).
    stress_count: u32,
    /// Instruction budget, interrupt flag, call-depth and memory limits (`limits.rs`).
    pub(crate) limits: crate::limits::Limits,
    /// What the embedding API keeps per state: rooted host handles, async host calls
    /// (`embed/`).
    pub(crate) host: crate::embed::HostData,
}

impl Drop for State {
    fn drop(&mut self) {
        // all pending finalizers run when the state goes (unless a panic is unwinding)
        if !std::thread::panicking() {
            self.close();
        }
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    pub fn new() -> State {
        // sized once for what a new state makes (VM creation cost): its objects, the
        // metamethod names, PUC's BASIC_STACK_SIZE (2 * LUA_MINSTACK) stack slots
        let mut heap = Heap::new();
        heap.reserve(TM_NAMES.len() + 4); // + the main thread, _G, the registry, mem_err_msg
        let mut strings = Interner::default();
        strings.reserve(TM_NAMES.len() + 1);
        let main_thread = heap.alloc(Thread {
            data: Default::default(),
            status: std::cell::Cell::new(CoStatus::Running),
            in_twups: std::cell::Cell::new(false),
        });
        let globals = heap.alloc(Table::new());
        let registry = heap.alloc(Table::with_capacity(2, 0));
        let tm_names = TM_NAMES
            .iter()
            .map(|n| strings.intern_static(&mut heap, n.as_bytes()))
            .collect();
        let mem_err_msg = strings.intern_static(&mut heap, b"not enough memory");
        let st = State {
            heap,
            strings,
            stack: vec![Value::Nil; 40],
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
            allow_hook: true,
            finobj: Vec::new(),
            tobefnz: VecDeque::new(),
            mem_err_msg,
            twups: Vec::new(),
            closed: false,
            stress_count: 0,
            limits: Default::default(),
            host: Default::default(),
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
    /// Intern bytes that live for the whole program (library and field names): the
    /// string borrows them instead of copying.
    #[inline]
    pub fn new_static_str(&mut self, bytes: &'static [u8]) -> Gc<LuaStr> {
        self.strings.intern_static(&mut self.heap, bytes)
    }
    /// The interned string with these bytes, if there is one (no allocation): a lookup
    /// by a key no one may have made yet (`registry.LUA_NOENV`) needs no new string.
    pub fn find_str(&self, bytes: &[u8]) -> Option<Gc<LuaStr>> {
        self.strings.find(bytes)
    }
    /// Make room for `objects` more heap objects, `strings` of them new short strings, so
    /// that opening libraries grows no list or intern table piecemeal (VM creation cost).
    pub fn reserve(&mut self, objects: usize, strings: usize) {
        self.heap.reserve(objects);
        self.strings.reserve(strings);
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
        let u = self.heap.alloc(crate::userdata::UserData {
            metatable: std::cell::Cell::new(mt),
            user_value: std::cell::Cell::new(Value::Nil),
            data: std::cell::RefCell::new(data),
        });
        self.check_finalizer(Value::UserData(u), mt);
        u
    }
    pub fn new_thread(&mut self, body: Value) -> Gc<Thread> {
        // PUC's `stack_init`: room for a first call (BASIC_STACK_SIZE + EXTRA_STACK), so
        // that starting a short-lived coroutine does not grow its stack
        let mut stack = vec![Value::Nil; 2 * MIN_STACK + EXTRA_STACK];
        stack[1] = body;
        let data = ThreadData {
            stack,
            ci: vec![CallInfo::base_frame()],
            top: 2,
            // as `lua_newthread`: the mask and count are inherited; the hook function
            // is not (PUC keeps it in a table keyed by thread)
            hook: Hook {
                func: Value::Nil,
                mask: self.hook.mask,
                count: self.hook.count,
                hookcount: self.hook.count,
                oldpc: 0,
            },
            ..Default::default()
        };
        let t = self.heap.alloc(Thread {
            data: std::cell::RefCell::new(data),
            status: std::cell::Cell::new(CoStatus::Fresh),
            in_twups: std::cell::Cell::new(false),
        });
        // its stack is written without barriers: one born black (in the sweep of a
        // generational major) must be gray and listed for the next marking
        self.heap.barrier_back(t);
        t
    }

    /// The write barrier of a table entry: after `t[k] = v`, if `t` is black, mark `k`
    /// and `v` (PUC 5.4's forward barrier: a big table written often is not traced
    /// again), or, when `v` is nil (`k` may become a dead key), list `t` for the clearing
    /// of dead keys. Pass `Value::Nil` for `k` when it is not collectable.
    #[inline(always)]
    pub fn barrier_table(&mut self, t: Gc<Table>, k: Value, v: Value) {
        if t.is_black() {
            self.barrier_table_slow(t, k, v);
        }
    }

    #[cold]
    #[inline(never)]
    fn barrier_table_slow(&mut self, t: Gc<Table>, k: Value, v: Value) {
        if v.is_nil() {
            self.heap.barrier_weak(t);
        } else {
            self.heap.barrier_forward(t, |m| {
                mark_value(m, k);
                mark_value(m, v);
            });
        }
    }

    /// Raw table write that keeps memory accounting.
    #[inline]
    pub fn raw_set(&mut self, t: Gc<Table>, k: Value, v: Value) {
        let d = t.set(k, v);
        self.barrier_table(t, k, v);
        if d != 0 {
            self.heap.account(d);
        }
    }
    #[inline]
    pub fn raw_set_int(&mut self, t: Gc<Table>, k: i64, v: Value) {
        let d = t.set_int(k, v);
        self.barrier_table(t, Value::Nil, v);
        if d != 0 {
            self.heap.account(d);
        }
    }
    pub fn raw_set_str(&mut self, t: Gc<Table>, k: &str, v: Value) {
        let k = self.new_str(k.as_bytes());
        let d = t.set_str(k, v);
        self.barrier_table(t, Value::Str(k), v);
        self.heap.account(d);
    }
    /// `raw_set_str` with a key that lives for the whole program (see `new_static_str`).
    pub fn raw_set_static(&mut self, t: Gc<Table>, k: &'static str, v: Value) {
        let k = self.new_static_str(k.as_bytes());
        let d = t.set_str(k, v);
        self.barrier_table(t, Value::Str(k), v);
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
            cache: std::cell::Cell::new(None),
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
            if !self.limits.allow_binary {
                let m = self.str_value(b"attempt to load a binary chunk (mode is 't')");
                return Err(self.set_error(m));
            }
            luavm_compiler::dump::undump(source, chunkname)
                .map(Arc::new)
                .map_err(String::into_bytes)
        } else {
            luavm_compiler::compile_with_c_calls(source, chunkname, self.c_level(1))
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

    /// After an overflow was handled: give back the emergency room above `MAX_STACK`
    /// so that the next overflow is detected at the same depth (PUC's
    /// `luaD_shrinkstack` after error recovery).
    pub(crate) fn shrink_stack(&mut self) {
        if self.stack.len() <= MAX_STACK {
            return;
        }
        let in_use = self
            .ci
            .iter()
            .map(|c| c.top as usize)
            .fold(self.top, usize::max)
            + EXTRA_STACK;
        if in_use <= MAX_STACK {
            // truncating keeps the buffer in place: open upvalues stay valid
            self.stack.truncate(MAX_STACK);
        }
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
        // the slot's pointer comes from the buffer's own (`Vec::as_mut_ptr`, as the
        // interpreter's register pointer), not from a reference (`&mut self.stack[idx]`):
        // the next `&mut` borrow of the stack would invalidate a pointer made from one
        // (Stacked and Tree Borrows; Miri reported it)
        assert!(idx < self.stack.len(), "upvalue slot past the stack");
        let slot = self.stack.as_mut_ptr().wrapping_add(idx);
        let u = self.heap.alloc(UpVal::new_open(self.current, idx, slot));
        self.open_upvals.insert(pos, u);
        if !self.current.in_twups.get() {
            self.current.in_twups.set(true);
            self.twups.push(self.current);
        }
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
            let u = *u;
            self.heap.barrier_back(u);
            self.open_upvals.pop();
        }
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

    /// A safe point of the interpreter loop: collect if the allocation debt says so, run
    /// pending finalizers. It cannot raise: errors in finalizers run here are dropped and
    /// the memory limit is not enforced here (see `try_check_gc`, which the loop should call
    /// once it propagates errors from its safe points).
    #[inline(always)]
    pub fn check_gc(&mut self) {
        if self.heap.should_collect() {
            let _ = self.gc_safe_point(false);
        }
    }

    /// A safe point that can raise (PUC's `luaC_checkGC` with its errors): collect if due,
    /// run pending finalizers (an error in one propagates as "error in __gc metamethod"),
    /// and raise "not enough memory" when the memory limit is still passed after a full
    /// collection.
    #[inline]
    pub fn try_check_gc(&mut self) -> LuaResult<()> {
        if self.heap.should_collect() || self.heap.over_limit(0) {
            self.gc_safe_point(true)?;
        }
        Ok(())
    }

    /// Raise "not enough memory" if allocating `bytes` more would pass the memory limit
    /// even after a full collection (for large buffers, before they are allocated).
    pub fn check_alloc(&mut self, bytes: usize) -> LuaResult<()> {
        if self.heap.over_limit(bytes) {
            // may be called in the middle of an instruction: keep the whole frame
            self.collect(false);
            if self.heap.over_limit(bytes) {
                return Err(self.memory_error());
            }
        }
        Ok(())
    }

    /// The "not enough memory" error (its message string is allocated in advance).
    pub fn memory_error(&mut self) -> LuaError {
        self.error_value = Value::Str(self.mem_err_msg);
        LuaError::Error
    }

    #[inline(never)]
    fn gc_safe_point(&mut self, raise: bool) -> LuaResult<()> {
        if self.heap.over_limit(0) {
            // a full collection before giving up
            self.collect(true);
            if self.heap.over_limit(0) {
                if raise {
                    return Err(self.memory_error());
                }
                self.heap.postpone();
            }
        } else if self.heap.is_running() && self.heap.is_stress() {
            self.collect(true);
        } else if self.heap.is_running() && self.heap.is_stress_steps() {
            if self.between_minors() {
                // generational stress: a minor at every safe point, a major now and then
                self.stress_count = self.stress_count.wrapping_add(1);
                if self.stress_count.is_multiple_of(STRESS_MAJOR_EVERY) {
                    self.gc_step(true, STRESS_STEP);
                } else {
                    self.minor_collection(true);
                }
            } else {
                self.gc_step(true, STRESS_STEP);
            }
        } else if self.heap.step_due() {
            if self.between_minors() && !self.heap.major_due() {
                self.minor_collection(true);
            } else {
                let budget = self.heap.step_budget();
                self.gc_step(true, budget);
            }
        }
        if self.heap.is_running() && !self.tobefnz.is_empty() {
            self.run_finalizers(raise)?;
        }
        Ok(())
    }

    /// `collectgarbage("collect")`: a full collection, then every pending finalizer (an
    /// error in one propagates; the others stay pending).
    pub fn full_gc(&mut self) -> LuaResult<()> {
        self.collect_garbage();
        self.run_finalizers(true)
    }

    /// `collectgarbage("step", kb)`: do the work of `kb` KB of allocation (a basic step
    /// for 0), as PUC's `lua_gc(LUA_GCSTEP)`; true when a cycle ended in it. Runs even
    /// when the collector is stopped. Pending finalizers run afterwards (errors in them
    /// propagate).
    pub fn gc_step_api(&mut self, kb: i64) -> LuaResult<bool> {
        let kb = kb.clamp(0, i64::from(i32::MAX)) as isize;
        let budget = if kb == 0 {
            // a basic step: one object traced or a few swept (PUC's single step)
            1
        } else {
            let stepmul = self.heap.tuning.stepmul.clamp(40, 1_000_000) as isize;
            (kb * 1024 / 100).saturating_mul(stepmul)
        };
        let done = self.gc_step(true, budget);
        self.run_finalizers(true)?;
        Ok(done)
    }

    /// The memory limit in bytes (`None`: no limit).
    pub fn memory_limit(&self) -> Option<usize> {
        self.heap.memory_limit()
    }

    /// Set a memory limit: safe points that can raise give "not enough memory" (a
    /// catchable error) when, after a full collection, more than `limit` bytes are in use.
    pub fn set_memory_limit(&mut self, limit: Option<usize>) {
        self.heap.set_memory_limit(limit);
    }

    /// The collector's mode.
    pub fn gc_mode(&self) -> Mode {
        self.heap.mode()
    }

    /// Switch the collector's mode (PUC 5.4's `lua_gc(LUA_GCGEN/LUA_GCINC)`); returns
    /// the previous one. To generational: a full collection makes every object old (as
    /// 5.4's `entergen`). To incremental: every object becomes white and a new cycle
    /// starts later (5.4's `enterinc`). A sweep in progress is finished first.
    pub fn set_gc_mode(&mut self, mode: Mode) -> Mode {
        let old = self.heap.mode();
        if old == mode {
            return old;
        }
        self.finish_sweep();
        self.heap.abort_cycle();
        self.heap.set_mode(mode);
        if mode == Mode::Generational {
            self.collect(true);
        }
        old
    }

    /// Generational mode, between collections: a minor collection now (no finalizer runs
    /// here). Returns false (and does nothing) in incremental mode or during a major.
    pub fn gc_minor(&mut self) -> bool {
        if !self.between_minors() {
            return false;
        }
        self.minor_collection(true);
        true
    }

    /// Stress mode: a full collection at every safe point (for tests).
    pub fn set_gc_stress(&mut self, on: bool) {
        self.heap.set_stress(on);
    }

    /// Incremental stress mode (for tests of the write barriers): a small step at every
    /// safe point (in generational mode: a minor at every safe point, a major now and
    /// then, in small steps), and a check of the tri-color invariant at every atomic
    /// phase (every minor's); what it finds is counted in `gc_violations`.
    pub fn set_gc_stress_steps(&mut self, on: bool) {
        self.heap.set_stress_steps(on);
        self.heap.verify = on;
    }

    /// Black-to-white references found so far by the checks of `set_gc_stress_steps`
    /// (each one a missing write barrier).
    pub fn gc_violations(&self) -> usize {
        self.heap.violations
    }

    /// A full collection (no finalizer runs here: objects found unreachable with a
    /// finalizer are resurrected and queued; safe points run them). A cycle in progress
    /// is given up (or its sweep finished) first.
    pub fn collect_garbage(&mut self) {
        self.collect(true);
    }

    /// A full collection; `precise`: the running Lua frame is at a safe point of the
    /// interpreter, so its dead registers are known (`live_top`).
    #[inline(never)]
    fn collect(&mut self, precise: bool) {
        let start = std::time::Instant::now();
        self.finish_sweep();
        self.heap.abort_cycle();
        self.start_marking(precise);
        self.heap.mark_from(|_| {});
        self.gc_atomic(precise);
        self.finish_sweep();
        self.heap.set_pending_finalizers(!self.tobefnz.is_empty());
        let st = &mut self.heap.stats;
        st.full += 1;
        st.longest_full = st.longest_full.max(start.elapsed());
    }

    /// Run the sweep in progress, if any, to its end (freed interned strings leave the
    /// intern table as they go).
    fn finish_sweep(&mut self) {
        if self.heap.phase() == Phase::Sweep {
            let strings = &mut self.strings;
            while !self
                .heap
                .sweep_step(isize::MAX, &mut |addr, key| strings.forget(addr, key))
                .1
            {}
        }
    }

    /// One incremental step (PUC's `luaC_step`): work in proportion to what was
    /// allocated since the last step — start a cycle, trace gray objects, run the atomic
    /// phase, sweep — and stop once the budget is spent or the cycle ended (returns true
    /// then).
    ///
    /// In generational mode the steps are those of a major collection (its first phase
    /// makes the old objects white); minors are `minor_collection`.
    fn gc_step(&mut self, precise: bool, mut budget: isize) -> bool {
        let start = std::time::Instant::now();
        let mut finished = false;
        while budget > 0 {
            match self.heap.phase() {
                Phase::Pause if self.heap.mode() == Mode::Generational => {
                    self.heap.start_major();
                    budget -= 1024;
                }
                Phase::Pause => {
                    self.start_marking(precise);
                    budget -= 1024;
                }
                Phase::Whiten => {
                    let (work, done) = self.heap.whiten_step(budget);
                    budget -= work;
                    if done {
                        self.start_marking(precise);
                        budget -= 1024;
                    }
                }
                Phase::Propagate => {
                    budget -= self.heap.propagate_step(budget);
                    if self.heap.gray_is_empty() {
                        self.gc_atomic(precise);
                        budget -= 4096;
                    }
                }
                Phase::Sweep => {
                    let strings = &mut self.strings;
                    let (work, done) = self
                        .heap
                        .sweep_step(budget, &mut |addr, key| strings.forget(addr, key));
                    budget -= work;
                    if done {
                        finished = true;
                        break;
                    }
                }
            }
        }
        if !finished {
            self.heap.end_step();
        }
        self.heap.set_pending_finalizers(!self.tobefnz.is_empty());
        self.heap.stats.record_step(start.elapsed());
        finished
    }

    /// Start a cycle's marking (every object white): mark the roots; tracing is left to
    /// the steps.
    fn start_marking(&mut self, precise: bool) {
        self.heap.start_cycle(|_| {});
        self.mark_roots(precise);
    }

    /// Whether a minor collection can run now: generational mode, no major in progress.
    fn between_minors(&self) -> bool {
        self.heap.mode() == Mode::Generational && self.heap.phase() == Phase::Pause
    }

    /// A minor collection (generational mode, between collections; PUC 5.4's
    /// `youngcollection`), in one go: the atomic phase marks the young objects reachable
    /// from the roots and from the old objects the barriers listed (old objects are
    /// marked, so they are not traced), clears weak tables of dead young objects,
    /// separates the young ones with finalizers, and the sweep frees the unmarked young
    /// objects; the survivors become old.
    fn minor_collection(&mut self, precise: bool) {
        let start = std::time::Instant::now();
        self.heap.start_minor();
        self.gc_atomic(precise);
        self.finish_sweep();
        self.heap.set_pending_finalizers(!self.tobefnz.is_empty());
        self.heap.stats.record_minor(start.elapsed());
    }

    /// Mark the roots (without tracing them): every place the VM keeps values between
    /// safe points — the running stack (its dead part cleared first), open upvalues,
    /// threads, globals, registry, per-type metatables, metamethod names, the pending
    /// error, pinned values, resumers, the hook, objects waiting for finalization and the
    /// embedding API's rooted handles.
    fn mark_roots(&mut self, precise: bool) {
        // clear the dead part of the stack so that it keeps no garbage alive
        let live = if precise {
            self.live_top()
        } else {
            self.window_top()
        }
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
            tobefnz,
            mem_err_msg,
            host,
            ..
        } = self;
        heap.mark_roots_with(|m: &mut Marker| {
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
            m.mark_leaf(*mem_err_msg);
            mark_value(m, *error_value);
            for v in pinned.iter() {
                mark_value(m, *v);
            }
            for t in resumers.iter() {
                m.mark(*t);
            }
            mark_value(m, hook.func);
            // objects waiting for their finalizer stay alive
            for v in tobefnz.iter() {
                mark_value(m, *v);
            }
            host.mark(m);
        });
    }

    /// The atomic phase (PUC's `atomic`), run in one go once the gray list is empty:
    /// check the barriers (in verify mode), mark the roots again and trace what was
    /// written while black, converge ephemerons, clear weak values, separate the
    /// unreachable objects with finalizers and mark them again (resurrection), converge,
    /// clear weak keys (and dead keys), clear the weak values of tables marked by the
    /// resurrection, and start the sweep (which tells the intern table about each string
    /// it frees).
    fn gc_atomic(&mut self, precise: bool) {
        if self.heap.verify {
            self.heap.verify_black();
        }
        self.heap.enter_atomic();
        self.mark_roots(precise);
        self.heap.mark_from(|_| {});
        self.heap.remark_gray_again();
        self.remark_upvals();
        if self.heap.is_minor() {
            // a minor does not find objects with finalizers dead: they (and what they
            // refer to) live on until a major collection, so that a finalizer's run means,
            // as in 5.3, that a whole cycle passed since its object became unreachable;
            // a major is asked for if one of them is unreachable
            if self.finobj.iter().any(|v| !value_is_marked(*v)) {
                self.heap.request_major();
            }
            let finobj = &self.finobj;
            self.heap.mark_from(|m: &mut Marker| {
                for v in finobj.iter() {
                    mark_value(m, *v);
                }
            });
        }
        self.heap.converge_ephemerons();
        self.heap.clear_weak(WeakPart::Values, 0);
        let weak_before = self.heap.weak_count();
        // separate the unreachable objects with finalizers, newest first
        let first_new = self.tobefnz.len();
        let mut dead = Vec::new();
        self.finobj.retain(|v| {
            let live = value_is_marked(*v);
            if !live {
                dead.push(*v);
            }
            live
        });
        self.tobefnz.extend(dead.into_iter().rev());
        if self.tobefnz.len() > first_new {
            let tobefnz = &self.tobefnz;
            self.heap.mark_from(|m: &mut Marker| {
                for v in tobefnz.iter().skip(first_new) {
                    mark_value(m, *v);
                }
            });
            self.heap.converge_ephemerons();
        }
        self.heap.clear_weak(WeakPart::Keys, 0);
        self.heap.clear_weak(WeakPart::Values, weak_before);
        let running_size = self.stack.capacity() * std::mem::size_of::<Value>()
            + self.ci.capacity() * std::mem::size_of::<CallInfo>()
            + self.open_upvals.capacity() * std::mem::size_of::<Gc<UpVal>>()
            + self.strings.capacity() * std::mem::size_of::<Gc<LuaStr>>();
        // SAFETY: `mark_roots` marked every place the VM keeps values between safe points
        // (module invariant): all stacks (the running one here, suspended ones through their
        // thread objects, traced again now), open upvalues, globals, registry, per-type
        // metatables, metamethod names, the pending error, host-pinned values, the
        // embedding API's rooted handles and the objects waiting for finalization
        // (`finobj` is weak: its dead entries moved to `tobefnz` and were marked). Objects
        // written after they were traced were traced again (`barrier_back` at every
        // write of a reference into an object, checked by `verify_black`). Weak tables
        // dropped their unmarked entries; dead strings leave the intern table as the sweep
        // frees them (`Interner::forget`), and one found there before that is kept alive.
        unsafe { self.heap.start_sweep(running_size) };
        self.heap.set_pending_finalizers(!self.tobefnz.is_empty());
    }

    /// PUC's `remarkupvals`: a thread that was not reached keeps the values of its open
    /// upvalues that closures touched since the last check alive for this cycle; it
    /// leaves `twups` (dead threads must not stay in it).
    fn remark_upvals(&mut self) {
        let mut values: Vec<Value> = Vec::new();
        self.twups.retain(|t| {
            if t.is_marked() {
                return true;
            }
            t.in_twups.set(false);
            if let Ok(d) = t.data.try_borrow() {
                for u in &d.open_upvals {
                    if u.touched.get() {
                        u.touched.set(false);
                        values.push(u.get());
                    }
                }
            }
            false
        });
        if !values.is_empty() {
            self.heap.mark_from(|m: &mut Marker| {
                for v in values {
                    mark_value(m, v);
                }
            });
        }
    }

    /// Where the live part of the running stack ends, as PUC marks a thread's stack up to
    /// its top: when a Rust function runs, its `top` (its caller's registers past the call
    /// are dead); when a Lua frame stopped at one of the interpreter's safe points (the
    /// instruction before its saved pc is `NEWTABLE`, `CLOSURE`, `CONCAT` or a `CALL` of a
    /// Rust function), the limit PUC's `checkGC` sets there; otherwise the top of the
    /// frame's register window.
    fn window_top(&self) -> usize {
        match self.ci.last() {
            Some(c) if c.status & crate::thread::cist::LUA != 0 => self.top.max(c.top as usize),
            _ => self.top,
        }
    }

    fn live_top(&self) -> usize {
        use luavm_compiler::opcodes::{inst, OpCode};
        let Some(c) = self.ci.last() else {
            return self.top;
        };
        if c.status & crate::thread::cist::LUA == 0 {
            return self.top;
        }
        let window = self.top.max(c.top as usize);
        let Some(Value::LuaFn(cl)) = self.stack.get(c.func as usize) else {
            return window;
        };
        let Some(&i) = (c.pc as usize)
            .checked_sub(1)
            .and_then(|p| cl.p.code.get(p))
        else {
            return window;
        };
        let base = c.base as usize;
        let (a, b, cc) = (
            inst::a(i) as usize,
            inst::b(i) as usize,
            inst::c(i) as usize,
        );
        let live = match inst::opcode(i) {
            OpCode::NewTable | OpCode::Closure => base + a + 1,
            OpCode::Concat if a >= b => base + a + 1,
            OpCode::Concat => base + b,
            OpCode::Call if cc != 0 => base + a + cc - 1,
            OpCode::Call => self.top,
            _ => window,
        };
        live.min(window)
    }

    /// Register `v` (a table or full userdata that just got metatable `mt`) for
    /// finalization if `mt` has a `__gc` field (PUC's `luaC_checkfinalizer`): once, and
    /// only at this moment — a `__gc` added to the metatable later does not count.
    pub fn check_finalizer(&mut self, v: Value, mt: Option<Gc<Table>>) {
        let Some(mt) = mt else { return };
        let registered = match v {
            Value::Table(t) => t.is_to_finalize(),
            Value::UserData(u) => u.is_to_finalize(),
            _ => return,
        };
        if registered || mt.get_str(self.tm_name(Tm::Gc)).is_nil() {
            return;
        }
        match v {
            Value::Table(t) => t.set_to_finalize(true),
            Value::UserData(u) => u.set_to_finalize(true),
            _ => return,
        }
        self.finobj.push(v);
    }

    /// Set the metatable of a table or full userdata (the `setmetatable` of the API:
    /// registers the object for finalization when `mt` has `__gc`).
    pub fn set_metatable(&mut self, v: Value, mt: Option<Gc<Table>>) {
        match v {
            Value::Table(t) => {
                t.set_metatable(mt);
                if let (true, Some(mt)) = (t.is_black(), mt) {
                    self.heap.barrier_forward(t, |m| m.mark(mt));
                }
            }
            Value::UserData(u) => {
                u.metatable.set(mt);
                self.heap.barrier_back(u);
            }
            other => {
                self.set_type_metatable(other.type_of(), mt);
                return;
            }
        }
        self.check_finalizer(v, mt);
    }

    /// Run the finalizers of the objects collected so far (PUC's `GCTM` loop), oldest
    /// collection first, newest registration first. With `propagate`, the first error
    /// stops the loop and is raised as "error in __gc metamethod (msg)"; the rest stay
    /// pending.
    pub fn run_finalizers(&mut self, propagate: bool) -> LuaResult<()> {
        while let Some(v) = self.tobefnz.pop_front() {
            self.heap.set_pending_finalizers(!self.tobefnz.is_empty());
            self.call_finalizer(v, propagate)?;
        }
        Ok(())
    }

    fn call_finalizer(&mut self, v: Value, propagate: bool) -> LuaResult<()> {
        match v {
            Value::Table(t) => t.set_to_finalize(false),
            Value::UserData(u) => u.set_to_finalize(false),
            _ => {}
        }
        let tm = self.get_tm(v, Tm::Gc);
        if !tm.is_function() {
            return Ok(());
        }
        // call above every live slot of the running frame, with the collector stopped
        let old_top = self.top;
        let frame_top = self.ci.last().map_or(0, |c| c.top as usize);
        self.top = old_top.max(frame_top).min(self.stack.len());
        let running = self.heap.is_running();
        self.heap.set_running(false);
        // no hooks inside finalizers (as PUC's GCTM)
        let allow_hook = std::mem::replace(&mut self.allow_hook, false);
        let me = self.ci.len().wrapping_sub(1);
        let was_fin = self.ci.get(me).map_or(0, |c| c.status & cist::FIN);
        if let Some(c) = self.ci.get_mut(me) {
            c.status |= cist::FIN;
        }
        let r = match self.check_stack(2) {
            Ok(()) => {
                let func = self.top;
                self.push(tm);
                self.push(v);
                self.pcall(func, 0, 0)
            }
            Err(e) => Err(e),
        };
        self.heap.set_running(running);
        self.allow_hook = allow_hook;
        if let Some(c) = self.ci.get_mut(me) {
            c.status = (c.status & !cist::FIN) | was_fin;
        }
        self.top = old_top;
        match r {
            Ok(()) => Ok(()),
            Err(_) if propagate => {
                let mut msg = b"error in __gc metamethod (".to_vec();
                match self.error_value {
                    Value::Str(s) => msg.extend_from_slice(s.as_bytes()),
                    _ => msg.extend_from_slice(b"no message"),
                }
                msg.push(b')');
                let m = self.str_value(&msg);
                Err(self.set_error(m))
            }
            Err(_) => Ok(()),
        }
    }

    /// Close the state (PUC's `lua_close`, as far as Lua code can see it): run every
    /// pending finalizer and then the finalizers of all objects registered for
    /// finalization, newest first; errors in them are ignored. Objects registered during
    /// this are not finalized. Runs once; `Drop` calls it too.
    pub fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        while let Some(v) = self.finobj.pop() {
            self.tobefnz.push_back(v);
        }
        let _ = self.run_finalizers(false);
        self.heap.set_pending_finalizers(false);
    }

    /// Memory in use, in bytes.
    pub fn memory_used(&self) -> usize {
        self.heap.allocated()
    }
}
