//! Numeral conversion: string → Lua number, exactly as PUC-Rio Lua 5.3.
//!
//! Owns `str2number` (PUC's `luaO_str2num`, used by the lexer, by the VM for
//! string→number coercion and by `tonumber(s)`) and `str2int_base` (PUC's
//! `luaB_tonumber` with a base).
//!
//! Invariants:
//! - the whole input must be consumed: leading/trailing C `isspace` characters are
//!   allowed, anything else (including an embedded `'\0'`) makes the conversion fail;
//! - an integer numeral is tried first: decimal integers that overflow `i64` become
//!   floats, hexadecimal integers wrap around modulo 2^64;
//! - floats are correctly rounded (like C99 `strtod`, also for hexadecimal floats);
//!   `inf`/`nan` spellings are rejected.

/// A Lua number: integer or float subtype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

/// C `isspace` in the "C" locale.
#[inline]
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[inline]
fn hex_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => (c - b'0') as u32,
        _ => ((c | 0x20) - b'a') as u32 + 10,
    }
}

fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

/// Converts a numeral as Lua 5.3 does (`luaO_str2num`): integer first, then float.
pub fn str2number(s: &[u8]) -> Option<Number> {
    if let Some(i) = str2int(s) {
        return Some(Number::Int(i));
    }
    str2float(s).map(Number::Float)
}

/// PUC's `l_str2int`: decimal (no overflow) or hexadecimal (wrapping) integer.
fn str2int(s: &[u8]) -> Option<i64> {
    let mut i = skip_spaces(s, 0);
    let mut neg = false;
    if i < s.len() && s[i] == b'-' {
        neg = true;
        i += 1;
    } else if i < s.len() && s[i] == b'+' {
        i += 1;
    }
    let mut a: u64 = 0;
    let mut empty = true;
    if i + 1 < s.len() && s[i] == b'0' && (s[i + 1] | 0x20) == b'x' {
        i += 2;
        while i < s.len() && s[i].is_ascii_hexdigit() {
            a = a.wrapping_mul(16).wrapping_add(hex_value(s[i]) as u64);
            empty = false;
            i += 1;
        }
    } else {
        const MAXBY10: u64 = (i64::MAX / 10) as u64;
        const MAXLASTD: u64 = (i64::MAX % 10) as u64;
        while i < s.len() && s[i].is_ascii_digit() {
            let d = (s[i] - b'0') as u64;
            if a >= MAXBY10 && (a > MAXBY10 || d > MAXLASTD + neg as u64) {
                return None; // overflow: not accepted as an integer
            }
            a = a * 10 + d;
            empty = false;
            i += 1;
        }
    }
    i = skip_spaces(s, i);
    if empty || i != s.len() {
        return None;
    }
    Some(if neg { 0u64.wrapping_sub(a) } else { a } as i64)
}

/// PUC's `l_str2d`: a float numeral (decimal or hexadecimal), no `inf`/`nan`.
fn str2float(s: &[u8]) -> Option<f64> {
    // The mode is decided by the first of ".xXnN" in the string, as PUC does.
    let mode = s
        .iter()
        .find(|&&c| matches!(c, b'.' | b'x' | b'X' | b'n' | b'N'))
        .map(|c| c | 0x20);
    match mode {
        Some(b'n') => None,
        Some(b'x') => hex_float(s),
        _ => dec_float(s),
    }
}

/// Decimal float with the grammar of `strtod` (without inf/nan/hex), whole string.
fn dec_float(s: &[u8]) -> Option<f64> {
    let start = skip_spaces(s, 0);
    let mut i = start;
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        i += 1;
    }
    let int_start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    let mut ndigits = i - int_start;
    if i < s.len() && s[i] == b'.' {
        i += 1;
        let f = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        ndigits += i - f;
    }
    if ndigits == 0 {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'e' {
        let mut j = i + 1;
        if j < s.len() && (s[j] == b'-' || s[j] == b'+') {
            j += 1;
        }
        let d = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        if j > d {
            i = j;
        }
    }
    let end = i;
    if skip_spaces(s, end) != s.len() {
        return None;
    }
    // The numeral is pure ASCII and matches Rust's float grammar.
    let text = std::str::from_utf8(&s[start..end]).ok()?;
    text.parse::<f64>().ok()
}

