//! The error type that flows through `Result`s inside the VM.
//!
//! A Lua error's value is not carried in the `Err`: it is stored in the state
//! (`State::error_value`), where the collector sees it, and `LuaError::Error` says one is
//! pending. The other variants are control signals of Rust functions, never seen by Lua:
//! they travel up to the interpreter loop, which acts on them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LuaError {
    /// A Lua error; the value is `State::error_value()`.
    Error,
    /// The running coroutine yields (values on the top of the stack).
    Yield,
    /// A Rust function called a Lua function in continuation style (`State::call_k`): its
    /// frame is pushed; the loop runs it and then the continuation.
    Continue,
}

impl fmt::Display for LuaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LuaError::Error => write!(f, "Lua error"),
            LuaError::Yield => write!(f, "coroutine yield"),
            LuaError::Continue => write!(f, "continuation"),
        }
    }
}

impl std::error::Error for LuaError {}

pub type LuaResult<T> = Result<T, LuaError>;
