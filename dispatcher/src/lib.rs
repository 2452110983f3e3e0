//! luavm-dispatcher: a work-stealing pool of isolated VMs, usable from Lua (the `workers`
//! library) and from Rust ([`Pool`]).
//!
//! Module map (see docs/DISPATCHER.md for the guide, docs/ARCHITECTURE.md for the map):
//! - `transfer`: the `Send` value format ([`Packet`]) and the copy out of / into a VM;
//!   `names`: Rust functions and library tables by name;
//! - `task`: slots, outcomes, handles; `timer`: deadlines;
//! - `pool`: the pool, its queues, parking, metrics, the default pool;
//! - `worker`: one worker thread — its VM, tasks as coroutines, waits, panics;
//! - `lworkers`: the Lua library.
//!
//! Architecture invariant: nothing that holds a `Gc` handle crosses a thread; what
//! crosses is a `Packet` (plain data, `Arc<Proto>`s, registered userdata payloads).
#![forbid(unsafe_code)]

mod lworkers;
mod names;
mod pool;
mod task;
mod timer;
pub mod transfer;
mod worker;

pub use lworkers::{open, open_with_pool, pending_wait};
pub use pool::{
    add_default_init, add_default_init_lua, default_pool, default_workers, set_default_workers,
    InitFn, Job, Metrics, Pool, PoolBuilder, PoolError,
};
pub use task::{Outcome, TaskError, TaskHandle, TaskStatus};
pub use transfer::{register_transferable, Data, ExportOptions, Packet, ProtoCache};

/// Gives the embedding API's `LuaVM` the `workers` library.
///
/// ```
/// use luavm_dispatcher::WorkersExt;
/// use luavm_stdlib::StdlibExt;
/// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, Stdlib};
/// let mut vm = LuaVM::new(SafeOption::default());
/// vm.open_stdlib(Stdlib::All).unwrap();
/// vm.open_workers_with(luavm_dispatcher::Pool::builder().workers(1).build().unwrap());
/// let r = vm.execute_string("return workers.spawn(function(x) return x * 2 end, 21):join()");
/// assert_eq!(format!("{:?}", r.unwrap()), "[42]");
/// ```
pub trait WorkersExt {
    /// Install `workers`, submitting to the default pool (started on first use).
    fn open_workers(&mut self);
    /// Install `workers`, submitting to `pool`.
    fn open_workers_with(&mut self, pool: Pool);
}

impl WorkersExt for luavm_vm::embed::LuaVM {
    fn open_workers(&mut self) {
        self.with_state(open)
    }
    fn open_workers_with(&mut self, pool: Pool) {
        self.with_state(|s| open_with_pool(s, pool))
    }
}
