//! luavm-stdlib: the Lua standard library.
//!
//! The libraries, each a table of Rust functions over the `State` API (see
//! docs/ARCHITECTURE.md for the file map); `open_all` installs them.
#![forbid(unsafe_code)]

pub mod base;
pub mod lcoroutine;
pub mod ldebug;
pub mod lformat;
pub mod lio;
pub mod lio_stream;
pub mod lmath;
pub mod los;
pub mod los_time;
pub mod los_tz;
pub mod lpackage;
pub mod lpattern;
pub mod lstring;
pub mod lstrpack;
pub mod ltable;
pub mod lutf8;

use luavm_vm::embed::{Error, ErrorKind, LuaVM, Stdlib};
use luavm_vm::{Gc, NativeFn, State, Table, Value};

/// A library: name → function.
pub type Lib = &'static [(&'static str, NativeFn)];

/// Store the functions of `lib` into table `t`.
pub fn register(s: &mut State, t: Gc<Table>, lib: Lib) {
    for (name, f) in lib {
        s.raw_set_str(t, name, Value::NativeFn(*f));
    }
}

/// Create library table `name` with `funcs`, store it in the globals and in
/// `package.loaded` (the registry's `_LOADED`).
pub fn open_lib(s: &mut State, name: &str, funcs: Lib) -> Gc<Table> {
    // sized once: no rehash while the functions go in (VM creation cost)
    let t = s.new_table_with(0, funcs.len() + 4);
    s.set_global(name, Value::Table(t));
    register(s, t, funcs);
    let loaded = loaded_table(s);
    s.raw_set_str(loaded, name, Value::Table(t));
    t
}

/// The registry's `_LOADED` table (created on first use).
pub fn loaded_table(s: &mut State) -> Gc<Table> {
    let reg = s.registry();
    let key = s.str_value(b"_LOADED");
    match reg.get(key) {
        Value::Table(t) => t,
        _ => {
            let t = s.new_table();
            s.raw_set(reg, key, Value::Table(t));
            t
        }
    }
}

/// Append a number's `tostring` form.
pub fn push_number(out: &mut Vec<u8>, v: Value) {
    luavm_vm::ops::push_str_or_number(out, v);
}

/// Open every library into the state's globals.
pub fn open_all(s: &mut State) {
    open_libs(s, Stdlib::All);
}

/// Open the libraries of `libs` into the state's globals (in `luaL_openlibs`' order).
pub fn open_libs(s: &mut State, libs: Stdlib) {
    if libs.contains(Stdlib::Base) {
        base::open(s);
        let g = s.globals();
        let loaded = loaded_table(s);
        s.raw_set_str(loaded, "_G", Value::Table(g));
    }
    type Opener = fn(&mut State);
    let order: [(Stdlib, Opener); 9] = [
        (Stdlib::Package, lpackage::open),
        (Stdlib::Coroutine, lcoroutine::open),
        (Stdlib::String, lstring::open),
        (Stdlib::Io, lio::open),
        (Stdlib::Os, los::open),
        (Stdlib::Table, ltable::open),
        (Stdlib::Math, lmath::open),
        (Stdlib::Utf8, lutf8::open),
        (Stdlib::Debug, ldebug::open),
    ];
    for (lib, open) in order {
        if libs.contains(lib) {
            open(s);
        }
    }
}

/// Gives [`LuaVM`] its `open_stdlib` method (in `luavm::prelude`).
pub trait StdlibExt {
    /// Open the libraries of `libs`. `Stdlib::All` opens every library the VM's
    /// `SafeOption::libraries` allows; naming a library it does not allow is an error.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, Stdlib};
    /// use luavm_stdlib::StdlibExt;
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.open_stdlib(Stdlib::All).unwrap();
    /// assert_eq!(format!("{:?}", vm.execute_string("return string.rep('a', 3)").unwrap()), r#"["aaa"]"#);
    /// ```
    fn open_stdlib(&mut self, libs: Stdlib) -> Result<(), Error>;
}

impl StdlibExt for LuaVM {
    fn open_stdlib(&mut self, libs: Stdlib) -> Result<(), Error> {
        let allowed = self.options().libraries;
        let libs = if libs == Stdlib::All {
            allowed
        } else {
            let denied = libs - allowed;
            if !denied.is_empty() {
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("library not allowed by SafeOption::libraries: {denied:?}"),
                ));
            }
            libs
        };
        self.with_state(|s| open_libs(s, libs));
        Ok(())
    }
}