/// Hexadecimal float (`0x1.8p3`, `0x.8`, `0xA`), correctly rounded, whole string.
fn hex_float(s: &[u8]) -> Option<f64> {
    let mut i = skip_spaces(s, 0);
    let mut neg = false;
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        neg = s[i] == b'-';
        i += 1;
    }
    if !(i + 1 < s.len() && s[i] == b'0' && (s[i + 1] | 0x20) == b'x') {
        return None;
    }
    i += 2;
    let mut mant: u64 = 0; // first 16 significant hex digits
    let mut sig = 0u32; // significant digits seen (capped use)
    let mut sticky = false; // some nonzero digit was dropped
    let mut exp: i64 = 0; // binary exponent correction
    let mut any_digit = false;
    let mut seen_dot = false;
    while i < s.len() {
        let c = s[i];
        if c == b'.' {
            if seen_dot {
                break;
            }
            seen_dot = true;
        } else if c.is_ascii_hexdigit() {
            any_digit = true;
            let d = hex_value(c) as u64;
            if sig == 0 && d == 0 {
                // leading zero: not significant
                if seen_dot {
                    exp -= 4;
                }
            } else if sig < 16 {
                mant = (mant << 4) | d;
                sig += 1;
                if seen_dot {
                    exp -= 4;
                }
            } else {
                if d != 0 {
                    sticky = true;
                }
                if !seen_dot {
                    exp += 4;
                }
            }
        } else {
            break;
        }
        i += 1;
    }
    if !any_digit {
        return None;
    }
    if i < s.len() && (s[i] | 0x20) == b'p' {
        let mut j = i + 1;
        let mut eneg = false;
        if j < s.len() && (s[j] == b'-' || s[j] == b'+') {
            eneg = s[j] == b'-';
            j += 1;
        }
        let d = j;
        let mut e: i64 = 0;
        while j < s.len() && s[j].is_ascii_digit() {
            e = (e * 10 + (s[j] - b'0') as i64).min(1 << 40);
            j += 1;
        }
        if j > d {
            exp += if eneg { -e } else { e };
            i = j;
        }
    }
    if skip_spaces(s, i) != s.len() {
        return None;
    }
    let v = make_f64(mant, exp, sticky);
    Some(if neg { -v } else { v })
}

/// `mant * 2^exp` (plus a sticky "something nonzero below") rounded to nearest-even.
fn make_f64(mant: u64, exp: i64, sticky: bool) -> f64 {
    if mant == 0 {
        return 0.0;
    }
    let lz = mant.leading_zeros() as i64;
    let m = mant << lz; // top bit set
                        // value = m * 2^(exp - lz); as 1.xxx * 2^e2:
    let e2 = exp - lz + 63;
    if e2 > 1023 {
        return f64::INFINITY;
    }
    // Number of mantissa bits kept (53 normally, fewer for subnormals).
    let keep: i64 = if e2 >= -1022 { 53 } else { 53 - (-1022 - e2) };
    if keep <= 0 {
        // Below half the smallest subnormal (or exactly at it: round to even → 0),
        // unless it rounds up to the smallest subnormal.
        if keep == 0 {
            // value in [2^-1075, 2^-1074): rounds up unless exactly half.
            let half = m == 1 << 63 && !sticky;
            return if half { 0.0 } else { f64::from_bits(1) };
        }
        return 0.0;
    }
    let drop = 64 - keep as u32;
    let mut top = m >> drop;
    let rest = m & ((1u64 << drop) - 1);
    let halfway = 1u64 << (drop - 1);
    let round_up = rest > halfway || (rest == halfway && (sticky || top & 1 == 1));
    if round_up {
        top += 1;
    }
    if e2 >= -1022 {
        let mut e2 = e2;
        if top == 1 << 53 {
            top >>= 1;
            e2 += 1;
            if e2 > 1023 {
                return f64::INFINITY;
            }
        }
        let bits = (((e2 + 1023) as u64) << 52) | (top & ((1u64 << 52) - 1));
        f64::from_bits(bits)
    } else {
        // subnormal: `top` is the raw fraction (may carry into the smallest normal)
        f64::from_bits(top)
    }
}

