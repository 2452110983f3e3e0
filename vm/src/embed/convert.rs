//! Conversions between host types and Lua values: `IntoLua`/`FromLua` for one value,
//! `IntoLuaMulti`/`FromLuaMulti` for argument and result lists.
//!
//! | Rust | Lua |
//! |---|---|
//! | `bool` | boolean |
//! | `i8`..`i64`, `u8`..`u64`, `isize`, `usize` | integer (from Lua: an integer, or a float/string with an exact integer value in range) |
//! | `f32`, `f64` | float (from Lua: any number or numeric string) |
//! | `String`, `&str`, `LuaString` | string (from Lua: strings and numbers, as `tostring`) |
//! | `Option<T>` | `nil` or `T` |
//! | `Vec<T>` | sequence table (from Lua: values `1..#t`, raw) |
//! | `HashMap<K, V>`, `BTreeMap<K, V>` | table (raw traversal) |
//! | `LuaValue`, `LuaTable`, `LuaFunction`, `AnyUserData`, `LuaThread` | as is |
//! | `()` | no values |
//! | tuples `(A, B, ...)` (up to 8) | several values (arguments, results) |
//! | `Variadic<T>` | the rest of the values |
//! | `Result<T, E>` (results only) | `T`'s values, or raises `E` as a Lua error |

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use super::context::Lua;
use super::error::{Error, Result};
use super::value::{AnyUserData, LuaFunction, LuaString, LuaTable, LuaThread, LuaValue};
use super::LuaApi;

/// Convert a Rust value into one Lua value.
pub trait IntoLua {
    /// The conversion (may create tables, hence the VM).
    fn into_lua(self, lua: &mut Lua<'_>) -> Result<LuaValue>;
}

/// Convert one Lua value into a Rust value.
pub trait FromLua: Sized {
    /// The conversion; a wrong type gives an [`ErrorKind::Conversion`](super::ErrorKind)
    /// error "T expected, got U".
    fn from_lua(value: LuaValue, lua: &mut Lua<'_>) -> Result<Self>;
}

/// Convert a Rust value into a list of Lua values (arguments, results).
pub trait IntoLuaMulti {
    /// The conversion.
    fn into_lua_multi(self, lua: &mut Lua<'_>) -> Result<Vec<LuaValue>>;
}

/// Convert a list of Lua values (arguments, results) into a Rust value.
pub trait FromLuaMulti: Sized {
    /// The conversion; missing values are `nil`, extra values are ignored (except by
    /// `Variadic`, which takes them all). A failure says which value (1-based) failed
    /// ([`Error::argument`]).
    fn from_lua_multi(values: Vec<LuaValue>, lua: &mut Lua<'_>) -> Result<Self>;
}

/// The remaining values of an argument or result list, each converted to `T`.
///
/// ```
/// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, Variadic};
/// let mut vm = LuaVM::new(SafeOption::default());
/// vm.register_with("sum", |_, xs: Variadic<f64>| xs.iter().sum::<f64>()).unwrap();
/// assert_eq!(format!("{:?}", vm.execute_string("return sum(1, 2, 3.5)").unwrap()), "[6.5]");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Variadic<T>(pub Vec<T>);

impl<T> std::ops::Deref for Variadic<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}
impl<T> std::ops::DerefMut for Variadic<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}
impl<T> From<Vec<T>> for Variadic<T> {
    fn from(v: Vec<T>) -> Self {
        Variadic(v)
    }
}
impl<T> FromIterator<T> for Variadic<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Variadic(iter.into_iter().collect())
    }
}

// ---- single values ----------------------------------------------------------------------

impl IntoLua for LuaValue {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(self)
    }
}
impl FromLua for LuaValue {
    fn from_lua(value: LuaValue, _: &mut Lua<'_>) -> Result<Self> {
        Ok(value)
    }
}
impl IntoLua for &LuaValue {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(self.clone())
    }
}

impl IntoLua for bool {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(LuaValue::Boolean(self))
    }
}
impl FromLua for bool {
    /// Booleans only (use `LuaValue::truthy` for Lua truth).
    fn from_lua(value: LuaValue, _: &mut Lua<'_>) -> Result<Self> {
        match value {
            LuaValue::Boolean(b) => Ok(b),
            other => Err(Error::conversion("boolean", other.type_name())),
        }
    }
}

