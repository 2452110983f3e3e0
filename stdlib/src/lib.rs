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

/// Store the functions of `lib` into table `t` (the names are interned without a copy).
pub fn register(s: &mut State, t: Gc<Table>, lib: Lib) {
    for (name, f) in lib {
        s.raw_set_static(t, name, Value::NativeFn(*f));
    }
}

/// Create library table `name` with `funcs` (and room for `extra` more fields), store it
/// in the globals and in `package.loaded` (the registry's `_LOADED`).
pub fn open_lib_with(s: &mut State, name: &'static str, funcs: Lib, extra: usize) -> Gc<Table> {
    // sized once: no rehash while the functions go in (VM creation cost)
    let t = s.new_table_with(0, funcs.len() + extra);
    let g = s.globals();
    s.raw_set_static(g, name, Value::Table(t));
    register(s, t, funcs);
    let loaded = loaded_table(s);
    s.raw_set_static(loaded, name, Value::Table(t));
    t
}

/// `open_lib_with` with room for a few more fields.
pub fn open_lib(s: &mut State, name: &'static str, funcs: Lib) -> Gc<Table> {
    open_lib_with(s, name, funcs, 4)
}

/// The registry's `_LOADED` table (created on first use, with room for every library).
pub fn loaded_table(s: &mut State) -> Gc<Table> {
    let reg = s.registry();
    let key = Value::Str(s.new_static_str(b"_LOADED"));
    match reg.get(key) {
        Value::Table(t) => t,
        _ => {
            let t = s.new_table_with(0, 11); // every library and _G
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

/// A library in `luaL_openlibs`' order: its flag, its opener, its functions, and how
/// many objects it makes besides its functions' names (its table, its name, other
/// fields), so that `funcs.len() + extra` is an upper bound of the objects it adds.
type Entry = (Stdlib, fn(&mut State), Lib, usize);

const ORDER: [Entry; 9] = [
    (Stdlib::Package, lpackage::open, lpackage::FUNCS, 15),
    (Stdlib::Coroutine, lcoroutine::open, lcoroutine::FUNCS, 2),
    (Stdlib::String, lstring::open, lstring::FUNCS, 3),
    (Stdlib::Io, lio::open, lio::FUNCS, lio::METHODS.len() + 5),
    (Stdlib::Os, los::open, los::FUNCS, 2),
    (Stdlib::Table, ltable::open, ltable::FUNCS, 2),
    (Stdlib::Math, lmath::open, lmath::FUNCS, 6),
    (Stdlib::Utf8, lutf8::open, lutf8::FUNCS, 4),
    (Stdlib::Debug, ldebug::open, ldebug::FUNCS, 2),
];

/// Objects (almost all of them strings) `open_libs(_, Stdlib::All)` adds to a new state:
/// fewer than the sum of the libraries' bounds, as names shared by several libraries
/// (`type`, `remove`, `pack`, `close`...) are made once. Exact, so that the heap's object
/// list is allocated once and without slack (a test checks the number).
const ALL_OBJECTS: usize = 173;

/// Open the libraries of `libs` into the state's globals (in `luaL_openlibs`' order).
///
/// Everything that grows while the libraries go in (the heap's object list, the intern
/// table, `_G`, the registry) is sized once beforehand from the libraries' function
/// lists: a new VM is mostly this function, and regrowing those was a third of its cost.
pub fn open_libs(s: &mut State, libs: Stdlib) {
    // new objects (almost all of them strings), fields of `_G`, keys of the registry
    let (mut objects, mut globals, mut registry) = (0, 0, 0);
    if libs.contains(Stdlib::Base) {
        objects += base::FUNCS.len() + 3; // _G, _VERSION, "Lua 5.3"
        globals += base::FUNCS.len() + 2; // _G, _VERSION
    }
    for (lib, _, funcs, extra) in ORDER {
        if libs.contains(lib) {
            objects += funcs.len() + extra;
            globals += 1;
        }
    }
    if libs == Stdlib::All {
        objects = ALL_OBJECTS;
    }
    if !libs.is_empty() {
        objects += 2; // package.loaded and its name
        registry += 1; // _LOADED
    }
    if libs.contains(Stdlib::Package) {
        globals += 1; // require
        registry += 1; // luavm.package
    }
    if libs.contains(Stdlib::Io) {
        registry += 3; // FILE*, _IO_input, _IO_output
    }
    s.reserve(objects, objects);
    let g = s.globals();
    let d = g.reserve_hash(globals);
    s.heap.account(d);
    let reg = s.registry();
    let d = reg.reserve_hash(registry);
    s.heap.account(d);
    if libs.contains(Stdlib::Base) {
        base::open(s);
        let g = s.globals();
        let loaded = loaded_table(s);
        s.raw_set_static(loaded, "_G", Value::Table(g));
    }
    for (lib, open, _, _) in ORDER {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects `open_libs(libs)` adds to a new state.
    fn objects_made(libs: Stdlib) -> usize {
        let mut s = State::new();
        let before = s.heap.object_count();
        open_libs(&mut s, libs);
        s.heap.object_count() - before
    }

    #[test]
    fn all_reserves_exactly_the_objects_it_makes() {
        assert_eq!(objects_made(Stdlib::All), ALL_OBJECTS);
    }

    #[test]
    fn each_library_reserves_at_least_the_objects_it_makes() {
        let base = objects_made(Stdlib::Base);
        assert!(base <= base::FUNCS.len() + 3 + 2, "base: {base}");
        for (lib, _, funcs, extra) in ORDER {
            // alone, and with the base library (whose names it then shares)
            let alone = objects_made(lib);
            assert!(alone <= funcs.len() + extra + 2, "{lib:?}: {alone}");
            let with_base = objects_made(lib | Stdlib::Base) - base;
            assert!(with_base <= funcs.len() + extra, "{lib:?}: {with_base}");
        }
    }
}
