//! The API that Rust functions (the standard library, host functions) use: arguments,
//! results, checks with PUC's "bad argument" messages, and `tostring`/`tonumber`.
//!
//! Invariant: a Rust function sees its arguments at `stack[(ci.base as usize) .. top]` and returns
//! the number of results it pushed on top; it never holds a `Gc` value in a Rust local
//! across a call back into Lua (it keeps such values on the stack instead).

use luavm_gc::Gc;

use crate::arith;
use crate::error::{LuaError, LuaResult};
use crate::meta::Tm;
use crate::ops::push_str_or_number;
use crate::state::State;
use crate::string::LuaStr;
use crate::table::Table;
use crate::value::Value;

impl State {
    /// Number of arguments of the running Rust function.
    #[inline]
    pub fn nargs(&self) -> usize {
        let ci = &self.ci[self.ci.len() - 1];
        self.top - (ci.base as usize)
    }

    /// Argument `n` (1-based); nil when absent.
    #[inline]
    pub fn arg(&self, n: usize) -> Value {
        let ci = &self.ci[self.ci.len() - 1];
        let i = (ci.base as usize) + n - 1;
        if n >= 1 && i < self.top {
            self.stack[i]
        } else {
            Value::Nil
        }
    }

    /// Stack index of argument `n`.
    pub fn arg_index(&self, n: usize) -> usize {
        (self.ci[self.ci.len() - 1].base as usize) + n - 1
    }

    /// Replace argument `n` (must exist).
    pub fn set_arg(&mut self, n: usize, v: Value) {
        let i = self.arg_index(n);
        if i < self.top {
            self.stack[i] = v;
        }
    }

    /// Upvalue `n` (0-based) of the running Rust closure.
    pub fn native_upvalue(&self, n: usize) -> Value {
        let ci = &self.ci[self.ci.len() - 1];
        match self.stack[ci.func as usize] {
            Value::NativeClosure(c) => c.upvalues.get(n).map(|u| u.get()).unwrap_or(Value::Nil),
            _ => Value::Nil,
        }
    }

    pub fn set_native_upvalue(&mut self, n: usize, v: Value) {
        let ci = &self.ci[self.ci.len() - 1];
        if let Value::NativeClosure(c) = self.stack[ci.func as usize] {
            if let Some(u) = c.upvalues.get(n) {
                u.set(v);
                self.heap.barrier_back(c);
            }
        }
    }

    /// Push a string.
    pub fn push_str(&mut self, s: &[u8]) {
        let v = self.str_value(s);
        self.push(v);
    }

    // ---- argument checks -------------------------------------------------------------

    pub fn check_any(&mut self, n: usize) -> LuaResult<Value> {
        if n > self.nargs() {
            return Err(self.arg_error(n, "value expected"));
        }
        Ok(self.arg(n))
    }

    pub fn check_table(&mut self, n: usize) -> LuaResult<Gc<Table>> {
        match self.arg(n) {
            Value::Table(t) => Ok(t),
            _ => Err(self.arg_type_error(n, "table")),
        }
    }

    pub fn check_integer(&mut self, n: usize) -> LuaResult<i64> {
        let v = self.arg(n);
        match v {
            Value::Int(i) => Ok(i),
            _ => match arith::to_integer(v) {
                Some(i) => Ok(i),
                None => {
                    if arith::to_number(v).is_some() {
                        Err(self.arg_error(n, "number has no integer representation"))
                    } else {
                        Err(self.arg_type_error(n, "number"))
                    }
                }
            },
        }
    }

    pub fn opt_integer(&mut self, n: usize, default: i64) -> LuaResult<i64> {
        if self.arg(n).is_nil() {
            Ok(default)
        } else {
            self.check_integer(n)
        }
    }

    pub fn check_number(&mut self, n: usize) -> LuaResult<f64> {
        match arith::to_float(self.arg(n)) {
            Some(f) => Ok(f),
            None => Err(self.arg_type_error(n, "number")),
        }
    }

