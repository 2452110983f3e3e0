//! `Value`: the 16-byte, `Copy` representation of every Lua value inside a VM.
//!
//! Invariants:
//! - integers and floats are distinct subtypes (`Int`/`Num`) exactly as in Lua 5.3;
//! - a `Value` holding a `Gc` handle is only valid while the VM keeps it reachable
//!   (on a stack, in a table, in an upvalue, ...): host code gets owned or rooted copies.
//! - equality here is *raw* equality (`rawequal`): no metamethods.

use std::hash::{Hash, Hasher};

use luavm_gc::Gc;

use crate::function::{LuaClosure, NativeClosure, NativeFn};
use crate::string::LuaStr;
use crate::table::Table;
use crate::thread::Thread;
use crate::userdata::UserData;

/// A Lua value: a one-byte tag at offset 0 and the payload at offset 8 (`repr(C, u8)`
/// fixes this layout; `Value::load` relies on it).
#[derive(Clone, Copy, Default)]
#[repr(C, u8)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Num(f64),
    LightUserData(usize),
    Str(Gc<LuaStr>),
    Table(Gc<Table>),
    LuaFn(Gc<LuaClosure>),
    /// A Rust function without upvalues (PUC's light C function).
    NativeFn(NativeFn),
    NativeClosure(Gc<NativeClosure>),
    UserData(Gc<UserData>),
    Thread(Gc<Thread>),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Value {
    /// Read the value at `p` as its tag byte and its 8-byte payload. Values are written
    /// that way (two stores), and a 16-byte load of a just-written value would miss the
    /// CPU's store-to-load forwarding, so hot paths read values with this.
    ///
    /// # Safety
    /// `p` must point at a valid, initialised `Value`.
    #[inline(always)]
    pub unsafe fn load(p: *const Value) -> Value {
        let mut out = std::mem::MaybeUninit::<Value>::uninit();
        let o = out.as_mut_ptr();
        // SAFETY: by `repr(C, u8)` the tag is the first byte and every payload is the
        // 8 bytes at offset 8; `p` is valid (caller's contract); the padding bytes 1..8
        // are never read as part of a `Value`. The payload is copied as `MaybeUninit`: a
        // nil's or a boolean's has uninitialised bytes, which an integer must not hold.
        unsafe {
            *(o as *mut u8) = *(p as *const u8);
            let payload = (p as *const std::mem::MaybeUninit<u64>).add(1);
            *(o as *mut std::mem::MaybeUninit<u64>).add(1) = *payload;
            out.assume_init()
        }
    }
}

/// A `nil` with a static address: what the table lookups that return a reference to the
/// value slot (`Table::get_int_ref`...) return for an absent key (PUC's `absentkey`).
pub static NIL: StaticNil = StaticNil(Value::Nil);

/// The type of `NIL`.
pub struct StaticNil(pub Value);

// SAFETY: the value is `nil`, which holds no pointer, and it is never written.
unsafe impl Sync for StaticNil {}

/// The tag byte of `Value::Int` (see `Value::tag`).
pub const TAG_INT: u8 = 2;
/// The tag byte of `Value::Num`.
pub const TAG_NUM: u8 = 3;

impl Value {
    /// The tag byte: the variant's index (`repr(C, u8)`), e.g. `TAG_INT`, `TAG_NUM`. The
    /// arithmetic handlers test two operands' tags for equality first.
    #[inline(always)]
    pub fn tag(&self) -> u8 {
        // SAFETY: by `repr(C, u8)` the first byte of a `Value` is its tag.
        unsafe { *(self as *const Value as *const u8) }
    }
    /// The integer of a `Value::Int`.
    ///
    /// # Safety
    /// `self.tag() == TAG_INT`.
    #[inline(always)]
    pub unsafe fn int_unchecked(&self) -> i64 {
        // SAFETY: an `Int` payload is the i64 at offset 8 (`repr(C, u8)`).
        unsafe { *(self as *const Value as *const i64).add(1) }
    }
    /// The float of a `Value::Num`.
    ///
    /// # Safety
    /// `self.tag() == TAG_NUM`.
    #[inline(always)]
    pub unsafe fn num_unchecked(&self) -> f64 {
        // SAFETY: a `Num` payload is the f64 at offset 8 (`repr(C, u8)`).
        unsafe { *(self as *const Value as *const f64).add(1) }
    }
}

/// The basic types of Lua, as `type` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Nil,
    Boolean,
    Number,
    String,
    Table,
    Function,
    UserData,
    Thread,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Nil => "nil",
            Type::Boolean => "boolean",
            Type::Number => "number",
            Type::String => "string",
            Type::Table => "table",
            Type::Function => "function",
            Type::UserData => "userdata",
            Type::Thread => "thread",
        }
    }
}

