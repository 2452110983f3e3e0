//! Arithmetic on numbers with Lua 5.3's integer/float rules, and the number conversions
//! (`tonumber`, `tointeger`) that the operators and the libraries share.
//!
//! Invariant: these functions never call metamethods and never allocate; the callers
//! (`ops`) handle strings' coercion results and metamethods.

use luavm_compiler::number::{str2number, Number};

use crate::meta::Tm;
use crate::value::{float_to_int_exact, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,
    BNot,
}

impl ArithOp {
    pub fn tm(self) -> Tm {
        match self {
            ArithOp::Add => Tm::Add,
            ArithOp::Sub => Tm::Sub,
            ArithOp::Mul => Tm::Mul,
            ArithOp::Mod => Tm::Mod,
            ArithOp::Pow => Tm::Pow,
            ArithOp::Div => Tm::Div,
            ArithOp::IDiv => Tm::IDiv,
            ArithOp::BAnd => Tm::BAnd,
            ArithOp::BOr => Tm::BOr,
            ArithOp::BXor => Tm::BXor,
            ArithOp::Shl => Tm::Shl,
            ArithOp::Shr => Tm::Shr,
            ArithOp::Unm => Tm::Unm,
            ArithOp::BNot => Tm::BNot,
        }
    }
    pub fn is_bitwise(self) -> bool {
        matches!(
            self,
            ArithOp::BAnd
                | ArithOp::BOr
                | ArithOp::BXor
                | ArithOp::Shl
                | ArithOp::Shr
                | ArithOp::BNot
        )
    }
}

/// A number, or a string convertible to one (`tonumber` coercion, PUC's `luaV_tonumber_`).
#[inline]
pub fn to_number(v: Value) -> Option<Value> {
    match v {
        Value::Int(_) | Value::Num(_) => Some(v),
        Value::Str(s) => match str2number(s.as_bytes())? {
            Number::Int(i) => Some(Value::Int(i)),
            Number::Float(f) => Some(Value::Num(f)),
        },
        _ => None,
    }
}

#[inline]
pub fn as_float(v: Value) -> Option<f64> {
    match v {
        Value::Num(f) => Some(f),
        Value::Int(i) => Some(i as f64),
        _ => None,
    }
}

/// Float value of a number or numeric string.
pub fn to_float(v: Value) -> Option<f64> {
    as_float(to_number(v)?)
}

/// Integer value with exact conversion of floats and numeric strings (`luaV_tointeger`, mode 0).
pub fn to_integer(v: Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        Value::Num(f) => float_to_int_exact(f),
        Value::Str(_) => to_integer(to_number(v)?),
        _ => None,
    }
}

/// Integer value of a number only (no string coercion), exact.
pub fn to_integer_strict(v: Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        Value::Num(f) => float_to_int_exact(f),
        _ => None,
    }
}

/// Float to integer with floor (mode 1) or ceil (mode 2) rounding, if in range.
pub fn float_to_int_rounded(f: f64, ceil: bool) -> Option<i64> {
    let r = if ceil { f.ceil() } else { f.floor() };
    float_to_int_exact(r)
}

/// Integer floor division (`//`); `None` for division by zero.
#[inline]
pub fn int_idiv(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(a.wrapping_neg());
    }
    let q = a / b;
    if (a % b != 0) && ((a ^ b) < 0) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Integer modulo (`%`) with the sign of the divisor; `None` for modulo by zero.
#[inline]
pub fn int_mod(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    if b == -1 {
        return Some(0);
    }
    let r = a % b;
    if r != 0 && (r ^ b) < 0 {
        Some(r + b)
    } else {
        Some(r)
    }
}

/// Float modulo as Lua 5.3 (`fmod` then sign adjust).
#[inline]
pub fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if m * b < 0.0 {
        m + b
    } else {
        m
    }
}

/// Shift left by a signed amount (negative shifts right), logical, as `luaV_shiftl`.
#[inline]
pub fn shift_left(x: i64, y: i64) -> i64 {
    if y < 0 {
        if y <= -64 {
            0
        } else {
            ((x as u64) >> (-y)) as i64
        }
    } else if y >= 64 {
        0
    } else {
        ((x as u64) << y) as i64
    }
}

/// Arithmetic on two operands that are already numbers (no coercion). `None` when an
/// operand is not a number, or for integer division/modulo by zero (the caller raises),
/// or for bitwise operations on floats without an integer value.
#[inline]
pub fn arith_fast(op: ArithOp, a: Value, b: Value) -> Option<Value> {
    use ArithOp::*;
    match op {
        Add | Sub | Mul | Mod | IDiv | Unm => match (a, b) {
            (Value::Int(x), Value::Int(y)) => Some(Value::Int(match op {
                Add => x.wrapping_add(y),
                Sub => x.wrapping_sub(y),
                Mul => x.wrapping_mul(y),
                Mod => int_mod(x, y)?,
                IDiv => int_idiv(x, y)?,
                _ => x.wrapping_neg(),
            })),
            _ => {
                let (x, y) = (as_float(a)?, as_float(b)?);
                Some(Value::Num(match op {
                    Add => x + y,
                    Sub => x - y,
                    Mul => x * y,
                    Mod => float_mod(x, y),
                    IDiv => (x / y).floor(),
                    _ => -x,
                }))
            }
        },
        Div => Some(Value::Num(as_float(a)? / as_float(b)?)),
        Pow => Some(Value::Num(pow(as_float(a)?, as_float(b)?))),
        BAnd | BOr | BXor | Shl | Shr | BNot => {
            let x = to_integer_strict(a)?;
            let y = to_integer_strict(b)?;
            Some(Value::Int(match op {
                BAnd => x & y,
                BOr => x | y,
                BXor => x ^ y,
                Shl => shift_left(x, y),
                Shr => shift_left(x, y.wrapping_neg()),
                _ => !x,
            }))
        }
    }
}

#[inline]
fn pow(x: f64, y: f64) -> f64 {
    if y == 2.0 {
        x * x
    } else {
        x.powf(y)
    }
}
