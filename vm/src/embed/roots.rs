//! Rooted handles: how host code keeps Lua objects alive across collections.
//!
//! A state owns one `RootTable` (shared through an `Rc` with every handle it gave out),
//! made when the first handle is (a new VM allocates nothing for it).
//! A handle (`Handle`) owns one slot of it; the collector marks every slot, and dropping
//! the last clone of a handle frees its slot. Host code never holds a raw `Gc` pointer.
//!
//! Invariants:
//! - a slot holds a value while a `Root` owns it, `Nil` while it is on the free list;
//! - a handle is used only with the state whose table it points to (`belongs_to`): a
//!   handle of another (or a dropped) VM is refused, never dereferenced;
//! - the table is borrowed only for the length of one method (never across user code), so
//!   a handle dropped anywhere — even while the heap sweeps — can always free its slot.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use luavm_gc::Marker;

use crate::table::mark_value;
use crate::value::Value;

use super::value::{LuaTable, LuaValue};
use super::Result;

#[derive(Default)]
pub(crate) struct RootTable {
    inner: RefCell<Slots>,
}

#[derive(Default)]
struct Slots {
    values: Vec<Value>,
    free: Vec<u32>,
}

impl RootTable {
    fn alloc(self: &Rc<Self>, v: Value) -> Handle {
        let mut s = self.inner.borrow_mut();
        let slot = match s.free.pop() {
            Some(i) => {
                s.values[i as usize] = v;
                i
            }
            None => {
                s.values.push(v);
                (s.values.len() - 1) as u32
            }
        };
        Handle(Rc::new(Root {
            table: self.clone(),
            slot,
        }))
    }

    fn get(&self, slot: u32) -> Value {
        self.inner
            .borrow()
            .values
            .get(slot as usize)
            .copied()
            .unwrap_or(Value::Nil)
    }

    pub(crate) fn mark(&self, m: &mut Marker) {
        for v in self.inner.borrow().values.iter() {
            mark_value(m, *v);
        }
    }

    /// Number of live handles (for tests and leak checks).
    pub(crate) fn live(&self) -> usize {
        let s = self.inner.borrow();
        s.values.len() - s.free.len()
    }
}

struct Root {
    table: Rc<RootTable>,
    slot: u32,
}

impl Drop for Root {
    fn drop(&mut self) {
        if let Ok(mut s) = self.table.inner.try_borrow_mut() {
            if let Some(v) = s.values.get_mut(self.slot as usize) {
                *v = Value::Nil;
                s.free.push(self.slot);
            }
        }
        // (a borrow here would mean a drop inside a table method, which never runs user
        // code: the slot then stays allocated, which is a leak, never unsound)
    }
}

/// One rooted value; clones share the slot.
#[derive(Clone)]
pub(crate) struct Handle(Rc<Root>);

impl Handle {
    /// The raw value (valid until the next collection unless it is put somewhere rooted;
    /// the handle itself keeps it alive while the handle lives).
    pub(crate) fn raw(&self) -> Value {
        self.0.table.get(self.0.slot)
    }
    pub(crate) fn belongs_to(&self, t: &Rc<RootTable>) -> bool {
        Rc::ptr_eq(&self.0.table, t)
    }
}

/// A host future an async function is waiting for.
pub(crate) type HostFuture = Pin<Box<dyn Future<Output = Result<Vec<LuaValue>>>>>;

/// What the embedding API keeps in each state.
#[derive(Default)]
pub struct HostData {
    /// The root table, made with the first handle.
    roots: std::cell::OnceCell<Rc<RootTable>>,
    /// Traceback recorded by the message handler of the last failed protected call.
    pub(crate) traceback: Option<String>,
    /// Nesting of host entry points (`execute_string`, `call`, ...): limits are reset only
    /// when an outermost one starts.
    pub(crate) depth: u32,
    /// Whether an `execute_async` driver is running (async host functions may suspend).
    pub(crate) driver_active: bool,
    /// The future an async host function just started (taken by the driver).
    pub(crate) pending: Option<HostFuture>,
    /// Its outcome, put here by the driver before it resumes the coroutines.
    pub(crate) async_result: Option<Result<Vec<LuaValue>>>,
    /// Metatables of userdata types, by type.
    pub(crate) userdata_meta: std::collections::HashMap<std::any::TypeId, LuaTable>,
}

impl HostData {
    pub(crate) fn mark(&self, m: &mut Marker) {
        if let Some(r) = self.roots.get() {
            r.mark(m);
        }
    }
    pub(crate) fn root(&self, v: Value) -> Handle {
        self.roots.get_or_init(Rc::default).alloc(v)
    }
    /// Whether `h` is a handle of this state.
    pub(crate) fn owns(&self, h: &Handle) -> bool {
        self.roots.get().is_some_and(|r| h.belongs_to(r))
    }
    /// Number of live handles.
    pub(crate) fn live(&self) -> usize {
        self.roots.get().map_or(0, |r| r.live())
    }
}