/// `tonumber(s, base)` conversion (PUC's `luaB_tonumber` with a base): optional
/// surrounding whitespace, optional sign, at least one digit/letter valid in `base`,
/// wrapping on overflow. `None` when `base` is not in `2..=36` or `s` is not a numeral.
pub fn str2int_base(s: &[u8], base: u32) -> Option<i64> {
    if !(2..=36).contains(&base) {
        return None;
    }
    let mut i = skip_spaces(s, 0);
    let mut neg = false;
    if i < s.len() && s[i] == b'-' {
        neg = true;
        i += 1;
    } else if i < s.len() && s[i] == b'+' {
        i += 1;
    }
    if i >= s.len() || !s[i].is_ascii_alphanumeric() {
        return None;
    }
    let mut n: u64 = 0;
    while i < s.len() && s[i].is_ascii_alphanumeric() {
        let c = s[i];
        let digit = if c.is_ascii_digit() {
            (c - b'0') as u32
        } else {
            (c.to_ascii_uppercase() - b'A') as u32 + 10
        };
        if digit >= base {
            return None;
        }
        n = n.wrapping_mul(base as u64).wrapping_add(digit as u64);
        i += 1;
    }
    if skip_spaces(s, i) != s.len() {
        return None;
    }
    Some(if neg { 0u64.wrapping_sub(n) } else { n } as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<Number> {
        str2number(s.as_bytes())
    }

    #[test]
    fn integers() {
        assert_eq!(n("10"), Some(Number::Int(10)));
        assert_eq!(n("  -7  "), Some(Number::Int(-7)));
        assert_eq!(n("+7"), Some(Number::Int(7)));
        assert_eq!(n("9223372036854775807"), Some(Number::Int(i64::MAX)));
        assert_eq!(n("-9223372036854775808"), Some(Number::Int(i64::MIN)));
        assert_eq!(
            n("9223372036854775808"),
            Some(Number::Float(9223372036854775808.0))
        );
        assert_eq!(n("0xff"), Some(Number::Int(255)));
        assert_eq!(n("0xffffffffffffffff"), Some(Number::Int(-1)));
        assert_eq!(n("0x1ffffffffffffffff"), Some(Number::Int(-1)));
        assert_eq!(n("-0x1"), Some(Number::Int(-1)));
        assert_eq!(n("1 2"), None);
        assert_eq!(n(""), None);
        assert_eq!(n("  "), None);
        assert_eq!(n("0x"), None);
        assert_eq!(str2number(b"1\0"), None);
    }

    #[test]
    fn floats() {
        assert_eq!(n("1.5"), Some(Number::Float(1.5)));
        assert_eq!(n("3."), Some(Number::Float(3.0)));
        assert_eq!(n(".5"), Some(Number::Float(0.5)));
        assert_eq!(n("1e10"), Some(Number::Float(1e10)));
        assert_eq!(n("1E-2"), Some(Number::Float(0.01)));
        assert_eq!(n("0x1p4"), Some(Number::Float(16.0)));
        assert_eq!(n("0x.8"), Some(Number::Float(0.5)));
        assert_eq!(n("0xA.8P1"), Some(Number::Float(21.0)));
        assert_eq!(n("-0x1p-1"), Some(Number::Float(-0.5)));
        assert_eq!(n("1e400"), Some(Number::Float(f64::INFINITY)));
        assert_eq!(n("0x1p99999"), Some(Number::Float(f64::INFINITY)));
        assert_eq!(n("0x1p-1074"), Some(Number::Float(f64::from_bits(1))));
        assert_eq!(n("0x1p-1075"), Some(Number::Float(0.0)));
        assert_eq!(n("0x1.8p-1075"), Some(Number::Float(f64::from_bits(1))));
        assert_eq!(
            n("0x1.fffffffffffff8p0"),
            Some(Number::Float(2.0)),
            "ties to even rounds up here"
        );
        assert_eq!(
            n("0x1.fffffffffffff7ffffp0"),
            Some(Number::Float(f64::from_bits(0x3FFF_FFFF_FFFF_FFFF)))
        );
        assert_eq!(n("inf"), None);
        assert_eq!(n("nan"), None);
        assert_eq!(n("1e"), None);
        assert_eq!(n("."), None);
        assert_eq!(n("1..2"), None);
        assert_eq!(n("0x1p"), None);
        assert_eq!(n("1.5x"), None);
    }

    #[test]
    fn bases() {
        assert_eq!(str2int_base(b"ff", 16), Some(255));
        assert_eq!(str2int_base(b" -zz ", 36), Some(-1295));
        assert_eq!(str2int_base(b"102", 2), None);
        assert_eq!(str2int_base(b"", 10), None);
        assert_eq!(str2int_base(b"1", 37), None);
        assert_eq!(str2int_base(b"ffffffffffffffffff", 16), Some(-1));
    }
}
