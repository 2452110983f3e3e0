//! The embedding API: what a Rust program uses to run Lua (names from seed 001).
//!
//! - [`LuaVM`] owns a VM; [`SafeOption`] holds its limits; [`InterruptHandle`] stops it
//!   from another thread.
//! - [`LuaApi`] (in [`prelude`]) gives `LuaVM` and the [`Lua`] that host functions get
//!   the same operations: globals, tables, `load`/`call`, `execute_string`,
//!   `register`/`register_async`, userdata.
//! - Host code holds [`LuaValue`]s: plain data or rooted handles ([`LuaTable`],
//!   [`LuaFunction`], [`AnyUserData`], [`LuaThread`]), valid across collections.
//!   Conversions: [`IntoLua`]/[`FromLua`] and the multi-value forms.
//! - Errors are [`Error`] (kind, message, Lua value, traceback).
//! - [`driver`]: async host calls driven by a scheduler of its own (the dispatcher's
//!   workers), and [`Lua::from_state`] for code given a raw `State`.
//!
//! What is `Send`: [`SafeOption`], [`Stdlib`], [`InterruptHandle`], [`LuaString`] and
//! `Error`-free plain data. Nothing that refers into a VM is (`LuaVM`, `LuaValue`,
//! handles, `Error`, which carries a `LuaValue`): each VM lives on one thread.
//!
//! ```compile_fail
//! fn assert_send<T: Send>() {}
//! assert_send::<luavm_vm::embed::LuaValue>();
//! ```
//! ```compile_fail
//! fn assert_send<T: Send>() {}
//! assert_send::<luavm_vm::embed::LuaTable>();
//! ```
//! ```compile_fail
//! fn assert_send<T: Send>() {}
//! assert_send::<luavm_vm::Value>();
//! ```
//! ```compile_fail
//! fn assert_send<T: Send>() {}
//! assert_send::<luavm_vm::Gc<luavm_vm::Table>>();
//! ```
//! ```
//! fn assert_send<T: Send + Sync>() {}
//! assert_send::<luavm_vm::embed::InterruptHandle>();
//! assert_send::<luavm_vm::embed::SafeOption>();
//! ```

#![warn(missing_docs)]

mod async_;
mod context;
mod convert;
pub mod driver;
mod error;
mod host_fn;
mod luavm;
mod roots;
mod userdata;
mod value;

pub use crate::GcMode;
pub use async_::block_on;
pub use context::{Lua, LuaApi};
pub use convert::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, Variadic};
pub use error::{Error, ErrorKind, Result};
pub use host_fn::HostFunction;
pub use luavm::{InterruptHandle, LuaVM, SafeOption, Stdlib};
pub use userdata::{MetaMethod, UserData, UserDataMethods};
pub use value::{
    AnyUserData, AsyncReturnValue, LuaFunction, LuaString, LuaTable, LuaThread, LuaValue,
};

pub use roots::HostData;

/// The traits to bring into scope (`use luavm_vm::embed::prelude::*`).
pub mod prelude {
    pub use super::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti, LuaApi, UserData};
}
