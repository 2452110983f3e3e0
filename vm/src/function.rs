//! Functions: loaded prototypes, Lua closures, upvalues and Rust functions.
//!
//! Invariants:
//! - a `LuaProto` is a `Proto` loaded into one VM: its constants are this VM's values
//!   (strings interned here), created once when the prototype is loaded;
//! - the `Proto` inside passed `verify`, so the interpreter may index registers, constants,
//!   upvalues and nested prototypes without bounds checks;
//! - an `UpVal` is open while `v` points into a thread's stack (then `thread` is that
//!   thread, kept alive by the upvalue) and closed once `v` points at its own `closed` cell;
//!   a stack that moves fixes the `v` of its open upvalues (`Thread`/`State` do this).

use std::cell::{Cell, UnsafeCell};
use std::sync::Arc;

use luavm_compiler::Proto;
use luavm_gc::{Gc, Marker, Trace};

use crate::error::LuaError;
use crate::state::State;
use crate::table::mark_value;
use crate::thread::Thread;
use crate::value::Value;

/// A Rust function callable from Lua. Arguments are read with `State::arg`; results are
/// pushed with `State::push`; it returns how many results it pushed.
pub type NativeFn = fn(&mut State) -> Result<usize, LuaError>;

/// A prototype loaded into a VM. The fields the call path needs are copied out of the
/// `Proto` so that a call touches one object.
pub struct LuaProto {
    pub code: Box<[u32]>,
    pub k: Box<[Value]>,
    pub num_params: u8,
    pub is_vararg: bool,
    pub max_stack: u8,
    pub protos: Box<[Gc<LuaProto>]>,
    pub proto: Arc<Proto>,
    /// The last closure made from this prototype (PUC 5.3's `cache`, for `CLOSURE` to
    /// reuse when its upvalues are the same). A weak reference: the collector forgets it
    /// when nothing else keeps the closure alive.
    pub cache: Cell<Option<Gc<LuaClosure>>>,
}

impl Trace for LuaProto {
    fn trace(&self, m: &mut Marker) {
        for v in self.k.iter() {
            mark_value(m, *v);
        }
        for p in self.protos.iter() {
            m.mark(*p);
        }
        if self.cache.get().is_some() {
            m.defer_weak();
        }
    }
    fn clear_weak(&self, part: luavm_gc::WeakPart) {
        if part == luavm_gc::WeakPart::Keys {
            if let Some(c) = self.cache.get() {
                if !c.is_marked() {
                    self.cache.set(None);
                }
            }
        }
    }
    fn extra_size(&self) -> usize {
        self.k.len() * 16 + self.protos.len() * 8 + self.code.len() * 4
    }
}

/// A Lua function value. The frame shape (`num_params`, `is_vararg`, `max_stack`) is
/// copied from the proto so that a call reads it without going through `p`.
pub struct LuaClosure {
    pub p: Gc<LuaProto>,
    /// `p.code`'s first instruction, so that a call reaches the callee's code without
    /// loading it through the proto (valid as long as the closure: it keeps `p` alive,
    /// and a loaded proto's code never changes).
    pub code: *const u32,
    pub num_params: u8,
    pub is_vararg: bool,
    pub max_stack: u8,
    pub upvals: Box<[Gc<UpVal>]>,
    /// `upvals[0]` (None when there are no upvalues), so that the loop reaches the most
    /// used upvalue (`_ENV` of a chunk, the one variable most closures capture) with one
    /// load less. Written with `upvals[0]`: here and in `debug::upvalue_join`.
    pub up0: Option<Gc<UpVal>>,
}

impl LuaClosure {
    pub fn new(p: Gc<LuaProto>, upvals: Box<[Gc<UpVal>]>) -> LuaClosure {
        LuaClosure {
            p,
            code: p.code.as_ptr(),
            num_params: p.num_params,
            is_vararg: p.is_vararg,
            max_stack: p.max_stack,
            up0: upvals.first().copied(),
            upvals,
        }
    }
}

impl Trace for LuaClosure {
    fn trace(&self, m: &mut Marker) {
        m.mark(self.p);
        for u in self.upvals.iter() {
            m.mark(*u);
        }
    }
    fn extra_size(&self) -> usize {
        self.upvals.len() * 8
    }
}

