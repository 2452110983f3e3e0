//! `Error`: what the embedding API returns when Lua code fails, a conversion fails, or a
//! limit stops an execution. It carries the Lua error value (rooted), its message and,
//! for runtime errors, the traceback taken where the error was raised.

use std::fmt;

use super::value::LuaValue;

/// The result type of the embedding API.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The source did not compile (or a binary chunk was refused).
    Syntax,
    /// A Lua runtime error (`error(...)`, a failed operation, an error raised by a host
    /// function).
    Runtime,
    /// "not enough memory": the memory limit was reached.
    Memory,
    /// The instruction budget ran out (not catchable by `pcall`).
    InstructionLimit,
    /// Another thread interrupted the VM (not catchable by `pcall`).
    Interrupted,
    /// A value could not be converted to the Rust type asked for.
    Conversion,
    /// A handle was used with a VM it does not belong to, or an API was used where it
    /// cannot work (an async function outside `execute_async`, ...).
    Usage,
}

impl ErrorKind {
    fn name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "SyntaxError",
            ErrorKind::Runtime => "RuntimeError",
            ErrorKind::Memory => "MemoryError",
            ErrorKind::InstructionLimit => "InstructionLimit",
            ErrorKind::Interrupted => "Interrupted",
            ErrorKind::Conversion => "ConversionError",
            ErrorKind::Usage => "UsageError",
        }
    }
}

/// An error of the embedding API.
///
/// ```
/// use luavm_vm::embed::{Error, ErrorKind};
/// let e = Error::runtime("boom");
/// assert_eq!(e.kind(), ErrorKind::Runtime);
/// assert_eq!(e.to_string(), "boom");
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    value: LuaValue,
    traceback: Option<String>,
    /// For conversion errors of a host function's arguments: the argument's position.
    arg: Option<usize>,
    /// Whether `value` is the Lua value to raise as is (errors that came from Lua, or
    /// `with_value`); otherwise the message is raised with the caller's position.
    lua_value: bool,
}