macro_rules! int_conv {
    ($($t:ty),*) => {$(
        impl IntoLua for $t {
            fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
                match i64::try_from(self) {
                    Ok(i) => Ok(LuaValue::Integer(i)),
                    #[allow(clippy::cast_precision_loss)]
                    Err(_) => Ok(LuaValue::Number(self as f64)),
                }
            }
        }
        impl FromLua for $t {
            fn from_lua(value: LuaValue, _: &mut Lua<'_>) -> Result<Self> {
                let i = match &value {
                    LuaValue::Integer(i) => Some(*i),
                    LuaValue::Number(_) | LuaValue::String(_) => match value.as_integer() {
                        Some(i) => Some(i),
                        None if value.as_number().is_some() => {
                            return Err(Error::new(
                                super::ErrorKind::Conversion,
                                "number has no integer representation",
                            ))
                        }
                        None => None,
                    },
                    _ => None,
                };
                match i {
                    Some(i) => <$t>::try_from(i).map_err(|_| {
                        Error::new(
                            super::ErrorKind::Conversion,
                            format!("integer {i} out of range for {}", stringify!($t)),
                        )
                    }),
                    None => Err(Error::conversion("number", value.type_name())),
                }
            }
        }
    )*};
}
int_conv!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl IntoLua for f64 {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(LuaValue::Number(self))
    }
}
impl IntoLua for f32 {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(LuaValue::Number(self as f64))
    }
}
impl FromLua for f64 {
    fn from_lua(value: LuaValue, _: &mut Lua<'_>) -> Result<Self> {
        value
            .as_number()
            .ok_or_else(|| Error::conversion("number", value.type_name()))
    }
}
impl FromLua for f32 {
    fn from_lua(value: LuaValue, _: &mut Lua<'_>) -> Result<Self> {
        value
            .as_number()
            .map(|f| f as f32)
            .ok_or_else(|| Error::conversion("number", value.type_name()))
    }
}

impl IntoLua for &str {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(LuaValue::string(self))
    }
}
impl IntoLua for String {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(LuaValue::string(self))
    }
}
impl IntoLua for &String {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(LuaValue::string(self.as_str()))
    }
}
impl IntoLua for LuaString {
    fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
        Ok(LuaValue::String(self))
    }
}

/// Strings, and numbers as `tostring` writes them.
fn string_bytes(value: LuaValue) -> Result<Vec<u8>> {
    match value {
        LuaValue::String(s) => Ok(s.into_bytes()),
        v @ (LuaValue::Integer(_) | LuaValue::Number(_)) => Ok(v.to_string().into_bytes()),
        other => Err(Error::conversion("string", other.type_name())),
    }
}
impl FromLua for LuaString {
    fn from_lua(value: LuaValue, _: &mut Lua<'_>) -> Result<Self> {
        string_bytes(value).map(LuaString)
    }
}
impl FromLua for String {
    /// Invalid UTF-8 is an error (use `LuaString` for arbitrary bytes).
    fn from_lua(value: LuaValue, _: &mut Lua<'_>) -> Result<Self> {
        String::from_utf8(string_bytes(value)?)
            .map_err(|_| Error::new(super::ErrorKind::Conversion, "string is not valid UTF-8"))
    }
}

impl<T: IntoLua> IntoLua for Option<T> {
    fn into_lua(self, lua: &mut Lua<'_>) -> Result<LuaValue> {
        match self {
            Some(v) => v.into_lua(lua),
            None => Ok(LuaValue::Nil),
        }
    }
}
impl<T: FromLua> FromLua for Option<T> {
    fn from_lua(value: LuaValue, lua: &mut Lua<'_>) -> Result<Self> {
        match value {
            LuaValue::Nil => Ok(None),
            v => T::from_lua(v, lua).map(Some),
        }
    }
}

macro_rules! handle_conv {
    ($($t:ident => $variant:ident, $name:literal;)*) => {$(
        impl IntoLua for $t {
            fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
                Ok(LuaValue::$variant(self))
            }
        }
        impl IntoLua for &$t {
            fn into_lua(self, _: &mut Lua<'_>) -> Result<LuaValue> {
                Ok(LuaValue::$variant(self.clone()))
            }
        }
        impl FromLua for $t {
            fn from_lua(value: LuaValue, _: &mut Lua<'_>) -> Result<Self> {
                match value {
                    LuaValue::$variant(h) => Ok(h),
                    other => Err(Error::conversion($name, other.type_name())),
                }
            }
        }
    )*};
}
handle_conv! {
    LuaTable => Table, "table";
    LuaFunction => Function, "function";
    AnyUserData => UserData, "userdata";
    LuaThread => Thread, "thread";
}

