//! Constant folding arithmetic: PUC 5.3's `constfolding`/`validop`/`luaO_arith`
//! on two numerals, with Lua 5.3's integer/float rules.
//!
//! Invariants (exactly PUC's, so that folded code equals `luac5.3`'s):
//! - bitwise operations fold only when both operands have an exact integer value;
//! - `/`, `//` and `%` never fold with a zero divisor (integer or float, ±0.0);
//! - a float result that is NaN or ±0.0 is not folded (keeps `-0.0` semantics);
//! - integer arithmetic wraps; `/` and `^` always produce floats.

use crate::number::Number;

/// Arithmetic operators in PUC's `LUA_OP*` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArithOp {
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

/// Float → integer only when the value is integral and in range (PUC's `tointeger`).
pub fn float_to_int(f: f64) -> Option<i64> {
    if f.floor() == f && (-9223372036854775808.0..9223372036854775808.0).contains(&f) {
        Some(f as i64)
    } else {
        None
    }
}

fn to_int(n: Number) -> Option<i64> {
    match n {
        Number::Int(i) => Some(i),
        Number::Float(f) => float_to_int(f),
    }
}

fn to_float(n: Number) -> f64 {
    match n {
        Number::Int(i) => i as f64,
        Number::Float(f) => f,
    }
}

/// Lua 5.3 integer `%` (floor modulo); `n != 0`.
pub fn int_mod(m: i64, n: i64) -> i64 {
    if n == -1 {
        return 0;
    }
    let r = m % n;
    if r != 0 && (r ^ n) < 0 {
        r + n
    } else {
        r
    }
}

/// Lua 5.3 integer `//` (floor division); `n != 0`.
pub fn int_idiv(m: i64, n: i64) -> i64 {
    if n == -1 {
        return m.wrapping_neg();
    }
    let q = m / n;
    if (m ^ n) < 0 && m % n != 0 {
        q - 1
    } else {
        q
    }
}

/// Lua 5.3 `<<` (negative shifts go right; logical; |y| >= 64 gives 0).
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

/// Lua 5.3 float `%`.
pub fn float_mod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if if m > 0.0 { b < 0.0 } else { m < 0.0 && b != m } {
        m + b
    } else {
        m
    }
}

fn int_arith(op: ArithOp, a: i64, b: i64) -> i64 {
    use ArithOp::*;
    match op {
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Mul => a.wrapping_mul(b),
        Mod => int_mod(a, b),
        IDiv => int_idiv(a, b),
        BAnd => a & b,
        BOr => a | b,
        BXor => a ^ b,
        Shl => shift_left(a, b),
        Shr => shift_left(a, b.wrapping_neg()),
        Unm => 0i64.wrapping_sub(a),
        BNot => !a,
        Pow | Div => 0, // never integer operations
    }
}

fn float_arith(op: ArithOp, a: f64, b: f64) -> f64 {
    use ArithOp::*;
    match op {
        Add => a + b,
        Sub => a - b,
        Mul => a * b,
        Div => a / b,
        Pow => a.powf(b),
        IDiv => (a / b).floor(),
        Unm => -a,
        Mod => float_mod(a, b),
        _ => 0.0, // bitwise: never float operations
    }
}

/// Folds `a op b` as PUC 5.3 would, or `None` when PUC does not fold it.
/// (For unary operators `b` is the fake operand `0`.)
pub(crate) fn fold(op: ArithOp, a: Number, b: Number) -> Option<Number> {
    use ArithOp::*;
    // validop
    match op {
        BAnd | BOr | BXor | Shl | Shr | BNot => {
            to_int(a)?;
            to_int(b)?;
        }
        Div | IDiv | Mod if to_float(b) == 0.0 => return None,
        _ => {}
    }
    // luaO_arith
    let res = match op {
        BAnd | BOr | BXor | Shl | Shr | BNot => Number::Int(int_arith(op, to_int(a)?, to_int(b)?)),
        Div | Pow => Number::Float(float_arith(op, to_float(a), to_float(b))),
        _ => match (a, b) {
            (Number::Int(x), Number::Int(y)) => Number::Int(int_arith(op, x, y)),
            _ => Number::Float(float_arith(op, to_float(a), to_float(b))),
        },
    };
    match res {
        Number::Float(f) if f.is_nan() || f == 0.0 => None,
        r => Some(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Number::{Float as F, Int as I};

    #[test]
    fn folding_rules() {
        assert_eq!(fold(ArithOp::Add, I(i64::MAX), I(1)), Some(I(i64::MIN)));
        assert_eq!(fold(ArithOp::IDiv, I(1), I(0)), None);
        assert_eq!(fold(ArithOp::Mod, F(1.0), F(-0.0)), None);
        assert_eq!(
            fold(ArithOp::Pow, I(2), I(63)),
            Some(F(9223372036854775808.0))
        );
        assert_eq!(fold(ArithOp::Unm, F(0.0), I(0)), None);
        assert_eq!(fold(ArithOp::Sub, I(1), I(1)), Some(I(0)));
        assert_eq!(fold(ArithOp::Sub, F(1.0), I(1)), None);
        assert_eq!(fold(ArithOp::BAnd, F(3.0), I(1)), Some(I(1)));
        assert_eq!(fold(ArithOp::BAnd, F(3.5), I(1)), None);
        assert_eq!(fold(ArithOp::Div, I(7), I(2)), Some(F(3.5)));
        assert_eq!(fold(ArithOp::IDiv, I(-7), I(2)), Some(I(-4)));
        assert_eq!(fold(ArithOp::Mod, I(-7), I(2)), Some(I(1)));
        assert_eq!(fold(ArithOp::Mod, F(-7.0), I(2)), Some(F(1.0)));
        assert_eq!(fold(ArithOp::Shl, I(1), I(64)), Some(I(0)));
        assert_eq!(fold(ArithOp::Shr, I(-1), I(63)), Some(I(1)));
        assert_eq!(fold(ArithOp::BNot, I(0), I(0)), Some(I(-1)));
        assert_eq!(fold(ArithOp::IDiv, I(i64::MIN), I(-1)), Some(I(i64::MIN)));
    }
}