impl Error {
    /// An error of `kind` with `message` (its Lua value is the message).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let message = message.into();
        Error {
            inner: Box::new(Inner {
                kind,
                value: LuaValue::string(message.as_str()),
                message,
                traceback: None,
                arg: None,
                lua_value: false,
            }),
        }
    }
    /// A runtime error with `message`; raised in Lua (when a host function returns it) as
    /// the string message prefixed with the caller's position, as `error` does.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, Error, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.register("check", |n: i64| -> Result<i64, Error> {
    ///     if n < 0 { Err(Error::runtime("negative")) } else { Ok(n) }
    /// }).unwrap();
    /// let e = vm.execute_string("check(-1)").unwrap_err();
    /// assert_eq!(e.message(), r#"[string "check(-1)"]:1: negative"#);
    /// assert!(e.traceback().unwrap().starts_with("stack traceback:"));
    /// ```
    pub fn runtime(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Runtime, message)
    }
    /// A runtime error whose Lua value is `value` (raised as is, e.g. a table).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, Error, Lua, LuaValue, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.register_with("fail", |lua: &mut Lua, ()| -> Result<(), Error> {
    ///     let t = lua.create_table_from([("code", 7)])?;
    ///     Err(Error::with_value(LuaValue::Table(t)))
    /// }).unwrap();
    /// let e = vm.execute_string("fail()").unwrap_err();
    /// assert_eq!(e.message(), "(error object is a table value)");
    /// let t = e.value().as_table().unwrap().clone();
    /// assert_eq!(t.get::<_, i64>(&mut vm, "code").unwrap(), 7);
    /// ```
    pub fn with_value(value: LuaValue) -> Error {
        let message = match &value {
            LuaValue::String(s) => s.to_string_lossy(),
            LuaValue::Integer(_) | LuaValue::Number(_) => value.to_string(),
            other => format!("(error object is a {} value)", other.type_name()),
        };
        let mut e = Error::new(ErrorKind::Runtime, message);
        e.inner.value = value;
        e.inner.lua_value = true;
        e
    }
    /// A conversion error: `expected` wanted, `got` found ("number expected, got string").
    ///
    /// ```
    /// use luavm_vm::embed::{Error, ErrorKind};
    /// let e = Error::conversion("number", "table");
    /// assert_eq!((e.kind(), e.message()), (ErrorKind::Conversion, "number expected, got table"));
    /// assert_eq!(e.with_argument(2).argument(), Some(2));
    /// ```
    pub fn conversion(expected: &str, got: &str) -> Error {
        Error::new(
            ErrorKind::Conversion,
            format!("{expected} expected, got {got}"),
        )
    }
    pub(crate) fn from_lua(
        kind: ErrorKind,
        message: String,
        value: LuaValue,
        traceback: Option<String>,
    ) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message,
                value,
                traceback,
                arg: None,
                lua_value: true,
            }),
        }
    }

    /// The kind of failure.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, ErrorKind, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// assert_eq!(vm.execute_string("x =").unwrap_err().kind(), ErrorKind::Syntax);
    /// assert_eq!(vm.execute_string("return {} .. ''").unwrap_err().kind(), ErrorKind::Runtime);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// The message: the Lua error value as text (for a string, the string itself,
    /// with its "chunk:line:" position when Lua added one).
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// The Lua error value (for `error({code = 1})`, that table).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let e = vm.execute_string("return nil + 1").unwrap_err();
    /// assert_eq!(e.value().as_str(), Some(e.message()));
    /// assert!(e.message().ends_with("attempt to perform arithmetic on a nil value"));
    /// ```
    pub fn value(&self) -> &LuaValue {
        &self.inner.value
    }
    /// The traceback where the error was raised ("stack traceback:\n\t..."), when one was
    /// taken (runtime errors of Lua code).
    pub fn traceback(&self) -> Option<&str> {
        self.inner.traceback.as_deref()
    }
    /// For a bad argument of a host function: which one (1-based).
    pub fn argument(&self) -> Option<usize> {
        self.inner.arg
    }
    /// Say that this conversion error is about argument `n` of a host function.
    pub fn with_argument(mut self, n: usize) -> Error {
        if self.inner.arg.is_none() {
            self.inner.arg = Some(n);
        }
        self
    }
    pub(crate) fn has_lua_value(&self) -> bool {
        self.inner.lua_value
    }
    pub(crate) fn shift_argument(mut self, by: usize) -> Error {
        if let Some(n) = self.inner.arg.as_mut() {
            *n += by;
        }
        self
    }
    pub(crate) fn without_argument(mut self) -> Error {
        self.inner.arg = None;
        self
    }
    /// Whether the error ends the execution for sure (instruction limit, interrupt):
    /// `pcall` in Lua could not catch it.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption { instruction_limit: Some(10_000), ..SafeOption::default() });
    /// let e = vm.execute_string("while true do end").unwrap_err();
    /// assert!(e.is_abort());
    /// assert!(!vm.execute_string("return nil + 1").unwrap_err().is_abort());
    /// ```
    pub fn is_abort(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::InstructionLimit | ErrorKind::Interrupted
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

/// `Kind("message")`, e.g. `RuntimeError("[string \"error('x')\"]:1: x")`.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple(self.inner.kind.name())
            .field(&self.inner.message)
            .finish()
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(s: String) -> Self {
        Error::runtime(s)
    }
}
impl From<&str> for Error {
    fn from(s: &str) -> Self {
        Error::runtime(s)
    }
}
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::runtime(e.to_string())
    }
}
impl From<std::fmt::Error> for Error {
    fn from(e: std::fmt::Error) -> Self {
        Error::runtime(e.to_string())
    }
}
impl From<Box<dyn std::error::Error + Send + Sync>> for Error {
    fn from(e: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Error::runtime(e.to_string())
    }
}
