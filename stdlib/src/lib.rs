//! luavm-stdlib: the Lua standard library.
//!
//! So far the VM-independent cores of the string library: `lpattern` (pattern
//! matching for `find`/`match`/`gmatch`/`gsub`) and `lformat` (`string.format`).
#![forbid(unsafe_code)]

pub mod base;
pub mod lformat;
pub mod lpattern;

use luavm_vm::{NativeFn, State, Table, Value, Gc};

/// A library: name → function.
pub type Lib = &'static [(&'static str, NativeFn)];

/// Store the functions of `lib` into table `t`.
pub fn register(s: &mut State, t: Gc<Table>, lib: Lib) {
    for (name, f) in lib {
        s.raw_set_str(t, name, Value::NativeFn(*f));
    }
}

/// Open every library implemented so far into the state's globals.
pub fn open_all(s: &mut State) {
    base::open(s);
}
