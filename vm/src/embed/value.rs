//! What host code holds: `LuaValue` and the handle types (`LuaTable`, `LuaFunction`,
//! `AnyUserData`, `LuaThread`) and owned strings (`LuaString`).
//!
//! Invariants: nil, booleans, numbers and strings are plain owned data; tables,
//! functions, userdata and threads are rooted handles (`roots.rs`), so everything here
//! stays valid across collections and can be kept as long as the host likes (across
//! `.await`s too). None of it is `Send`: handles belong to one VM.

use std::fmt;

use crate::ops::push_str_or_number;
use crate::value::Value;

use super::roots::Handle;

/// A Lua string held by the host: owned bytes (Lua strings need not be UTF-8).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LuaString(pub(crate) Vec<u8>);

impl LuaString {
    /// A string with these bytes.
    ///
    /// ```
    /// let s = luavm_vm::embed::LuaString::new("hi");
    /// assert_eq!(s.as_bytes(), b"hi");
    /// ```
    pub fn new(bytes: impl Into<Vec<u8>>) -> LuaString {
        LuaString(bytes.into())
    }
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// The text, if the bytes are UTF-8.
    ///
    /// ```
    /// use luavm_vm::embed::LuaString;
    /// assert_eq!(LuaString::new("ok").to_str(), Some("ok"));
    /// assert_eq!(LuaString::new(vec![0xff]).to_str(), None);
    /// assert_eq!(LuaString::new(vec![b'a', 0xff]).to_string_lossy(), "a\u{fffd}");
    /// ```
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
    /// The text, with invalid UTF-8 replaced.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for LuaString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(&self.0), f)
    }
}

impl fmt::Display for LuaString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl From<&str> for LuaString {
    fn from(s: &str) -> Self {
        LuaString(s.as_bytes().to_vec())
    }
}
impl From<String> for LuaString {
    fn from(s: String) -> Self {
        LuaString(s.into_bytes())
    }
}
impl From<&[u8]> for LuaString {
    fn from(s: &[u8]) -> Self {
        LuaString(s.to_vec())
    }
}
impl From<Vec<u8>> for LuaString {
    fn from(s: Vec<u8>) -> Self {
        LuaString(s)
    }
}

macro_rules! handle_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(pub(crate) Handle);

        impl $name {
            /// Whether both handles refer to the same Lua object.
            pub fn same(&self, other: &$name) -> bool {
                self.0.raw().raw_equal(other.0.raw())
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.same(other)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}: {:#x}", $kind, self.0.raw().addr())
            }
        }
    };
}

handle_type!(
    /// A Lua table held by the host (a rooted handle). Its methods take the VM
    /// (`&mut LuaVM`, or the `&mut Lua` a host function gets).
    LuaTable,
    "table"
);
handle_type!(
    /// A Lua function (Lua or Rust) held by the host (a rooted handle).
    LuaFunction,
    "function"
);
handle_type!(
    /// A full userdata held by the host (a rooted handle); see `UserData`.
    AnyUserData,
    "userdata"
);
handle_type!(
    /// A Lua thread (coroutine) held by the host (a rooted handle).
    LuaThread,
    "thread"
);

/// A Lua value as host code sees it: plain data, or a rooted handle.
///
/// `Debug` shows strings as quoted text and numbers as Lua prints them:
/// ```
/// use luavm_vm::embed::LuaValue;
/// let v = vec![LuaValue::string("hi"), LuaValue::Integer(42), LuaValue::Number(0.5)];
/// assert_eq!(format!("{:?}", v), r#"["hi", 42, 0.5]"#);
/// ```
#[derive(Clone, Default)]
pub enum LuaValue {
    /// `nil`.
    #[default]
    Nil,
    /// `true` or `false`.
    Boolean(bool),
    /// A 64-bit integer (Lua 5.3's integer subtype).
    Integer(i64),
    /// A float (Lua 5.3's float subtype).
    Number(f64),
    /// A string (owned bytes, not necessarily UTF-8).
    String(LuaString),
    /// A table (a rooted handle).
    Table(LuaTable),
    /// A Lua or Rust function (a rooted handle).
    Function(LuaFunction),
    /// A full userdata (a rooted handle).
    UserData(AnyUserData),
    /// A light userdata (a bare address; only Rust code makes these).
    LightUserData(usize),
    /// A coroutine (a rooted handle).
    Thread(LuaThread),
}