impl<T: IntoLua> IntoLua for Vec<T> {
    fn into_lua(self, lua: &mut Lua<'_>) -> Result<LuaValue> {
        lua.create_sequence(self).map(LuaValue::Table)
    }
}
impl<T: FromLua> FromLua for Vec<T> {
    fn from_lua(value: LuaValue, lua: &mut Lua<'_>) -> Result<Self> {
        match value {
            LuaValue::Table(t) => t.sequence_values(lua),
            other => Err(Error::conversion("table", other.type_name())),
        }
    }
}

impl<K: IntoLua, V: IntoLua, S> IntoLua for HashMap<K, V, S> {
    fn into_lua(self, lua: &mut Lua<'_>) -> Result<LuaValue> {
        lua.create_table_from(self).map(LuaValue::Table)
    }
}
impl<K: FromLua + Eq + Hash, V: FromLua> FromLua for HashMap<K, V> {
    fn from_lua(value: LuaValue, lua: &mut Lua<'_>) -> Result<Self> {
        match value {
            LuaValue::Table(t) => Ok(t.pairs(lua)?.into_iter().collect()),
            other => Err(Error::conversion("table", other.type_name())),
        }
    }
}
impl<K: IntoLua, V: IntoLua> IntoLua for BTreeMap<K, V> {
    fn into_lua(self, lua: &mut Lua<'_>) -> Result<LuaValue> {
        lua.create_table_from(self).map(LuaValue::Table)
    }
}
impl<K: FromLua + Ord, V: FromLua> FromLua for BTreeMap<K, V> {
    fn from_lua(value: LuaValue, lua: &mut Lua<'_>) -> Result<Self> {
        match value {
            LuaValue::Table(t) => Ok(t.pairs(lua)?.into_iter().collect()),
            other => Err(Error::conversion("table", other.type_name())),
        }
    }
}

// ---- lists ----------------------------------------------------------------------------

impl<T: IntoLua> IntoLuaMulti for T {
    fn into_lua_multi(self, lua: &mut Lua<'_>) -> Result<Vec<LuaValue>> {
        Ok(vec![self.into_lua(lua)?])
    }
}

impl<T: IntoLua> IntoLuaMulti for Variadic<T> {
    fn into_lua_multi(self, lua: &mut Lua<'_>) -> Result<Vec<LuaValue>> {
        self.0.into_iter().map(|v| v.into_lua(lua)).collect()
    }
}
impl<T: FromLua> FromLuaMulti for Variadic<T> {
    fn from_lua_multi(values: Vec<LuaValue>, lua: &mut Lua<'_>) -> Result<Self> {
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| T::from_lua(v, lua).map_err(|e| e.with_argument(i + 1)))
            .collect()
    }
}

impl<T: IntoLuaMulti, E: Into<Error>> IntoLuaMulti for std::result::Result<T, E> {
    fn into_lua_multi(self, lua: &mut Lua<'_>) -> Result<Vec<LuaValue>> {
        match self {
            Ok(v) => v.into_lua_multi(lua),
            Err(e) => Err(e.into()),
        }
    }
}

impl<T: FromLua> FromLuaMulti for T {
    fn from_lua_multi(values: Vec<LuaValue>, lua: &mut Lua<'_>) -> Result<Self> {
        let v = values.into_iter().next().unwrap_or_default();
        T::from_lua(v, lua).map_err(|e| e.with_argument(1))
    }
}

macro_rules! tuple_conv {
    ($($name:ident $n:literal),*) => {
        impl<$($name: IntoLua),*> IntoLuaMulti for ($($name,)*) {
            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn into_lua_multi(self, lua: &mut Lua<'_>) -> Result<Vec<LuaValue>> {
                let ($($name,)*) = self;
                Ok(vec![$($name.into_lua(lua)?),*])
            }
        }
        impl<$($name: FromLua),*> FromLuaMulti for ($($name,)*) {
            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn from_lua_multi(values: Vec<LuaValue>, lua: &mut Lua<'_>) -> Result<Self> {
                let mut it = values.into_iter();
                $( let $name = $name::from_lua(it.next().unwrap_or_default(), lua)
                    .map_err(|e| e.with_argument($n))?; )*
                Ok(($($name,)*))
            }
        }
    };
}
tuple_conv!();
tuple_conv!(A 1);
tuple_conv!(A 1, B 2);
tuple_conv!(A 1, B 2, C 3);
tuple_conv!(A 1, B 2, C 3, D 4);
tuple_conv!(A 1, B 2, C 3, D 4, E 5);
tuple_conv!(A 1, B 2, C 3, D 4, E 5, F 6);
tuple_conv!(A 1, B 2, C 3, D 4, E 5, F 6, G 7);
tuple_conv!(A 1, B 2, C 3, D 4, E 5, F 6, G 7, H 8);
