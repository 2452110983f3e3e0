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
    let t = s.new_table();
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

/// Open every library implemented so far into the state's globals.
pub fn open_all(s: &mut State) {
    base::open(s);
    let g = s.globals();
    let loaded = loaded_table(s);
    s.raw_set_str(loaded, "_G", Value::Table(g));
    lpackage::open(s);
    lcoroutine::open(s);
    lstring::open(s);
    lio::open(s);
    los::open(s);
    ltable::open(s);
    lmath::open(s);
    lutf8::open(s);
    ldebug::open(s);
}
