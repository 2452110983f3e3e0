//! Full userdata: a block of host data with a metatable and a user value.
//!
//! Invariant: the data is owned by the userdata and dropped when it is collected (after
//! its `__gc` finalizer, if it has one, ran in an earlier cycle).

use std::any::Any;
use std::cell::{Cell, RefCell};

use luavm_gc::{Gc, Marker, Trace};

use crate::table::{mark_value, Table};
use crate::value::Value;

pub struct UserData {
    pub metatable: Cell<Option<Gc<Table>>>,
    pub user_value: Cell<Value>,
    pub data: RefCell<Box<dyn Any>>,
}

impl Trace for UserData {
    fn trace(&self, m: &mut Marker) {
        if let Some(mt) = self.metatable.get() {
            m.mark(mt);
        }
        mark_value(m, self.user_value.get());
    }
    fn extra_size(&self) -> usize {
        // the host data's own block (not what it owns in turn)
        self.data
            .try_borrow()
            .map_or(0, |d| std::mem::size_of_val::<dyn Any>(&**d))
    }
}