    /// A number argument keeping its subtype (strings are converted).
    pub fn check_numeric(&mut self, n: usize) -> LuaResult<Value> {
        match arith::to_number(self.arg(n)) {
            Some(v) => Ok(v),
            None => Err(self.arg_type_error(n, "number")),
        }
    }

    pub fn opt_number(&mut self, n: usize, default: f64) -> LuaResult<f64> {
        if self.arg(n).is_nil() {
            Ok(default)
        } else {
            self.check_number(n)
        }
    }

    /// A string argument; numbers are converted (and the argument replaced, as PUC does).
    pub fn check_string(&mut self, n: usize) -> LuaResult<Gc<LuaStr>> {
        match self.arg(n) {
            Value::Str(s) => Ok(s),
            v @ (Value::Int(_) | Value::Num(_)) => {
                let mut buf = Vec::new();
                push_str_or_number(&mut buf, v);
                let s = self.new_str(&buf);
                self.set_arg(n, Value::Str(s));
                Ok(s)
            }
            _ => Err(self.arg_type_error(n, "string")),
        }
    }

    pub fn opt_string(&mut self, n: usize) -> LuaResult<Option<Gc<LuaStr>>> {
        if self.arg(n).is_nil() {
            Ok(None)
        } else {
            self.check_string(n).map(Some)
        }
    }

    pub fn check_function(&mut self, n: usize) -> LuaResult<Value> {
        let v = self.arg(n);
        if v.is_function() {
            Ok(v)
        } else {
            Err(self.arg_type_error(n, "function"))
        }
    }

    /// `luaL_checkoption`.
    pub fn check_option(
        &mut self,
        n: usize,
        default: Option<&str>,
        options: &[&str],
    ) -> LuaResult<usize> {
        let name = match (self.arg(n), default) {
            (Value::Nil, Some(d)) => d.as_bytes().to_vec(),
            _ => self.check_string(n)?.as_bytes().to_vec(),
        };
        match options.iter().position(|o| o.as_bytes() == name.as_slice()) {
            Some(i) => Ok(i),
            None => {
                let msg = format!("invalid option '{}'", String::from_utf8_lossy(&name));
                Err(self.arg_error(n, &msg))
            }
        }
    }

    // ---- conversions -------------------------------------------------------------------

    /// `tostring(v)` with `__tostring` and `__name` (PUC's `luaL_tolstring`).
    pub fn to_string_meta(&mut self, v: Value) -> LuaResult<Gc<LuaStr>> {
        let tm = self.get_tm(v, Tm::ToString);
        if !tm.is_nil() {
            let r = self.call_value1(tm, &[v])?;
            return match r {
                Value::Str(s) => Ok(s),
                Value::Int(_) | Value::Num(_) => Ok(self.to_bytes(r).expect("number converts")),
                _ => Err(self.lib_error("'__tostring' must return a string")),
            };
        }
        let mut buf = Vec::new();
        self.to_string_raw(v, &mut buf);
        Ok(self.new_str_vec(buf))
    }

    /// `tostring` without `__tostring` (but with `__name`).
    pub fn to_string_raw(&self, v: Value, buf: &mut Vec<u8>) {
        if push_str_or_number(buf, v) {
            return;
        }
        match v {
            Value::Nil => buf.extend_from_slice(b"nil"),
            Value::Bool(b) => buf.extend_from_slice(if b { b"true" } else { b"false" }),
            _ => {
                let kind = self.obj_type_name(v);
                buf.extend_from_slice(format!("{}: {:#x}", kind, v.addr()).as_bytes());
            }
        }
    }

    /// A string's bytes, or a number converted (no metamethods): `lua_tolstring`.
    pub fn to_bytes(&mut self, v: Value) -> Option<Gc<LuaStr>> {
        match v {
            Value::Str(s) => Some(s),
            Value::Int(_) | Value::Num(_) => {
                let mut buf = Vec::new();
                push_str_or_number(&mut buf, v);
                Some(self.new_str(&buf))
            }
            _ => None,
        }
    }

    /// Raise `v` as an error from a Rust function (`lua_error`).
    pub fn error(&mut self, v: Value) -> LuaError {
        self.throw(v)
    }
}
