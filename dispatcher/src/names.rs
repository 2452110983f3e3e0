//! Rust functions and library tables travel by name.
//!
//! Each VM gets two registry tables, built on first use: `names` (name → value) and
//! `reverse` (value → name). Names are `print` for Rust functions in the globals,
//! `string` for a library table (a table in `package.loaded` holding at least one Rust
//! function), `string.format` for a Rust function in a library table, and `mylib.f` for a
//! Rust function in any other global table (what an init callback registers).
//!
//! The tables are rebuilt when a Rust function without a name is about to be refused, so
//! functions registered after the first transfer are found. A library table loaded after
//! the tables were built is copied (its functions by name) until the next rebuild.
//!
//! Invariants:
//! - a name found in `reverse` is checked against `names` before use, so a global that
//!   was reassigned since the tables were built is never sent under a stale name;
//! - both tables live in the registry, so the values they hold are GC roots.

use luavm_vm::{Gc, LuaStr, State, Table, Value};

const NAMES_KEY: &str = "luavm.dispatcher.names";
const REVERSE_KEY: &str = "luavm.dispatcher.reverse";

fn registry_table(s: &mut State, key: &str) -> Option<Gc<Table>> {
    let reg = s.registry();
    let k = s.str_value(key.as_bytes());
    match reg.get(k) {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn is_native(v: Value) -> bool {
    matches!(v, Value::NativeFn(_) | Value::NativeClosure(_))
}

fn entries(t: Gc<Table>) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    let mut k = Value::Nil;
    while let Ok(Some((nk, nv))) = t.next(k) {
        out.push((nk, nv));
        k = nk;
    }
    out
}

fn has_native(t: Gc<Table>) -> bool {
    entries(t).iter().any(|(_, v)| is_native(*v))
}

/// Build (or rebuild) the name tables of `s`.
pub fn build(s: &mut State) {
    let names = s.new_table();
    let reverse = s.new_table();
    let reg = s.registry();
    let k = s.str_value(NAMES_KEY.as_bytes());
    s.raw_set(reg, k, Value::Table(names));
    let k = s.str_value(REVERSE_KEY.as_bytes());
    s.raw_set(reg, k, Value::Table(reverse));
    let add = |s: &mut State, name: &[u8], v: Value| {
        let n = s.str_value(name);
        if names.get(n).is_nil() {
            s.raw_set(names, n, v);
        }
        if reverse.get(v).is_nil() {
            s.raw_set(reverse, v, n);
        }
    };
    let globals = s.globals();
    let loaded = luavm_stdlib::loaded_table(s);
    // library tables and their functions
    for (lk, lv) in entries(loaded) {
        let (Value::Str(lname), Value::Table(lt)) = (lk, lv) else {
            continue;
        };
        if Gc::ptr_eq(lt, globals) || !has_native(lt) {
            continue;
        }
        let lname = lname.as_bytes().to_vec();
        add(s, &lname, lv);
        for (fk, fv) in entries(lt) {
            if let (Value::Str(fname), true) = (fk, is_native(fv)) {
                let mut full = lname.clone();
                full.push(b'.');
                full.extend_from_slice(fname.as_bytes());
                add(s, &full, fv);
            }
        }
    }
    // globals: functions, and functions in other global tables
    for (gk, gv) in entries(globals) {
        let Value::Str(gname) = gk else { continue };
        if is_native(gv) {
            add(s, gname.as_bytes(), gv);
        } else if let Value::Table(t) = gv {
            if Gc::ptr_eq(t, globals) {
                continue;
            }
            for (fk, fv) in entries(t) {
                if let (Value::Str(fname), true) = (fk, is_native(fv)) {
                    let mut full = gname.as_bytes().to_vec();
                    full.push(b'.');
                    full.extend_from_slice(fname.as_bytes());
                    add(s, &full, fv);
                }
            }
        }
    }
}

/// The two name tables of one VM, looked up once per transfer.
#[derive(Clone, Copy)]
pub(crate) struct Names {
    names: Gc<Table>,
    reverse: Gc<Table>,
}

impl Names {
    /// The tables of `s`, built if they do not exist yet.
    pub(crate) fn of(s: &mut State) -> Names {
        match (registry_table(s, NAMES_KEY), registry_table(s, REVERSE_KEY)) {
            (Some(names), Some(reverse)) => Names { names, reverse },
            _ => Names::rebuild(s),
        }
    }

    /// Build the tables again (functions registered since are then found).
    pub(crate) fn rebuild(s: &mut State) -> Names {
        build(s);
        match (registry_table(s, NAMES_KEY), registry_table(s, REVERSE_KEY)) {
            (Some(names), Some(reverse)) => Names { names, reverse },
            // `build` just stored both
            _ => {
                let t = s.new_table();
                Names {
                    names: t,
                    reverse: t,
                }
            }
        }
    }

    /// The name `v` travels under, if it has one (checked against the forward table, so
    /// a reassigned global is not sent under a stale name).
    pub(crate) fn name_of(&self, v: Value) -> Option<Gc<LuaStr>> {
        match self.reverse.get(v) {
            Value::Str(n) if self.names.get(Value::Str(n)).raw_equal(v) => Some(n),
            _ => None,
        }
    }

    /// The value called `name` (nil: none).
    pub(crate) fn resolve(&self, s: &mut State, name: &[u8]) -> Value {
        let n = s.str_value(name);
        self.names.get(n)
    }
}