/// What an async host function returns (the name used in seed 001's examples).
pub type AsyncReturnValue = LuaValue;

impl LuaValue {
    /// `nil`.
    pub fn nil() -> LuaValue {
        LuaValue::Nil
    }
    /// A boolean.
    pub fn boolean(b: bool) -> LuaValue {
        LuaValue::Boolean(b)
    }
    /// An integer.
    pub fn integer(i: i64) -> LuaValue {
        LuaValue::Integer(i)
    }
    /// A float.
    pub fn number(n: f64) -> LuaValue {
        LuaValue::Number(n)
    }
    /// A string.
    ///
    /// ```
    /// use luavm_vm::embed::AsyncReturnValue;
    /// assert_eq!(AsyncReturnValue::string("ok").as_str(), Some("ok"));
    /// ```
    pub fn string(s: impl Into<LuaString>) -> LuaValue {
        LuaValue::String(s.into())
    }

    /// The Lua type name (`type(v)`).
    ///
    /// ```
    /// use luavm_vm::embed::LuaValue;
    /// assert_eq!(LuaValue::Integer(1).type_name(), "number");
    /// assert_eq!(LuaValue::LightUserData(8).type_name(), "userdata");
    /// assert!(LuaValue::Nil.is_nil() && !LuaValue::Nil.truthy() && LuaValue::Integer(0).truthy());
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            LuaValue::Nil => "nil",
            LuaValue::Boolean(_) => "boolean",
            LuaValue::Integer(_) | LuaValue::Number(_) => "number",
            LuaValue::String(_) => "string",
            LuaValue::Table(_) => "table",
            LuaValue::Function(_) => "function",
            LuaValue::UserData(_) | LuaValue::LightUserData(_) => "userdata",
            LuaValue::Thread(_) => "thread",
        }
    }
    /// Whether this is `nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, LuaValue::Nil)
    }
    /// Lua truth: everything but `nil` and `false`.
    pub fn truthy(&self) -> bool {
        !matches!(self, LuaValue::Nil | LuaValue::Boolean(false))
    }
    /// The boolean, if this is one.
    pub fn as_boolean(&self) -> Option<bool> {
        match self {
            LuaValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }
    /// The number as a float, converting integers and numeric strings as Lua does
    /// (`tonumber`).
    ///
    /// ```
    /// use luavm_vm::embed::LuaValue;
    /// assert_eq!(LuaValue::Integer(2).as_number(), Some(2.0));
    /// assert_eq!(LuaValue::string(" 0x10 ").as_number(), Some(16.0));
    /// assert_eq!(LuaValue::Boolean(true).as_number(), None);
    /// ```
    pub fn as_number(&self) -> Option<f64> {
        match self.to_raw_number()? {
            Value::Int(i) => Some(i as f64),
            Value::Num(f) => Some(f),
            _ => None,
        }
    }
    /// The number as an integer if it has an exact integer value (strings converted).
    ///
    /// ```
    /// use luavm_vm::embed::LuaValue;
    /// assert_eq!(LuaValue::Number(3.0).as_integer(), Some(3));
    /// assert_eq!(LuaValue::Number(3.5).as_integer(), None);
    /// assert_eq!(LuaValue::string("10").as_integer(), Some(10));
    /// ```
    pub fn as_integer(&self) -> Option<i64> {
        match self.to_raw_number()? {
            Value::Int(i) => Some(i),
            Value::Num(f) => crate::value::float_to_int_exact(f),
            _ => None,
        }
    }
    /// The string's text, if this is a string of valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            LuaValue::String(s) => s.to_str(),
            _ => None,
        }
    }
    /// The string's bytes, if this is a string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            LuaValue::String(s) => Some(s.as_bytes()),
            _ => None,
        }
    }
    /// The table handle, if this is a table.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let r = vm.execute_string("return {1, 2}, print").unwrap();
    /// let t = r[0].as_table().unwrap();
    /// assert_eq!(t.raw_len(&mut vm).unwrap(), 2);
    /// assert!(r[1].as_table().is_none());
    /// ```
    pub fn as_table(&self) -> Option<&LuaTable> {
        match self {
            LuaValue::Table(t) => Some(t),
            _ => None,
        }
    }
    /// The function handle, if this is a function.
    pub fn as_function(&self) -> Option<&LuaFunction> {
        match self {
            LuaValue::Function(f) => Some(f),
            _ => None,
        }
    }
    /// The userdata handle, if this is a full userdata.
    pub fn as_userdata(&self) -> Option<&AnyUserData> {
        match self {
            LuaValue::UserData(u) => Some(u),
            _ => None,
        }
    }

    fn to_raw_number(&self) -> Option<Value> {
        match self {
            LuaValue::Integer(i) => Some(Value::Int(*i)),
            LuaValue::Number(f) => Some(Value::Num(*f)),
            LuaValue::String(s) => match luavm_compiler::number::str2number(s.as_bytes())? {
                luavm_compiler::number::Number::Int(i) => Some(Value::Int(i)),
                luavm_compiler::number::Number::Float(f) => Some(Value::Num(f)),
            },
            _ => None,
        }
    }

    /// The raw value for identity (handles) without a state.
    fn identity(&self) -> Option<Value> {
        match self {
            LuaValue::Table(h) => Some(h.0.raw()),
            LuaValue::Function(h) => Some(h.0.raw()),
            LuaValue::UserData(h) => Some(h.0.raw()),
            LuaValue::Thread(h) => Some(h.0.raw()),
            _ => None,
        }
    }
}