impl Value {
    #[inline(always)]
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
    /// Lua truth: everything but `nil` and `false`.
    #[inline(always)]
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }
    pub fn type_of(self) -> Type {
        match self {
            Value::Nil => Type::Nil,
            Value::Bool(_) => Type::Boolean,
            Value::Int(_) | Value::Num(_) => Type::Number,
            Value::Str(_) => Type::String,
            Value::Table(_) => Type::Table,
            Value::LuaFn(_) | Value::NativeFn(_) | Value::NativeClosure(_) => Type::Function,
            Value::LightUserData(_) | Value::UserData(_) => Type::UserData,
            Value::Thread(_) => Type::Thread,
        }
    }
    pub fn type_name(self) -> &'static str {
        self.type_of().name()
    }
    pub fn is_function(self) -> bool {
        matches!(
            self,
            Value::LuaFn(_) | Value::NativeFn(_) | Value::NativeClosure(_)
        )
    }
    pub fn as_str(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s.as_bytes()),
            _ => None,
        }
    }
    /// Identity of a reference value (for `%p`-like printing and hashing).
    pub fn addr(self) -> usize {
        match self {
            Value::Str(g) => g.addr(),
            Value::Table(g) => g.addr(),
            Value::LuaFn(g) => g.addr(),
            Value::NativeFn(f) => f as usize,
            Value::NativeClosure(g) => g.addr(),
            Value::UserData(g) => g.addr(),
            Value::Thread(g) => g.addr(),
            Value::LightUserData(p) => p,
            _ => 0,
        }
    }

    /// Raw equality (`rawequal`): numbers by value across subtypes, strings by content,
    /// everything else by identity.
    #[inline]
    pub fn raw_equal(self, other: Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Num(a), Value::Num(b)) => a == b,
            (Value::Int(a), Value::Num(b)) | (Value::Num(b), Value::Int(a)) => int_eq_float(a, b),
            (Value::Str(a), Value::Str(b)) => LuaStr::equal(a, b),
            (Value::Table(a), Value::Table(b)) => Gc::ptr_eq(a, b),
            (Value::LuaFn(a), Value::LuaFn(b)) => Gc::ptr_eq(a, b),
            (Value::NativeFn(a), Value::NativeFn(b)) => std::ptr::fn_addr_eq(a, b),
            (Value::NativeClosure(a), Value::NativeClosure(b)) => Gc::ptr_eq(a, b),
            (Value::UserData(a), Value::UserData(b)) => Gc::ptr_eq(a, b),
            (Value::LightUserData(a), Value::LightUserData(b)) => a == b,
            (Value::Thread(a), Value::Thread(b)) => Gc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// `i == f` exactly (no rounding), as Lua 5.3 compares mixed numbers.
#[inline]
pub fn int_eq_float(i: i64, f: f64) -> bool {
    match float_to_int_exact(f) {
        Some(j) => i == j,
        None => false,
    }
}

/// The integer with exactly the value of `f`, if there is one (`luaV_tointeger` mode 0).
#[inline]
pub fn float_to_int_exact(f: f64) -> Option<i64> {
    // -2^63 <= f < 2^63 and integral
    if (-9223372036854775808.0..9223372036854775808.0).contains(&f) {
        let i = f as i64;
        if i as f64 == f {
            return Some(i);
        }
    }
    None
}

/// Wrapper giving `Value` the `Hash`/`Eq` of table keys (raw equality). Used only where
/// a std map of values is convenient (not by `Table`, which hashes on its own).
#[derive(Clone, Copy)]
pub struct KeyValue(pub Value);

impl PartialEq for KeyValue {
    fn eq(&self, other: &Self) -> bool {
        self.0.raw_equal(other.0)
    }
}
impl Eq for KeyValue {}
impl Hash for KeyValue {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(crate::table::hash_value(self.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_payloads() {
        assert_eq!(Value::Int(-7).tag(), TAG_INT);
        assert_eq!(Value::Num(0.5).tag(), TAG_NUM);
        assert_ne!(Value::Nil.tag(), TAG_INT);
        assert_ne!(Value::Bool(true).tag(), TAG_NUM);
        // SAFETY: the tags were just checked.
        unsafe {
            assert_eq!(Value::Int(-7).int_unchecked(), -7);
            assert_eq!(Value::Num(0.5).num_unchecked(), 0.5);
        }
    }
}
