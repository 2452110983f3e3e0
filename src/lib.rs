//! luavm: a Lua 5.3 VM for Rust programs (and the `luavm` command).
//!
//! ```
//! use luavm::prelude::*;
//!
//! let mut vm = LuaVM::new(SafeOption::default());
//! vm.open_stdlib(Stdlib::All).unwrap();
//! vm.register("add", |a: i64, b: i64| a + b).unwrap();
//! let r = vm.execute_string("return add(1, 2), ('x'):rep(3)").unwrap();
//! assert_eq!(format!("{r:?}"), r#"[3, "xxx"]"#);
//! ```
//!
//! One crate to depend on: the embedding API of `luavm-vm` (`LuaVM`, `SafeOption`,
//! values, conversions, userdata, async host functions), `open_stdlib` from
//! `luavm-stdlib`, and [`prelude`] with the traits that give `LuaVM` its methods. See
//! `docs/embedding.md` and the `examples/` folder. The VM's internals (the raw `State`
//! the standard library is written against) are in [`raw`].
//!
//! `LuaVM` and every value that refers into a VM are `!Send`: run one VM per thread.
//! ```compile_fail
//! fn assert_send<T: Send>() {}
//! assert_send::<luavm::LuaVM>();
//! ```
#![forbid(unsafe_code)]

pub use luavm_stdlib::StdlibExt;
/// `Value` is the host-side value ([`LuaValue`]).
pub use luavm_vm::embed::LuaValue as Value;
pub use luavm_vm::embed::*;

/// The dispatcher: the `workers` library and the `Pool` of worker VMs.
pub use luavm_dispatcher as dispatcher;
pub use luavm_dispatcher::WorkersExt;
/// The standard library crate.
pub use luavm_stdlib as stdlib;
/// The VM's internals (`State`, raw `Value`, `Gc` handles), for library crates.
pub use luavm_vm as raw;

/// Everything an embedder usually needs, traits included: `use luavm::prelude::*;`.
pub mod prelude {
    pub use luavm_dispatcher::WorkersExt;
    pub use luavm_stdlib::StdlibExt;
    pub use luavm_vm::embed::prelude::*;
    pub use luavm_vm::embed::{
        AnyUserData, AsyncReturnValue, Error, ErrorKind, GcMode, InterruptHandle, Lua, LuaFunction,
        LuaString, LuaTable, LuaThread, LuaVM, LuaValue, MetaMethod, SafeOption, Stdlib,
        UserDataMethods, Variadic,
    };
}