/// Raw equality (`rawequal`): numbers by value across subtypes, strings by content,
/// tables, functions, userdata and threads by identity.
impl PartialEq for LuaValue {
    fn eq(&self, other: &Self) -> bool {
        use LuaValue::*;
        match (self, other) {
            (Nil, Nil) => true,
            (Boolean(a), Boolean(b)) => a == b,
            (Integer(a), Integer(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (Integer(i), Number(f)) | (Number(f), Integer(i)) => crate::value::int_eq_float(*i, *f),
            (String(a), String(b)) => a == b,
            (LightUserData(a), LightUserData(b)) => a == b,
            _ => match (self.identity(), other.identity()) {
                (Some(a), Some(b)) => a.raw_equal(b),
                _ => false,
            },
        }
    }
}

impl fmt::Debug for LuaValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LuaValue::String(s) => fmt::Debug::fmt(s, f),
            other => fmt::Display::fmt(other, f),
        }
    }
}

/// As Lua's `tostring` without metamethods: strings are their text, numbers as `%.14g`
/// (floats keep a `.0`), others `type: address`.
impl fmt::Display for LuaValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LuaValue::Nil => f.write_str("nil"),
            LuaValue::Boolean(b) => write!(f, "{b}"),
            LuaValue::Integer(_) | LuaValue::Number(_) => {
                let mut buf = Vec::new();
                let v = match self {
                    LuaValue::Integer(i) => Value::Int(*i),
                    LuaValue::Number(n) => Value::Num(*n),
                    _ => Value::Nil,
                };
                push_str_or_number(&mut buf, v);
                f.write_str(&String::from_utf8_lossy(&buf))
            }
            LuaValue::String(s) => fmt::Display::fmt(s, f),
            LuaValue::Table(t) => fmt::Debug::fmt(t, f),
            LuaValue::Function(t) => fmt::Debug::fmt(t, f),
            LuaValue::UserData(t) => fmt::Debug::fmt(t, f),
            LuaValue::Thread(t) => fmt::Debug::fmt(t, f),
            LuaValue::LightUserData(p) => write!(f, "userdata: {p:#x}"),
        }
    }
}
