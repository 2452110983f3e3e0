//! Helpers shared by the Rust tests: running code in a raw `State` (the collector's
//! tests) and finding the reference interpreter (the command-line tests).

#![allow(dead_code)]

use std::process::Command;

use luavm_vm::{State, Value, MULTRET};

/// Run `code`; its results as strings (`tostring`-like for the simple types), or the
/// error message.
pub fn run(s: &mut State, code: &str) -> Result<Vec<String>, String> {
    let base = s.top();
    let r = match s.load(code.as_bytes(), b"=test") {
        Ok(f) => {
            s.push(f);
            s.pcall(base, MULTRET, 0)
        }
        Err(e) => Err(e),
    };
    let out = match r {
        Ok(()) => Ok((base..s.top()).map(|i| show(s.stack_at(i))).collect()),
        Err(_) => Err(show(s.error_value())),
    };
    s.set_top(base);
    out
}

/// A value as text: numbers, booleans, nil and strings as `tostring` shows them, other
/// values by their type name.
pub fn show(v: Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Num(f) => f.to_string(),
        Value::Str(s) => s.to_str_lossy().into_owned(),
        other => other.type_name().to_string(),
    }
}

/// The reference interpreter for differential tests, `lua5.3`, when it is installed.
pub fn lua53() -> Option<&'static str> {
    Command::new("lua5.3")
        .arg("-v")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| "lua5.3")
}
