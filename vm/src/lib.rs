//! luavm-vm: values, strings, tables, closures, coroutines, the interpreter loop and the
//! API that Rust functions use.
//!
//! Module map (see docs/ARCHITECTURE.md):
//! - `value`, `string`, `table`, `function`, `userdata`, `thread`: the object model;
//! - `state`: one Lua state (heap, globals, registry, running thread, GC roots);
//! - `exec`: the dispatch loop; `call`: calls, returns, protected calls, error recovery;
//! - `ops`/`arith`: slow paths and number semantics; `errors`: every message;
//! - `coroutine`: resume/yield; `api`: what Rust functions use;
//! - `debug`: introspection for the debug library (levels, locals, upvalues, hooks);
//! - `limits`: instruction budget, interrupts, call depth and memory limits;
//! - `embed`: the embedding API (`LuaVM`, handles, conversions, host functions, async).
//!
//! Architecture invariant: a `State` and every `Gc` handle are `!Send`; nothing here
//! crosses threads except `Proto`s (plain data from the compiler).

pub mod api;
pub mod arith;
mod array_part;
pub mod call;
pub mod coroutine;
pub mod debug;
pub mod embed;
pub mod error;
pub mod errors;
mod exec;
pub mod function;
mod hooks;
pub mod limits;
pub mod meta;
pub mod ops;
pub mod state;
pub mod string;
pub mod table;
pub mod thread;
pub mod userdata;
pub mod value;

pub use call::MULTRET;
pub use coroutine::ResumeOutcome;
pub use error::{LuaError, LuaResult};
pub use function::{LuaClosure, NativeClosure, NativeFn};
pub use luavm_gc::Gc;
pub use luavm_gc::Mode as GcMode;
pub use state::State;
pub use string::LuaStr;
pub use table::Table;
pub use thread::{ContFn, Status, Thread};
pub use value::{Type, Value};