/// An upvalue cell shared by closures.
pub struct UpVal {
    v: Cell<*mut Value>,
    closed: UnsafeCell<Value>,
    /// The thread whose stack `v` points into, while open.
    thread: Cell<Option<Gc<Thread>>>,
    /// Stack slot index while open.
    pub(crate) index: Cell<usize>,
    /// Open and created or reached by a closure since its thread was last checked for
    /// dead open upvalues (PUC's `touched`: its value survives the thread by one cycle).
    pub(crate) touched: Cell<bool>,
}

impl Trace for UpVal {
    fn trace(&self, m: &mut Marker) {
        match self.thread.get() {
            Some(t) => {
                if !m.is_atomic() {
                    self.touched.set(true);
                }
                m.mark(t)
            }
            // SAFETY: closed: `closed` is only written through `v` by `set`, never
            // concurrently with this read (the collector runs between instructions).
            None => mark_value(m, unsafe { *self.closed.get() }),
        }
    }
}

impl UpVal {
    /// A closed upvalue holding `v`. (Its pointer is fixed up by `fix_closed` once boxed.)
    pub fn new_closed(v: Value) -> UpVal {
        UpVal {
            v: Cell::new(std::ptr::null_mut()),
            closed: UnsafeCell::new(v),
            thread: Cell::new(None),
            index: Cell::new(usize::MAX),
            touched: Cell::new(false),
        }
    }
    /// An open upvalue for stack slot `index` of `thread`, whose value is at `slot`.
    pub fn new_open(thread: Gc<Thread>, index: usize, slot: *mut Value) -> UpVal {
        UpVal {
            v: Cell::new(slot),
            closed: UnsafeCell::new(Value::Nil),
            thread: Cell::new(Some(thread)),
            index: Cell::new(index),
            touched: Cell::new(true),
        }
    }
    /// Point a closed upvalue at its own cell (call once it has its final address).
    /// Where the value lives now (a stack slot while open, its own cell once closed):
    /// two upvalues are the same variable exactly when these are equal.
    #[inline]
    pub fn location(&self) -> *const Value {
        self.v.get()
    }

    pub fn fix_closed(&self) {
        if self.thread.get().is_none() {
            self.v.set(self.closed.get());
        }
    }
    #[inline(always)]
    pub fn get(&self) -> Value {
        // SAFETY: `v` points either at our own `closed` cell or at a live slot of the
        // owning thread's stack (kept valid across stack reallocation by `relocate`).
        unsafe { Value::load(self.v.get()) }
    }
    /// A reference to the value, for reads that copy only what they need. The
    /// reference must not be held across anything that can write the upvalue or move
    /// the stack (the interpreter uses it within one instruction's fast path).
    #[inline(always)]
    pub fn get_ref(&self) -> &Value {
        // SAFETY: as for `get`; the caller does not keep the reference across writes.
        unsafe { &*self.v.get() }
    }
    #[inline(always)]
    pub fn set(&self, val: Value) {
        // SAFETY: as in `get`; no reference to the slot is alive during this write.
        unsafe { *self.v.get() = val }
    }
    #[inline]
    pub fn is_open(&self) -> bool {
        self.thread.get().is_some()
    }
    /// Copy the value into the upvalue and detach it from the stack.
    pub fn close(&self) {
        let v = self.get();
        // SAFETY: nothing else refers to `closed` while the upvalue is open.
        unsafe { *self.closed.get() = v };
        self.v.set(self.closed.get());
        self.thread.set(None);
        self.index.set(usize::MAX);
    }
    /// The stack moved: point at the same slot in the new buffer.
    pub(crate) fn relocate(&self, stack_base: *mut Value) {
        if self.is_open() {
            // SAFETY: index < stack length (an open upvalue's slot is below the live top).
            self.v.set(unsafe { stack_base.add(self.index.get()) });
        }
    }
}

/// A Rust function with upvalues (PUC's C closure), e.g. the function `coroutine.wrap` returns.
pub struct NativeClosure {
    pub f: NativeFn,
    pub upvalues: Box<[Cell<Value>]>,
    /// Name used in messages when there is no better one.
    pub name: &'static str,
}

impl Trace for NativeClosure {
    fn trace(&self, m: &mut Marker) {
        for u in self.upvalues.iter() {
            mark_value(m, u.get());
        }
    }
    fn extra_size(&self) -> usize {
        self.upvalues.len() * 16
    }
}
