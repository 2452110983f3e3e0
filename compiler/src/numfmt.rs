//! Number formatting as C's `printf` does it, byte for byte as glibc prints:
//! the conversions `%d %i %u %c %x %X %o %e %E %f %F %g %G %a %A` with the
//! flags `-+ #0`, a width and a precision; plus Lua 5.3's `tostring` of
//! numbers (`lua_number_to_str`, `lua_integer_to_str`).
//!
//! Each `fmt_*` function appends one converted item to `out` and never
//! touches what is already there. Digits come from Rust's `core::fmt`, whose
//! `{:.N}` and `{:.Ne}` are correctly rounded (ties to even on the exact binary
//! value, as glibc); this module only rearranges them into C's layout. `%a`
//! is built from the bits.
//!
//! Invariants:
//! - nothing here panics or allocates beyond `out`, whatever the value, flags,
//!   width or precision (a huge width or precision does make `out` that big:
//!   callers bound them; `string.format` allows two digits);
//! - infinities and NaNs print as `inf`/`nan` with their sign bit (`-nan`),
//!   upper-case for the upper-case conversions, padded with spaces even with `0`;
//! - the `0` flag is ignored with `-`, and for integers when a precision is given.

use std::fmt::Write as _;

/// The flags and width of one conversion specification `%[-+ #0][width]`.
/// `upper` selects the upper-case variant (`%X %E %F %G %A`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `-`: left-justify within the width.
    pub left: bool,
    /// `+`: always print a sign for signed conversions.
    pub plus: bool,
    /// ` `: print a space where a `+` would go.
    pub space: bool,
    /// `#`: the alternate form (`0x` prefix, leading octal `0`, keep the point).
    pub alt: bool,
    /// `0`: pad with zeros after the sign or prefix instead of spaces before.
    pub zero: bool,
    /// Upper-case variant of the conversion.
    pub upper: bool,
    /// Minimum field width.
    pub width: usize,
}

impl Flags {
    /// Sets the flag named by one of the characters `-+ #0`; returns false
    /// (and changes nothing) for any other byte.
    pub fn set(&mut self, c: u8) -> bool {
        match c {
            b'-' => self.left = true,
            b'+' => self.plus = true,
            b' ' => self.space = true,
            b'#' => self.alt = true,
            b'0' => self.zero = true,
            _ => return false,
        }
        true
    }
}

/// Appends Lua 5.3's `tostring` of a float: `%.14g`, then `.0` if the result
/// looks like an integer (`3.0`, `-0.0`, `1e+15`, `inf`, `-nan`).
pub fn lua_number_to_str(x: f64, out: &mut Vec<u8>) {
    // Fast path: every integral value below 1e14 prints all its digits.
    if x.trunc() == x && x.abs() < 1e14 {
        if x == 0.0 && x.is_sign_negative() {
            out.push(b'-');
        }
        lua_integer_to_str(x as i64, out);
        out.extend_from_slice(b".0");
        return;
    }
    if short_decimal(x, out) {
        return;
    }
    let start = out.len();
    fmt_g(out, x, Some(14), Flags::default());
    let looks_int = out[start..]
        .iter()
        .all(|&c| c == b'-' || c.is_ascii_digit());
    if looks_int {
        out.extend_from_slice(b".0");
    }
}

/// Fast path of `lua_number_to_str` for a non-integral `x` that is the
/// nearest double to a decimal `D / 10^k` with at most 14 significant digits
/// and `|x| >= 1e-4` (so `%.14g` prints it in the `%f` style): then that
/// decimal is exactly what `%.14g` prints, since `x` lies within half an ulp
/// of it and the 14-digit grid is far coarser than the ulp. Finds the
/// smallest such `k`; returns false (appending nothing) if there is none.
fn short_decimal(x: f64, out: &mut Vec<u8>) -> bool {
    const POW10: [f64; 19] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18,
    ];
    let a = x.abs();
    if !(1e-4..1e14).contains(&a) {
        return false;
    }
    for (k, &scale) in POW10.iter().enumerate().skip(1) {
        let d = (a * scale).round();
        if d >= 1e14 {
            return false;
        }
        // Both operands are exact, so the division is the correctly rounded
        // value of the decimal d / 10^k.
        if d / scale == a {
            if x < 0.0 {
                out.push(b'-');
            }
            let start = out.len();
            lua_integer_to_str(d as i64, out);
            let n = out.len() - start;
            if k >= n {
                // 0.000ddd: insert "0." and the zeros before the digits.
                let lead = b"0."
                    .iter()
                    .copied()
                    .chain(std::iter::repeat_n(b'0', k - n));
                out.splice(start..start, lead);
            } else {
                out.insert(start + n - k, b'.');
            }
            return true;
        }
    }
    false
}

/// Appends the decimal digits of `i` (Lua 5.3's `tostring` of an integer).
pub fn lua_integer_to_str(i: i64, out: &mut Vec<u8>) {
    if i < 0 {
        out.push(b'-');
    }
    // Decimal digits, written backwards; the radix is a constant so the
    // division compiles to a multiplication.
    let mut buf = [0u8; 20];
    let mut u = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 || at == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}

/// Appends the float conversion `conv` (one of `eEfFgGaA`) of `x`; the case
/// of `conv` overrides `flags.upper`. Any other `conv` appends nothing and
/// returns false.
pub fn fmt_float(
    out: &mut Vec<u8>,
    conv: u8,
    x: f64,
    precision: Option<usize>,
    flags: Flags,
) -> bool {
    let flags = Flags {
        upper: conv.is_ascii_uppercase(),
        ..flags
    };
    match conv.to_ascii_lowercase() {
        b'e' => fmt_e(out, x, precision, flags),
        b'f' => fmt_f(out, x, precision, flags),
        b'g' => fmt_g(out, x, precision, flags),
        b'a' => fmt_a(out, x, precision, flags),
        _ => return false,
    }
    true
}

/// Appends the integer conversion `conv` (one of `diuxXoc`) of `i`. As C's
/// `%lld`/`%llx` etc., `%u %x %X %o` print the two's complement `u64` of a
/// negative `i`; `%c` prints the low byte. The case of `x`/`X` overrides
/// `flags.upper`. Any other `conv` appends nothing and returns false.
pub fn fmt_int(
    out: &mut Vec<u8>,
    conv: u8,
    i: i64,
    precision: Option<usize>,
    flags: Flags,
) -> bool {
    match conv {
        b'd' | b'i' => fmt_d(out, i, precision, flags),
        b'u' => fmt_u(out, i as u64, precision, flags),
        b'x' | b'X' => fmt_x(
            out,
            i as u64,
            precision,
            Flags {
                upper: conv == b'X',
                ..flags
            },
        ),
        b'o' => fmt_o(out, i as u64, precision, flags),
        b'c' => fmt_c(out, i as u8, flags),
        _ => return false,
    }
    true
}

/// `%d`: signed decimal; the precision is the minimum number of digits.
pub fn fmt_d(out: &mut Vec<u8>, i: i64, precision: Option<usize>, flags: Flags) {
    let start = out.len();
    let sign = push_sign(out, i < 0, flags);
    push_int_digits(out, i.unsigned_abs(), 10, false, precision, false);
    pad(out, start, sign, flags, precision.is_none());
}

/// `%u`: unsigned decimal.
pub fn fmt_u(out: &mut Vec<u8>, u: u64, precision: Option<usize>, flags: Flags) {
    let start = out.len();
    push_int_digits(out, u, 10, false, precision, false);
    pad(out, start, 0, flags, precision.is_none());
}

/// `%x` (`%X` with `flags.upper`): unsigned hexadecimal; `#` adds `0x` to
/// a non-zero value.
pub fn fmt_x(out: &mut Vec<u8>, u: u64, precision: Option<usize>, flags: Flags) {
    let start = out.len();
    let mut prefix = 0;
    if flags.alt && u != 0 {
        out.extend_from_slice(if flags.upper { b"0X" } else { b"0x" });
        prefix = 2;
    }
    push_int_digits(out, u, 16, flags.upper, precision, false);
    pad(out, start, prefix, flags, precision.is_none());
}

/// `%o`: unsigned octal; `#` makes the first digit a `0`.
pub fn fmt_o(out: &mut Vec<u8>, u: u64, precision: Option<usize>, flags: Flags) {
    let start = out.len();
    push_int_digits(out, u, 8, false, precision, flags.alt);
    pad(out, start, 0, flags, precision.is_none());
}

/// `%c`: one byte, space-padded to the width (glibc ignores `0` here).
pub fn fmt_c(out: &mut Vec<u8>, c: u8, flags: Flags) {
    let start = out.len();
    out.push(c);
    justify(out, start, flags);
}

/// `%s` of a byte string: at most `precision` bytes, space-padded to the width.
pub fn fmt_s(out: &mut Vec<u8>, s: &[u8], precision: Option<usize>, flags: Flags) {
    let start = out.len();
    let n = precision.map_or(s.len(), |p| p.min(s.len()));
    out.extend_from_slice(&s[..n]);
    justify(out, start, flags);
}

/// Space-pads the text `out[start..]` to `flags.width` (on the right if
/// `flags.left`), as `%s` and `%c` do.
pub fn justify(out: &mut Vec<u8>, start: usize, flags: Flags) {
    pad(out, start, 0, flags, false);
}

/// `%e`: `[-]d.ddde±dd`, `precision` digits after the point (default 6).
pub fn fmt_e(out: &mut Vec<u8>, x: f64, precision: Option<usize>, flags: Flags) {
    if !x.is_finite() {
        return non_finite(out, x, flags);
    }
    let p = precision.unwrap_or(6);
    let start = out.len();
    let sign = push_sign(out, x.is_sign_negative(), flags);
    let body = out.len();
    let _ = write!(VecWriter(out), "{:.*e}", p, x.abs());
    let exp = take_exponent(out, body);
    if p == 0 && flags.alt {
        out.push(b'.');
    }
    push_exponent(out, exp, flags.upper);
    pad(out, start, sign, flags, true);
}

/// `%f`: `[-]ddd.ddd`, `precision` digits after the point (default 6).
pub fn fmt_f(out: &mut Vec<u8>, x: f64, precision: Option<usize>, flags: Flags) {
    if !x.is_finite() {
        return non_finite(out, x, flags);
    }
    let p = precision.unwrap_or(6);
    let start = out.len();
    let sign = push_sign(out, x.is_sign_negative(), flags);
    let _ = write!(VecWriter(out), "{:.*}", p, x.abs());
    if p == 0 && flags.alt {
        out.push(b'.');
    }
    pad(out, start, sign, flags, true);
}

/// `%g`: `precision` significant digits (default 6, 0 means 1) in the style
/// of `%f` if the decimal exponent X satisfies -4 <= X < precision, else of
/// `%e`; trailing zeros and a trailing point are removed unless `#`.
pub fn fmt_g(out: &mut Vec<u8>, x: f64, precision: Option<usize>, flags: Flags) {
    if !x.is_finite() {
        return non_finite(out, x, flags);
    }
    let p = match precision {
        None => 6,
        Some(0) => 1,
        Some(p) => p,
    };
    let start = out.len();
    let sign = push_sign(out, x.is_sign_negative(), flags);
    let body = out.len();
    // `p` significant digits: "d" or "d.ddd", then the exponent.
    let _ = write!(VecWriter(out), "{:.*e}", p - 1, x.abs());
    let exp = take_exponent(out, body);
    let fixed = exp >= -4 && (exp < 0 || (exp as usize) < p);
    if fixed {
        if exp >= 0 {
            // Move the point right past `exp` more digits (there are p-1 > exp of them).
            let e = exp as usize;
            if p > 1 {
                out[body + 1..=body + 1 + e].rotate_left(1);
            }
        } else {
            if p > 1 {
                out.remove(body + 1);
            }
            let zeros = (-exp - 1) as usize;
            let lead = b"0."
                .iter()
                .copied()
                .chain(std::iter::repeat_n(b'0', zeros));
            out.splice(body..body, lead);
        }
        if !flags.alt {
            strip_fraction_zeros(out, body);
        } else if !out[body..].contains(&b'.') {
            out.push(b'.');
        }
    } else {
        if !flags.alt {
            strip_fraction_zeros(out, body);
        } else if p == 1 {
            out.push(b'.');
        } else if exp >= 0 && exp as usize == p && exact_exponent(out, x) == exp - 1 {
            // glibc quirk: when rounding carries a value that chose the `%f`
            // style (exponent p-1) over to exponent p, it prints the `%e`
            // style with the `%f` style's zero fraction digits: `%#g` of
            // 999999.5 is "1.e+06", not "1.00000e+06".
            out.truncate(body + 2);
        }
        push_exponent(out, exp, flags.upper);
    }
    pad(out, start, sign, flags, true);
}

/// `%a`: hexadecimal float as glibc prints it: `0x1.hhhp±d` for normal
/// numbers, `0x0.hhhp-1022` for subnormals, `0x0p+0` for zero. Without a
/// precision all significant hex digits are printed; with one, the value is
/// rounded to nearest, ties to even, and a carry shows in the leading digit
/// (`%.0a` of 1.5 is `0x2p+0`).
pub fn fmt_a(out: &mut Vec<u8>, x: f64, precision: Option<usize>, flags: Flags) {
    if !x.is_finite() {
        return non_finite(out, x, flags);
    }
    const MANT_DIGITS: usize = 13; // 52 bits of fraction
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let mut frac = bits & ((1u64 << 52) - 1);
    let (mut lead, exp) = match (biased, frac) {
        (0, 0) => (0u64, 0),
        (0, _) => (0, -1022),
        _ => (1, biased - 1023),
    };
    let ndigits = match precision {
        Some(p) if p < MANT_DIGITS => {
            // Round lead.frac to p hex digits, ties to even.
            let drop = 4 * (MANT_DIGITS - p) as u32;
            let value = (lead << 52) | frac;
            let rem = value & ((1u64 << drop) - 1);
            let half = 1u64 << (drop - 1);
            let mut kept = value >> drop;
            if rem > half || (rem == half && kept & 1 == 1) {
                kept += 1;
            }
            let shift = 4 * p as u32;
            lead = kept >> shift;
            frac = (kept & ((1u64 << shift) - 1)) << drop;
            p
        }
        Some(p) => p,
        None => MANT_DIGITS - (frac.trailing_zeros() as usize / 4).min(MANT_DIGITS),
    };
    let start = out.len();
    let mut prefix = push_sign(out, x.is_sign_negative(), flags);
    out.extend_from_slice(if flags.upper { b"0X" } else { b"0x" });
    prefix += 2;
    out.push(hex_digit(lead as u32, flags.upper));
    if ndigits > 0 || flags.alt {
        out.push(b'.');
    }
    for k in 0..ndigits.min(MANT_DIGITS) {
        let nibble = (frac >> (48 - 4 * k)) & 0xf;
        out.push(hex_digit(nibble as u32, flags.upper));
    }
    if ndigits > MANT_DIGITS {
        out.resize(out.len() + (ndigits - MANT_DIGITS), b'0');
    }
    out.push(if flags.upper { b'P' } else { b'p' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    lua_integer_to_str(i64::from(exp.unsigned_abs()), out);
    pad(out, start, prefix, flags, true);
}

/// `fmt::Write` onto the end of a byte vector.
struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn hex_digit(d: u32, upper: bool) -> u8 {
    let c = b"0123456789abcdef"[(d & 0xf) as usize];
    if upper {
        c.to_ascii_uppercase()
    } else {
        c
    }
}

/// Writes the digits of `u` in `radix` at the end of `buf`; returns how many.
fn digits_of(mut u: u64, radix: u64, upper: bool, buf: &mut [u8; 22]) -> usize {
    let mut n = 0;
    loop {
        n += 1;
        buf[buf.len() - n] = hex_digit((u % radix) as u32, upper);
        u /= radix;
        if u == 0 || n == buf.len() {
            return n;
        }
    }
}

/// Appends the digits of an integer conversion: at least `precision` digits
/// (none at all for a zero value with precision 0), and with `octal_alt` a
/// leading `0` if the result would not start with one.
fn push_int_digits(
    out: &mut Vec<u8>,
    u: u64,
    radix: u64,
    upper: bool,
    precision: Option<usize>,
    octal_alt: bool,
) {
    let mut buf = [0u8; 22];
    let n = if u == 0 && precision == Some(0) {
        0
    } else {
        digits_of(u, radix, upper, &mut buf)
    };
    let digits = &buf[buf.len() - n..];
    let mut zeros = precision.map_or(0, |p| p.saturating_sub(n));
    if octal_alt && zeros == 0 && digits.first() != Some(&b'0') {
        zeros = 1;
    }
    out.resize(out.len() + zeros, b'0');
    out.extend_from_slice(digits);
}

/// Pushes the sign a signed conversion prints; returns its length (0 or 1).
fn push_sign(out: &mut Vec<u8>, negative: bool, flags: Flags) -> usize {
    let c = if negative {
        b'-'
    } else if flags.plus {
        b'+'
    } else if flags.space {
        b' '
    } else {
        return 0;
    };
    out.push(c);
    1
}

/// Pads the item `out[start..]` to the width: spaces on the right with `-`,
/// zeros after its first `prefix` bytes (sign, `0x`) with `0` when
/// `zero_ok`, else spaces on the left.
fn pad(out: &mut Vec<u8>, start: usize, prefix: usize, flags: Flags, zero_ok: bool) {
    let len = out.len().saturating_sub(start);
    if len >= flags.width {
        return;
    }
    let n = flags.width - len;
    if flags.left {
        out.resize(out.len() + n, b' ');
    } else if flags.zero && zero_ok {
        let at = (start + prefix).min(out.len());
        out.splice(at..at, std::iter::repeat_n(b'0', n));
    } else {
        out.splice(start..start, std::iter::repeat_n(b' ', n));
    }
}

fn non_finite(out: &mut Vec<u8>, x: f64, flags: Flags) {
    let start = out.len();
    push_sign(out, x.is_sign_negative(), flags);
    let text: &[u8] = match (x.is_nan(), flags.upper) {
        (true, false) => b"nan",
        (true, true) => b"NAN",
        (false, false) => b"inf",
        (false, true) => b"INF",
    };
    out.extend_from_slice(text);
    pad(out, start, 0, flags, false);
}

/// Removes Rust's exponent suffix `e<int>` from `out[body..]`, returning it.
fn take_exponent(out: &mut Vec<u8>, body: usize) -> i32 {
    let Some(at) = out[body..].iter().rposition(|&c| c == b'e') else {
        return 0;
    };
    let at = body + at;
    let mut exp: i32 = 0;
    let mut negative = false;
    for &c in &out[at + 1..] {
        match c {
            b'-' => negative = true,
            b'0'..=b'9' => exp = exp.saturating_mul(10).saturating_add(i32::from(c - b'0')),
            _ => {}
        }
    }
    out.truncate(at);
    if negative {
        -exp
    } else {
        exp
    }
}

/// The decimal exponent of the exact value of finite `x` (floor of log10 |x|;
/// 0 for zero). Slow: only for the rare carry case of `fmt_g`.
fn exact_exponent(out: &mut Vec<u8>, x: f64) -> i32 {
    // 767 significant digits are enough for every double's exact expansion.
    let start = out.len();
    let _ = write!(VecWriter(out), "{:.780e}", x.abs());
    let exp = take_exponent(out, start);
    out.truncate(start);
    exp
}

/// Appends C's exponent: `e`, a sign, and at least two digits.
fn push_exponent(out: &mut Vec<u8>, exp: i32, upper: bool) {
    out.push(if upper { b'E' } else { b'e' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    if exp.unsigned_abs() < 10 {
        out.push(b'0');
    }
    lua_integer_to_str(i64::from(exp.unsigned_abs()), out);
}

/// If `out[body..]` has a point, removes trailing zeros and then a trailing point.
fn strip_fraction_zeros(out: &mut Vec<u8>, body: usize) {
    if out[body..].contains(&b'.') {
        while out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            out.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Formats one value with a C conversion specification such as `%-+08.3e`.
    fn spec_format(spec: &str, float: Option<f64>, int: i64) -> Vec<u8> {
        let b = spec.as_bytes();
        let mut i = 1; // skip '%'
        let mut flags = Flags::default();
        while i < b.len() && flags.set(b[i]) {
            i += 1;
        }
        while i < b.len() && b[i].is_ascii_digit() {
            flags.width = flags.width * 10 + usize::from(b[i] - b'0');
            i += 1;
        }
        let mut precision = None;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let mut p = 0;
            while i < b.len() && b[i].is_ascii_digit() {
                p = p * 10 + usize::from(b[i] - b'0');
                i += 1;
            }
            precision = Some(p);
        }
        let conv = b[i];
        let mut out = b"<".to_vec();
        let ok = match float {
            Some(x) => fmt_float(&mut out, conv, x, precision, flags),
            None => fmt_int(&mut out, conv, int, precision, flags),
        };
        assert!(ok, "bad spec {spec}");
        out.drain(..1);
        out
    }

    fn show(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }

    // Generated with lua5.3 `string.format` (glibc printf) and `tostring`.
    const FLOAT_SPECS: &[&str] = &[
        "%e", "%.0e", "%.3e", "%#.0e", "%E", "%f", "%.0f", "%.2f", "%#.0f", "%.20f", "%g", "%.0g",
        "%.1g", "%.3g", "%.10g", "%.17g", "%#g", "%#.3g", "%G", "%a", "%A", "%.0a", "%.1a", "%.3a",
        "%.15a", "%#a", "%+e", "% f", "%+.3g", "%012.3e", "%-12.3f", "%12g", "%-+10.2e", "%010a",
        "%.14g", "%#.0g", "% 08.2f", "%-8G",
    ];
    const FLOAT_CASES: &[(u64, &[&str])] = &[
        (0x0000000000000000, &["0.000000e+00", "0e+00", "0.000e+00", "0.e+00", "0.000000E+00", "0.000000", "0", "0.00", "0.", "0.00000000000000000000", "0", "0", "0", "0", "0", "0", "0.00000", "0.00", "0", "0x0p+0", "0X0P+0", "0x0p+0", "0x0.0p+0", "0x0.000p+0", "0x0.000000000000000p+0", "0x0.p+0", "+0.000000e+00", " 0.000000", "+0", "0000.000e+00", "0.000       ", "           0", "+0.00e+00 ", "0x00000p+0", "0", "0.", " 0000.00", "0       "]),
        (0x8000000000000000, &["-0.000000e+00", "-0e+00", "-0.000e+00", "-0.e+00", "-0.000000E+00", "-0.000000", "-0", "-0.00", "-0.", "-0.00000000000000000000", "-0", "-0", "-0", "-0", "-0", "-0", "-0.00000", "-0.00", "-0", "-0x0p+0", "-0X0P+0", "-0x0p+0", "-0x0.0p+0", "-0x0.000p+0", "-0x0.000000000000000p+0", "-0x0.p+0", "-0.000000e+00", "-0.000000", "-0", "-000.000e+00", "-0.000      ", "          -0", "-0.00e+00 ", "-0x0000p+0", "-0", "-0.", "-0000.00", "-0      "]),
        (0x3ff0000000000000, &["1.000000e+00", "1e+00", "1.000e+00", "1.e+00", "1.000000E+00", "1.000000", "1", "1.00", "1.", "1.00000000000000000000", "1", "1", "1", "1", "1", "1", "1.00000", "1.00", "1", "0x1p+0", "0X1P+0", "0x1p+0", "0x1.0p+0", "0x1.000p+0", "0x1.000000000000000p+0", "0x1.p+0", "+1.000000e+00", " 1.000000", "+1", "0001.000e+00", "1.000       ", "           1", "+1.00e+00 ", "0x00001p+0", "1", "1.", " 0001.00", "1       "]),
        (0xbff0000000000000, &["-1.000000e+00", "-1e+00", "-1.000e+00", "-1.e+00", "-1.000000E+00", "-1.000000", "-1", "-1.00", "-1.", "-1.00000000000000000000", "-1", "-1", "-1", "-1", "-1", "-1", "-1.00000", "-1.00", "-1", "-0x1p+0", "-0X1P+0", "-0x1p+0", "-0x1.0p+0", "-0x1.000p+0", "-0x1.000000000000000p+0", "-0x1.p+0", "-1.000000e+00", "-1.000000", "-1", "-001.000e+00", "-1.000      ", "          -1", "-1.00e+00 ", "-0x0001p+0", "-1", "-1.", "-0001.00", "-1      "]),
        (0x3fe0000000000000, &["5.000000e-01", "5e-01", "5.000e-01", "5.e-01", "5.000000E-01", "0.500000", "0", "0.50", "0.", "0.50000000000000000000", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.500000", "0.500", "0.5", "0x1p-1", "0X1P-1", "0x1p-1", "0x1.0p-1", "0x1.000p-1", "0x1.000000000000000p-1", "0x1.p-1", "+5.000000e-01", " 0.500000", "+0.5", "0005.000e-01", "0.500       ", "         0.5", "+5.00e-01 ", "0x00001p-1", "0.5", "0.5", " 0000.50", "0.5     "]),
        (0x3ff8000000000000, &["1.500000e+00", "2e+00", "1.500e+00", "2.e+00", "1.500000E+00", "1.500000", "2", "1.50", "2.", "1.50000000000000000000", "1.5", "2", "2", "1.5", "1.5", "1.5", "1.50000", "1.50", "1.5", "0x1.8p+0", "0X1.8P+0", "0x2p+0", "0x1.8p+0", "0x1.800p+0", "0x1.800000000000000p+0", "0x1.8p+0", "+1.500000e+00", " 1.500000", "+1.5", "0001.500e+00", "1.500       ", "         1.5", "+1.50e+00 ", "0x001.8p+0", "1.5", "2.", " 0001.50", "1.5     "]),
        (0x4004000000000000, &["2.500000e+00", "2e+00", "2.500e+00", "2.e+00", "2.500000E+00", "2.500000", "2", "2.50", "2.", "2.50000000000000000000", "2.5", "2", "2", "2.5", "2.5", "2.5", "2.50000", "2.50", "2.5", "0x1.4p+1", "0X1.4P+1", "0x1p+1", "0x1.4p+1", "0x1.400p+1", "0x1.400000000000000p+1", "0x1.4p+1", "+2.500000e+00", " 2.500000", "+2.5", "0002.500e+00", "2.500       ", "         2.5", "+2.50e+00 ", "0x001.4p+1", "2.5", "2.", " 0002.50", "2.5     "]),
        (0x3fc0000000000000, &["1.250000e-01", "1e-01", "1.250e-01", "1.e-01", "1.250000E-01", "0.125000", "0", "0.12", "0.", "0.12500000000000000000", "0.125", "0.1", "0.1", "0.125", "0.125", "0.125", "0.125000", "0.125", "0.125", "0x1p-3", "0X1P-3", "0x1p-3", "0x1.0p-3", "0x1.000p-3", "0x1.000000000000000p-3", "0x1.p-3", "+1.250000e-01", " 0.125000", "+0.125", "0001.250e-01", "0.125       ", "       0.125", "+1.25e-01 ", "0x00001p-3", "0.125", "0.1", " 0000.12", "0.125   "]),
        (0x3fb999999999999a, &["1.000000e-01", "1e-01", "1.000e-01", "1.e-01", "1.000000E-01", "0.100000", "0", "0.10", "0.", "0.10000000000000000555", "0.1", "0.1", "0.1", "0.1", "0.1", "0.10000000000000001", "0.100000", "0.100", "0.1", "0x1.999999999999ap-4", "0X1.999999999999AP-4", "0x2p-4", "0x1.ap-4", "0x1.99ap-4", "0x1.999999999999a00p-4", "0x1.999999999999ap-4", "+1.000000e-01", " 0.100000", "+0.1", "0001.000e-01", "0.100       ", "         0.1", "+1.00e-01 ", "0x1.999999999999ap-4", "0.1", "0.1", " 0000.10", "0.1     "]),
        (0x3fd5555555555555, &["3.333333e-01", "3e-01", "3.333e-01", "3.e-01", "3.333333E-01", "0.333333", "0", "0.33", "0.", "0.33333333333333331483", "0.333333", "0.3", "0.3", "0.333", "0.3333333333", "0.33333333333333331", "0.333333", "0.333", "0.333333", "0x1.5555555555555p-2", "0X1.5555555555555P-2", "0x1p-2", "0x1.5p-2", "0x1.555p-2", "0x1.555555555555500p-2", "0x1.5555555555555p-2", "+3.333333e-01", " 0.333333", "+0.333", "0003.333e-01", "0.333       ", "    0.333333", "+3.33e-01 ", "0x1.5555555555555p-2", "0.33333333333333", "0.3", " 0000.33", "0.333333"]),
        (0xbfe5555555555555, &["-6.666667e-01", "-7e-01", "-6.667e-01", "-7.e-01", "-6.666667E-01", "-0.666667", "-1", "-0.67", "-1.", "-0.66666666666666662966", "-0.666667", "-0.7", "-0.7", "-0.667", "-0.6666666667", "-0.66666666666666663", "-0.666667", "-0.667", "-0.666667", "-0x1.5555555555555p-1", "-0X1.5555555555555P-1", "-0x1p-1", "-0x1.5p-1", "-0x1.555p-1", "-0x1.555555555555500p-1", "-0x1.5555555555555p-1", "-6.666667e-01", "-0.666667", "-0.667", "-006.667e-01", "-0.667      ", "   -0.666667", "-6.67e-01 ", "-0x1.5555555555555p-1", "-0.66666666666667", "-0.7", "-0000.67", "-0.666667"]),
        (0x4059000000000000, &["1.000000e+02", "1e+02", "1.000e+02", "1.e+02", "1.000000E+02", "100.000000", "100", "100.00", "100.", "100.00000000000000000000", "100", "1e+02", "1e+02", "100", "100", "100", "100.000", "100.", "100", "0x1.9p+6", "0X1.9P+6", "0x2p+6", "0x1.9p+6", "0x1.900p+6", "0x1.900000000000000p+6", "0x1.9p+6", "+1.000000e+02", " 100.000000", "+100", "0001.000e+02", "100.000     ", "         100", "+1.00e+02 ", "0x001.9p+6", "100", "1.e+02", " 0100.00", "100     "]),
        (0x3ee4f8b588e368f1, &["1.000000e-05", "1e-05", "1.000e-05", "1.e-05", "1.000000E-05", "0.000010", "0", "0.00", "0.", "0.00001000000000000000", "1e-05", "1e-05", "1e-05", "1e-05", "1e-05", "1.0000000000000001e-05", "1.00000e-05", "1.00e-05", "1E-05", "0x1.4f8b588e368f1p-17", "0X1.4F8B588E368F1P-17", "0x1p-17", "0x1.5p-17", "0x1.4f9p-17", "0x1.4f8b588e368f100p-17", "0x1.4f8b588e368f1p-17", "+1.000000e-05", " 0.000010", "+1e-05", "0001.000e-05", "0.000       ", "       1e-05", "+1.00e-05 ", "0x1.4f8b588e368f1p-17", "1e-05", "1.e-05", " 0000.00", "1E-05   "]),
        (0x3eef75104d551d69, &["1.500000e-05", "2e-05", "1.500e-05", "2.e-05", "1.500000E-05", "0.000015", "0", "0.00", "0.", "0.00001500000000000000", "1.5e-05", "2e-05", "2e-05", "1.5e-05", "1.5e-05", "1.5e-05", "1.50000e-05", "1.50e-05", "1.5E-05", "0x1.f75104d551d69p-17", "0X1.F75104D551D69P-17", "0x2p-17", "0x1.fp-17", "0x1.f75p-17", "0x1.f75104d551d6900p-17", "0x1.f75104d551d69p-17", "+1.500000e-05", " 0.000015", "+1.5e-05", "0001.500e-05", "0.000       ", "     1.5e-05", "+1.50e-05 ", "0x1.f75104d551d69p-17", "1.5e-05", "2.e-05", " 0000.00", "1.5E-05 "]),
        (0x419d6f3454000000, &["1.234568e+08", "1e+08", "1.235e+08", "1.e+08", "1.234568E+08", "123456789.000000", "123456789", "123456789.00", "123456789.", "123456789.00000000000000000000", "1.23457e+08", "1e+08", "1e+08", "1.23e+08", "123456789", "123456789", "1.23457e+08", "1.23e+08", "1.23457E+08", "0x1.d6f3454p+26", "0X1.D6F3454P+26", "0x2p+26", "0x1.dp+26", "0x1.d6fp+26", "0x1.d6f345400000000p+26", "0x1.d6f3454p+26", "+1.234568e+08", " 123456789.000000", "+1.23e+08", "0001.235e+08", "123456789.000", " 1.23457e+08", "+1.23e+08 ", "0x1.d6f3454p+26", "123456789", "1.e+08", " 123456789.00", "1.23457E+08"]),
        (0x430c6bf526340000, &["1.000000e+15", "1e+15", "1.000e+15", "1.e+15", "1.000000E+15", "1000000000000000.000000", "1000000000000000", "1000000000000000.00", "1000000000000000.", "1000000000000000.00000000000000000000", "1e+15", "1e+15", "1e+15", "1e+15", "1e+15", "1000000000000000", "1.00000e+15", "1.00e+15", "1E+15", "0x1.c6bf52634p+49", "0X1.C6BF52634P+49", "0x2p+49", "0x1.cp+49", "0x1.c6cp+49", "0x1.c6bf52634000000p+49", "0x1.c6bf52634p+49", "+1.000000e+15", " 1000000000000000.000000", "+1e+15", "0001.000e+15", "1000000000000000.000", "       1e+15", "+1.00e+15 ", "0x1.c6bf52634p+49", "1e+15", "1.e+15", " 1000000000000000.00", "1E+15   "]),
        (0x4341c37937e08000, &["1.000000e+16", "1e+16", "1.000e+16", "1.e+16", "1.000000E+16", "10000000000000000.000000", "10000000000000000", "10000000000000000.00", "10000000000000000.", "10000000000000000.00000000000000000000", "1e+16", "1e+16", "1e+16", "1e+16", "1e+16", "10000000000000000", "1.00000e+16", "1.00e+16", "1E+16", "0x1.1c37937e08p+53", "0X1.1C37937E08P+53", "0x1p+53", "0x1.2p+53", "0x1.1c3p+53", "0x1.1c37937e0800000p+53", "0x1.1c37937e08p+53", "+1.000000e+16", " 10000000000000000.000000", "+1e+16", "0001.000e+16", "10000000000000000.000", "       1e+16", "+1.00e+16 ", "0x1.1c37937e08p+53", "1e+16", "1.e+16", " 10000000000000000.00", "1E+16   "]),
        (0x4340000000000000, &["9.007199e+15", "9e+15", "9.007e+15", "9.e+15", "9.007199E+15", "9007199254740992.000000", "9007199254740992", "9007199254740992.00", "9007199254740992.", "9007199254740992.00000000000000000000", "9.0072e+15", "9e+15", "9e+15", "9.01e+15", "9.007199255e+15", "9007199254740992", "9.00720e+15", "9.01e+15", "9.0072E+15", "0x1p+53", "0X1P+53", "0x1p+53", "0x1.0p+53", "0x1.000p+53", "0x1.000000000000000p+53", "0x1.p+53", "+9.007199e+15", " 9007199254740992.000000", "+9.01e+15", "0009.007e+15", "9007199254740992.000", "  9.0072e+15", "+9.01e+15 ", "0x0001p+53", "9.007199254741e+15", "9.e+15", " 9007199254740992.00", "9.0072E+15"]),
        (0x43e0000000000000, &["9.223372e+18", "9e+18", "9.223e+18", "9.e+18", "9.223372E+18", "9223372036854775808.000000", "9223372036854775808", "9223372036854775808.00", "9223372036854775808.", "9223372036854775808.00000000000000000000", "9.22337e+18", "9e+18", "9e+18", "9.22e+18", "9.223372037e+18", "9.2233720368547758e+18", "9.22337e+18", "9.22e+18", "9.22337E+18", "0x1p+63", "0X1P+63", "0x1p+63", "0x1.0p+63", "0x1.000p+63", "0x1.000000000000000p+63", "0x1.p+63", "+9.223372e+18", " 9223372036854775808.000000", "+9.22e+18", "0009.223e+18", "9223372036854775808.000", " 9.22337e+18", "+9.22e+18 ", "0x0001p+63", "9.2233720368548e+18", "9.e+18", " 9223372036854775808.00", "9.22337E+18"]),
        (0x54b249ad2594c37d, &["1.000000e+100", "1e+100", "1.000e+100", "1.e+100", "1.000000E+100", "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.000000", "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104", "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.00", "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.", "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.00000000000000000000", "1e+100", "1e+100", "1e+100", "1e+100", "1e+100", "1e+100", "1.00000e+100", "1.00e+100", "1E+100", "0x1.249ad2594c37dp+332", "0X1.249AD2594C37DP+332", "0x1p+332", "0x1.2p+332", "0x1.24ap+332", "0x1.249ad2594c37d00p+332", "0x1.249ad2594c37dp+332", "+1.000000e+100", " 10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.000000", "+1e+100", "001.000e+100", "10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.000", "      1e+100", "+1.00e+100", "0x1.249ad2594c37dp+332", "1e+100", "1.e+100", " 10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104.00", "1E+100  "]),
        (0x7e37e43c8800759c, &["1.000000e+300", "1e+300", "1.000e+300", "1.e+300", "1.000000E+300", "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000", "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160", "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.00", "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.", "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.00000000000000000000", "1e+300", "1e+300", "1e+300", "1e+300", "1e+300", "1.0000000000000001e+300", "1.00000e+300", "1.00e+300", "1E+300", "0x1.7e43c8800759cp+996", "0X1.7E43C8800759CP+996", "0x1p+996", "0x1.8p+996", "0x1.7e4p+996", "0x1.7e43c8800759c00p+996", "0x1.7e43c8800759cp+996", "+1.000000e+300", " 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000", "+1e+300", "001.000e+300", "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000", "      1e+300", "+1.00e+300", "0x1.7e43c8800759cp+996", "1e+300", "1.e+300", " 1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.00", "1E+300  "]),
        (0x7fefffffffffffff, &["1.797693e+308", "2e+308", "1.798e+308", "2.e+308", "1.797693E+308", "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000", "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368", "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00", "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.", "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00000000000000000000", "1.79769e+308", "2e+308", "2e+308", "1.8e+308", "1.797693135e+308", "1.7976931348623157e+308", "1.79769e+308", "1.80e+308", "1.79769E+308", "0x1.fffffffffffffp+1023", "0X1.FFFFFFFFFFFFFP+1023", "0x2p+1023", "0x2.0p+1023", "0x2.000p+1023", "0x1.fffffffffffff00p+1023", "0x1.fffffffffffffp+1023", "+1.797693e+308", " 179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000", "+1.8e+308", "001.798e+308", "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000", "1.79769e+308", "+1.80e+308", "0x1.fffffffffffffp+1023", "1.7976931348623e+308", "2.e+308", " 179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00", "1.79769E+308"]),
        (0x0010000000000000, &["2.225074e-308", "2e-308", "2.225e-308", "2.e-308", "2.225074E-308", "0.000000", "0", "0.00", "0.", "0.00000000000000000000", "2.22507e-308", "2e-308", "2e-308", "2.23e-308", "2.225073859e-308", "2.2250738585072014e-308", "2.22507e-308", "2.23e-308", "2.22507E-308", "0x1p-1022", "0X1P-1022", "0x1p-1022", "0x1.0p-1022", "0x1.000p-1022", "0x1.000000000000000p-1022", "0x1.p-1022", "+2.225074e-308", " 0.000000", "+2.23e-308", "002.225e-308", "0.000       ", "2.22507e-308", "+2.23e-308", "0x01p-1022", "2.2250738585072e-308", "2.e-308", " 0000.00", "2.22507E-308"]),
        (0x0000000000000001, &["4.940656e-324", "5e-324", "4.941e-324", "5.e-324", "4.940656E-324", "0.000000", "0", "0.00", "0.", "0.00000000000000000000", "4.94066e-324", "5e-324", "5e-324", "4.94e-324", "4.940656458e-324", "4.9406564584124654e-324", "4.94066e-324", "4.94e-324", "4.94066E-324", "0x0.0000000000001p-1022", "0X0.0000000000001P-1022", "0x0p-1022", "0x0.0p-1022", "0x0.000p-1022", "0x0.000000000000100p-1022", "0x0.0000000000001p-1022", "+4.940656e-324", " 0.000000", "+4.94e-324", "004.941e-324", "0.000       ", "4.94066e-324", "+4.94e-324", "0x0.0000000000001p-1022", "4.9406564584125e-324", "5.e-324", " 0000.00", "4.94066E-324"]),
        (0x000012688b70e62b, &["1.000000e-310", "1e-310", "1.000e-310", "1.e-310", "1.000000E-310", "0.000000", "0", "0.00", "0.", "0.00000000000000000000", "1e-310", "1e-310", "1e-310", "1e-310", "1e-310", "9.9999999999999694e-311", "1.00000e-310", "1.00e-310", "1E-310", "0x0.012688b70e62bp-1022", "0X0.012688B70E62BP-1022", "0x0p-1022", "0x0.0p-1022", "0x0.012p-1022", "0x0.012688b70e62b00p-1022", "0x0.012688b70e62bp-1022", "+1.000000e-310", " 0.000000", "+1e-310", "001.000e-310", "0.000       ", "      1e-310", "+1.00e-310", "0x0.012688b70e62bp-1022", "1e-310", "1.e-310", " 0000.00", "1E-310  "]),
        (0x3fa999999999999a, &["5.000000e-02", "5e-02", "5.000e-02", "5.e-02", "5.000000E-02", "0.050000", "0", "0.05", "0.", "0.05000000000000000278", "0.05", "0.05", "0.05", "0.05", "0.05", "0.050000000000000003", "0.0500000", "0.0500", "0.05", "0x1.999999999999ap-5", "0X1.999999999999AP-5", "0x2p-5", "0x1.ap-5", "0x1.99ap-5", "0x1.999999999999a00p-5", "0x1.999999999999ap-5", "+5.000000e-02", " 0.050000", "+0.05", "0005.000e-02", "0.050       ", "        0.05", "+5.00e-02 ", "0x1.999999999999ap-5", "0.05", "0.05", " 0000.05", "0.05    "]),
        (0x3fc3333333333333, &["1.500000e-01", "1e-01", "1.500e-01", "1.e-01", "1.500000E-01", "0.150000", "0", "0.15", "0.", "0.14999999999999999445", "0.15", "0.1", "0.1", "0.15", "0.15", "0.14999999999999999", "0.150000", "0.150", "0.15", "0x1.3333333333333p-3", "0X1.3333333333333P-3", "0x1p-3", "0x1.3p-3", "0x1.333p-3", "0x1.333333333333300p-3", "0x1.3333333333333p-3", "+1.500000e-01", " 0.150000", "+0.15", "0001.500e-01", "0.150       ", "        0.15", "+1.50e-01 ", "0x1.3333333333333p-3", "0.15", "0.1", " 0000.15", "0.15    "]),
        (0x3fd0000000000000, &["2.500000e-01", "2e-01", "2.500e-01", "2.e-01", "2.500000E-01", "0.250000", "0", "0.25", "0.", "0.25000000000000000000", "0.25", "0.2", "0.2", "0.25", "0.25", "0.25", "0.250000", "0.250", "0.25", "0x1p-2", "0X1P-2", "0x1p-2", "0x1.0p-2", "0x1.000p-2", "0x1.000000000000000p-2", "0x1.p-2", "+2.500000e-01", " 0.250000", "+0.25", "0002.500e-01", "0.250       ", "        0.25", "+2.50e-01 ", "0x00001p-2", "0.25", "0.2", " 0000.25", "0.25    "]),
        (0x3fd6666666666666, &["3.500000e-01", "3e-01", "3.500e-01", "3.e-01", "3.500000E-01", "0.350000", "0", "0.35", "0.", "0.34999999999999997780", "0.35", "0.3", "0.3", "0.35", "0.35", "0.34999999999999998", "0.350000", "0.350", "0.35", "0x1.6666666666666p-2", "0X1.6666666666666P-2", "0x1p-2", "0x1.6p-2", "0x1.666p-2", "0x1.666666666666600p-2", "0x1.6666666666666p-2", "+3.500000e-01", " 0.350000", "+0.35", "0003.500e-01", "0.350       ", "        0.35", "+3.50e-01 ", "0x1.6666666666666p-2", "0.35", "0.3", " 0000.35", "0.35    "]),
        (0x4023000000000000, &["9.500000e+00", "1e+01", "9.500e+00", "1.e+01", "9.500000E+00", "9.500000", "10", "9.50", "10.", "9.50000000000000000000", "9.5", "1e+01", "1e+01", "9.5", "9.5", "9.5", "9.50000", "9.50", "9.5", "0x1.3p+3", "0X1.3P+3", "0x1p+3", "0x1.3p+3", "0x1.300p+3", "0x1.300000000000000p+3", "0x1.3p+3", "+9.500000e+00", " 9.500000", "+9.5", "0009.500e+00", "9.500       ", "         9.5", "+9.50e+00 ", "0x001.3p+3", "9.5", "1.e+01", " 0009.50", "9.5     "]),
        (0x4058e00000000000, &["9.950000e+01", "1e+02", "9.950e+01", "1.e+02", "9.950000E+01", "99.500000", "100", "99.50", "100.", "99.50000000000000000000", "99.5", "1e+02", "1e+02", "99.5", "99.5", "99.5", "99.5000", "99.5", "99.5", "0x1.8ep+6", "0X1.8EP+6", "0x2p+6", "0x1.9p+6", "0x1.8e0p+6", "0x1.8e0000000000000p+6", "0x1.8ep+6", "+9.950000e+01", " 99.500000", "+99.5", "0009.950e+01", "99.500      ", "        99.5", "+9.95e+01 ", "0x01.8ep+6", "99.5", "1.e+02", " 0099.50", "99.5    "]),
        (0x412e847f00000000, &["9.999995e+05", "1e+06", "1.000e+06", "1.e+06", "9.999995E+05", "999999.500000", "1000000", "999999.50", "1000000.", "999999.50000000000000000000", "1e+06", "1e+06", "1e+06", "1e+06", "999999.5", "999999.5", "1.e+06", "1.00e+06", "1E+06", "0x1.e847fp+19", "0X1.E847FP+19", "0x2p+19", "0x1.fp+19", "0x1.e84p+19", "0x1.e847f0000000000p+19", "0x1.e847fp+19", "+9.999995e+05", " 999999.500000", "+1e+06", "0001.000e+06", "999999.500  ", "       1e+06", "+1.00e+06 ", "0x1.e847fp+19", "999999.5", "1.e+06", " 999999.50", "1E+06   "]),
        (0x3f202e7ef70994dd, &["1.234560e-04", "1e-04", "1.235e-04", "1.e-04", "1.234560E-04", "0.000123", "0", "0.00", "0.", "0.00012345600000000001", "0.000123456", "0.0001", "0.0001", "0.000123", "0.000123456", "0.00012345600000000001", "0.000123456", "0.000123", "0.000123456", "0x1.02e7ef70994ddp-13", "0X1.02E7EF70994DDP-13", "0x1p-13", "0x1.0p-13", "0x1.02ep-13", "0x1.02e7ef70994dd00p-13", "0x1.02e7ef70994ddp-13", "+1.234560e-04", " 0.000123", "+0.000123", "0001.235e-04", "0.000       ", " 0.000123456", "+1.23e-04 ", "0x1.02e7ef70994ddp-13", "0.000123456", "0.0001", " 0000.00", "0.000123456"]),
        (0x40fe240c9fbe76c9, &["1.234568e+05", "1e+05", "1.235e+05", "1.e+05", "1.234568E+05", "123456.789000", "123457", "123456.79", "123457.", "123456.78900000000430736691", "123457", "1e+05", "1e+05", "1.23e+05", "123456.789", "123456.789", "123457.", "1.23e+05", "123457", "0x1.e240c9fbe76c9p+16", "0X1.E240C9FBE76C9P+16", "0x2p+16", "0x1.ep+16", "0x1.e24p+16", "0x1.e240c9fbe76c900p+16", "0x1.e240c9fbe76c9p+16", "+1.234568e+05", " 123456.789000", "+1.23e+05", "0001.235e+05", "123456.789  ", "      123457", "+1.23e+05 ", "0x1.e240c9fbe76c9p+16", "123456.789", "1.e+05", " 123456.79", "123457  "]),
        (0x444b1ae4d6e2ef50, &["1.000000e+21", "1e+21", "1.000e+21", "1.e+21", "1.000000E+21", "1000000000000000000000.000000", "1000000000000000000000", "1000000000000000000000.00", "1000000000000000000000.", "1000000000000000000000.00000000000000000000", "1e+21", "1e+21", "1e+21", "1e+21", "1e+21", "1e+21", "1.00000e+21", "1.00e+21", "1E+21", "0x1.b1ae4d6e2ef5p+69", "0X1.B1AE4D6E2EF5P+69", "0x2p+69", "0x1.bp+69", "0x1.b1bp+69", "0x1.b1ae4d6e2ef5000p+69", "0x1.b1ae4d6e2ef5p+69", "+1.000000e+21", " 1000000000000000000000.000000", "+1e+21", "0001.000e+21", "1000000000000000000000.000", "       1e+21", "+1.00e+21 ", "0x1.b1ae4d6e2ef5p+69", "1e+21", "1.e+21", " 1000000000000000000000.00", "1E+21   "]),
        (0x3f0a36e2eb1c432d, &["5.000000e-05", "5e-05", "5.000e-05", "5.e-05", "5.000000E-05", "0.000050", "0", "0.00", "0.", "0.00005000000000000000", "5e-05", "5e-05", "5e-05", "5e-05", "5e-05", "5.0000000000000002e-05", "5.00000e-05", "5.00e-05", "5E-05", "0x1.a36e2eb1c432dp-15", "0X1.A36E2EB1C432DP-15", "0x2p-15", "0x1.ap-15", "0x1.a37p-15", "0x1.a36e2eb1c432d00p-15", "0x1.a36e2eb1c432dp-15", "+5.000000e-05", " 0.000050", "+5e-05", "0005.000e-05", "0.000       ", "       5e-05", "+5.00e-05 ", "0x1.a36e2eb1c432dp-15", "5e-05", "5.e-05", " 0000.00", "5E-05   "]),
        (0x3f1a36d1bd105b06, &["9.999900e-05", "1e-04", "1.000e-04", "1.e-04", "9.999900E-05", "0.000100", "0", "0.00", "0.", "0.00009999900000000000", "9.9999e-05", "0.0001", "0.0001", "0.0001", "9.9999e-05", "9.9999000000000003e-05", "9.99990e-05", "0.000100", "9.9999E-05", "0x1.a36d1bd105b06p-14", "0X1.A36D1BD105B06P-14", "0x2p-14", "0x1.ap-14", "0x1.a37p-14", "0x1.a36d1bd105b0600p-14", "0x1.a36d1bd105b06p-14", "+9.999900e-05", " 0.000100", "+0.0001", "0001.000e-04", "0.000       ", "  9.9999e-05", "+1.00e-04 ", "0x1.a36d1bd105b06p-14", "9.9999e-05", "0.0001", " 0000.00", "9.9999E-05"]),
        (0x3f1a36e2eb1c432d, &["1.000000e-04", "1e-04", "1.000e-04", "1.e-04", "1.000000E-04", "0.000100", "0", "0.00", "0.", "0.00010000000000000000", "0.0001", "0.0001", "0.0001", "0.0001", "0.0001", "0.0001", "0.000100000", "0.000100", "0.0001", "0x1.a36e2eb1c432dp-14", "0X1.A36E2EB1C432DP-14", "0x2p-14", "0x1.ap-14", "0x1.a37p-14", "0x1.a36e2eb1c432d00p-14", "0x1.a36e2eb1c432dp-14", "+1.000000e-04", " 0.000100", "+0.0001", "0001.000e-04", "0.000       ", "      0.0001", "+1.00e-04 ", "0x1.a36e2eb1c432dp-14", "0.0001", "0.0001", " 0000.00", "0.0001  "]),
        (0x7ff0000000000000, &["inf", "inf", "inf", "inf", "INF", "inf", "inf", "inf", "inf", "inf", "inf", "inf", "inf", "inf", "inf", "inf", "inf", "inf", "INF", "inf", "INF", "inf", "inf", "inf", "inf", "inf", "+inf", " inf", "+inf", "         inf", "inf         ", "         inf", "+inf      ", "       inf", "inf", "inf", "     inf", "INF     "]),
        (0xfff0000000000000, &["-inf", "-inf", "-inf", "-inf", "-INF", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-INF", "-inf", "-INF", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "-inf", "        -inf", "-inf        ", "        -inf", "-inf      ", "      -inf", "-inf", "-inf", "    -inf", "-INF    "]),
        (0xfff8000000000000, &["-nan", "-nan", "-nan", "-nan", "-NAN", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-NAN", "-nan", "-NAN", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "-nan", "        -nan", "-nan        ", "        -nan", "-nan      ", "      -nan", "-nan", "-nan", "    -nan", "-NAN    "]),
        (0x7ff8000000000000, &["nan", "nan", "nan", "nan", "NAN", "nan", "nan", "nan", "nan", "nan", "nan", "nan", "nan", "nan", "nan", "nan", "nan", "nan", "NAN", "nan", "NAN", "nan", "nan", "nan", "nan", "nan", "+nan", " nan", "+nan", "         nan", "nan         ", "         nan", "+nan      ", "       nan", "nan", "nan", "     nan", "NAN     "]),
        (0x400921f9f01b866e, &["3.141590e+00", "3e+00", "3.142e+00", "3.e+00", "3.141590E+00", "3.141590", "3", "3.14", "3.", "3.14158999999999988262", "3.14159", "3", "3", "3.14", "3.14159", "3.1415899999999999", "3.14159", "3.14", "3.14159", "0x1.921f9f01b866ep+1", "0X1.921F9F01B866EP+1", "0x2p+1", "0x1.9p+1", "0x1.922p+1", "0x1.921f9f01b866e00p+1", "0x1.921f9f01b866ep+1", "+3.141590e+00", " 3.141590", "+3.14", "0003.142e+00", "3.142       ", "     3.14159", "+3.14e+00 ", "0x1.921f9f01b866ep+1", "3.14159", "3.", " 0003.14", "3.14159 "]),
        (0xc005bf0a8b04919b, &["-2.718282e+00", "-3e+00", "-2.718e+00", "-3.e+00", "-2.718282E+00", "-2.718282", "-3", "-2.72", "-3.", "-2.71828182799999984454", "-2.71828", "-3", "-3", "-2.72", "-2.718281828", "-2.7182818279999998", "-2.71828", "-2.72", "-2.71828", "-0x1.5bf0a8b04919bp+1", "-0X1.5BF0A8B04919BP+1", "-0x1p+1", "-0x1.6p+1", "-0x1.5bfp+1", "-0x1.5bf0a8b04919b00p+1", "-0x1.5bf0a8b04919bp+1", "-2.718282e+00", "-2.718282", "-2.72", "-002.718e+00", "-2.718      ", "    -2.71828", "-2.72e+00 ", "-0x1.5bf0a8b04919bp+1", "-2.718281828", "-3.", "-0002.72", "-2.71828"]),
        (0x3e7ad7f29abcaf48, &["1.000000e-07", "1e-07", "1.000e-07", "1.e-07", "1.000000E-07", "0.000000", "0", "0.00", "0.", "0.00000010000000000000", "1e-07", "1e-07", "1e-07", "1e-07", "1e-07", "9.9999999999999995e-08", "1.00000e-07", "1.00e-07", "1E-07", "0x1.ad7f29abcaf48p-24", "0X1.AD7F29ABCAF48P-24", "0x2p-24", "0x1.bp-24", "0x1.ad8p-24", "0x1.ad7f29abcaf4800p-24", "0x1.ad7f29abcaf48p-24", "+1.000000e-07", " 0.000000", "+1e-07", "0001.000e-07", "0.000       ", "       1e-07", "+1.00e-07 ", "0x1.ad7f29abcaf48p-24", "1e-07", "1.e-07", " 0000.00", "1E-07   "]),
        (0x40f0000000000000, &["6.553600e+04", "7e+04", "6.554e+04", "7.e+04", "6.553600E+04", "65536.000000", "65536", "65536.00", "65536.", "65536.00000000000000000000", "65536", "7e+04", "7e+04", "6.55e+04", "65536", "65536", "65536.0", "6.55e+04", "65536", "0x1p+16", "0X1P+16", "0x1p+16", "0x1.0p+16", "0x1.000p+16", "0x1.000000000000000p+16", "0x1.p+16", "+6.553600e+04", " 65536.000000", "+6.55e+04", "0006.554e+04", "65536.000   ", "       65536", "+6.55e+04 ", "0x0001p+16", "65536", "7.e+04", " 65536.00", "65536   "]),
        (0x3fffffffffffffff, &["2.000000e+00", "2e+00", "2.000e+00", "2.e+00", "2.000000E+00", "2.000000", "2", "2.00", "2.", "1.99999999999999977796", "2", "2", "2", "2", "2", "1.9999999999999998", "2.00000", "2.00", "2", "0x1.fffffffffffffp+0", "0X1.FFFFFFFFFFFFFP+0", "0x2p+0", "0x2.0p+0", "0x2.000p+0", "0x1.fffffffffffff00p+0", "0x1.fffffffffffffp+0", "+2.000000e+00", " 2.000000", "+2", "0002.000e+00", "2.000       ", "           2", "+2.00e+00 ", "0x1.fffffffffffffp+0", "2", "2.", " 0002.00", "2       "]),
        (0x4480f0cf064dd592, &["1.000000e+22", "1e+22", "1.000e+22", "1.e+22", "1.000000E+22", "10000000000000000000000.000000", "10000000000000000000000", "10000000000000000000000.00", "10000000000000000000000.", "10000000000000000000000.00000000000000000000", "1e+22", "1e+22", "1e+22", "1e+22", "1e+22", "1e+22", "1.00000e+22", "1.00e+22", "1E+22", "0x1.0f0cf064dd592p+73", "0X1.0F0CF064DD592P+73", "0x1p+73", "0x1.1p+73", "0x1.0f1p+73", "0x1.0f0cf064dd59200p+73", "0x1.0f0cf064dd592p+73", "+1.000000e+22", " 10000000000000000000000.000000", "+1e+22", "0001.000e+22", "10000000000000000000000.000", "       1e+22", "+1.00e+22 ", "0x1.0f0cf064dd592p+73", "1e+22", "1.e+22", " 10000000000000000000000.00", "1E+22   "]),
        (0x4021000000000000, &["8.500000e+00", "8e+00", "8.500e+00", "8.e+00", "8.500000E+00", "8.500000", "8", "8.50", "8.", "8.50000000000000000000", "8.5", "8", "8", "8.5", "8.5", "8.5", "8.50000", "8.50", "8.5", "0x1.1p+3", "0X1.1P+3", "0x1p+3", "0x1.1p+3", "0x1.100p+3", "0x1.100000000000000p+3", "0x1.1p+3", "+8.500000e+00", " 8.500000", "+8.5", "0008.500e+00", "8.500       ", "         8.5", "+8.50e+00 ", "0x001.1p+3", "8.5", "8.", " 0008.50", "8.5     "]),
        (0x3fa70a3d70a3d70a, &["4.500000e-02", "4e-02", "4.500e-02", "4.e-02", "4.500000E-02", "0.045000", "0", "0.04", "0.", "0.04499999999999999833", "0.045", "0.04", "0.04", "0.045", "0.045", "0.044999999999999998", "0.0450000", "0.0450", "0.045", "0x1.70a3d70a3d70ap-5", "0X1.70A3D70A3D70AP-5", "0x1p-5", "0x1.7p-5", "0x1.70ap-5", "0x1.70a3d70a3d70a00p-5", "0x1.70a3d70a3d70ap-5", "+4.500000e-02", " 0.045000", "+0.045", "0004.500e-02", "0.045       ", "       0.045", "+4.50e-02 ", "0x1.70a3d70a3d70ap-5", "0.045", "0.04", " 0000.04", "0.045   "]),
        (0x3ff0800000000000, &["1.031250e+00", "1e+00", "1.031e+00", "1.e+00", "1.031250E+00", "1.031250", "1", "1.03", "1.", "1.03125000000000000000", "1.03125", "1", "1", "1.03", "1.03125", "1.03125", "1.03125", "1.03", "1.03125", "0x1.08p+0", "0X1.08P+0", "0x1p+0", "0x1.0p+0", "0x1.080p+0", "0x1.080000000000000p+0", "0x1.08p+0", "+1.031250e+00", " 1.031250", "+1.03", "0001.031e+00", "1.031       ", "     1.03125", "+1.03e+00 ", "0x01.08p+0", "1.03125", "1.", " 0001.03", "1.03125 "]),
        (0x3ff1800000000000, &["1.093750e+00", "1e+00", "1.094e+00", "1.e+00", "1.093750E+00", "1.093750", "1", "1.09", "1.", "1.09375000000000000000", "1.09375", "1", "1", "1.09", "1.09375", "1.09375", "1.09375", "1.09", "1.09375", "0x1.18p+0", "0X1.18P+0", "0x1p+0", "0x1.2p+0", "0x1.180p+0", "0x1.180000000000000p+0", "0x1.18p+0", "+1.093750e+00", " 1.093750", "+1.09", "0001.094e+00", "1.094       ", "     1.09375", "+1.09e+00 ", "0x01.18p+0", "1.09375", "1.", " 0001.09", "1.09375 "]),
        (0x0008000000000000, &["1.112537e-308", "1e-308", "1.113e-308", "1.e-308", "1.112537E-308", "0.000000", "0", "0.00", "0.", "0.00000000000000000000", "1.11254e-308", "1e-308", "1e-308", "1.11e-308", "1.112536929e-308", "1.1125369292536007e-308", "1.11254e-308", "1.11e-308", "1.11254E-308", "0x0.8p-1022", "0X0.8P-1022", "0x0p-1022", "0x0.8p-1022", "0x0.800p-1022", "0x0.800000000000000p-1022", "0x0.8p-1022", "+1.112537e-308", " 0.000000", "+1.11e-308", "001.113e-308", "0.000       ", "1.11254e-308", "+1.11e-308", "0x0.8p-1022", "1.1125369292536e-308", "1.e-308", " 0000.00", "1.11254E-308"]),
        (0x0018000000000000, &["3.337611e-308", "3e-308", "3.338e-308", "3.e-308", "3.337611E-308", "0.000000", "0", "0.00", "0.", "0.00000000000000000000", "3.33761e-308", "3e-308", "3e-308", "3.34e-308", "3.337610788e-308", "3.3376107877608021e-308", "3.33761e-308", "3.34e-308", "3.33761E-308", "0x1.8p-1022", "0X1.8P-1022", "0x2p-1022", "0x1.8p-1022", "0x1.800p-1022", "0x1.800000000000000p-1022", "0x1.8p-1022", "+3.337611e-308", " 0.000000", "+3.34e-308", "003.338e-308", "0.000       ", "3.33761e-308", "+3.34e-308", "0x1.8p-1022", "3.3376107877608e-308", "3.e-308", " 0000.00", "3.33761E-308"]),
        (0x408f3fff2e48e8a7, &["9.999996e+02", "1e+03", "1.000e+03", "1.e+03", "9.999996E+02", "999.999600", "1000", "1000.00", "1000.", "999.99959999999998672138", "1000", "1e+03", "1e+03", "1e+03", "999.9996", "999.99959999999999", "1000.00", "1.e+03", "1000", "0x1.f3fff2e48e8a7p+9", "0X1.F3FFF2E48E8A7P+9", "0x2p+9", "0x1.fp+9", "0x1.f40p+9", "0x1.f3fff2e48e8a700p+9", "0x1.f3fff2e48e8a7p+9", "+9.999996e+02", " 999.999600", "+1e+03", "0001.000e+03", "1000.000    ", "        1000", "+1.00e+03 ", "0x1.f3fff2e48e8a7p+9", "999.9996", "1.e+03", " 1000.00", "1000    "]),
        (0x3f1a36e23b304421, &["9.999996e-05", "1e-04", "1.000e-04", "1.e-04", "9.999996E-05", "0.000100", "0", "0.00", "0.", "0.00009999996000000000", "0.0001", "0.0001", "0.0001", "0.0001", "9.999996e-05", "9.9999960000000002e-05", "0.000100000", "0.000100", "0.0001", "0x1.a36e23b304421p-14", "0X1.A36E23B304421P-14", "0x2p-14", "0x1.ap-14", "0x1.a37p-14", "0x1.a36e23b30442100p-14", "0x1.a36e23b304421p-14", "+9.999996e-05", " 0.000100", "+0.0001", "0001.000e-04", "0.000       ", "      0.0001", "+1.00e-04 ", "0x1.a36e23b304421p-14", "9.999996e-05", "0.0001", " 0000.00", "0.0001  "]),
    ];
    const INT_SPECS: &[&str] = &[
        "%d", "%5d", "%-5d", "%05d", "%+d", "% d", "%.3d", "%.0d", "%+.3d", "%x", "%X", "%#x",
        "%#X", "%08x", "%#010x", "%o", "%#o", "%#.0o", "%.0x", "%u", "%-#8o", "%#5.3x", "%+u",
        "% x", "%i", "%-+06d", "%c", "%3c", "%-3c",
    ];
    const INT_CASES: &[(i64, &[&[u8]])] = &[
        (
            0,
            &[
                b"0".as_slice(),
                b"    0".as_slice(),
                b"0    ".as_slice(),
                b"00000".as_slice(),
                b"+0".as_slice(),
                b" 0".as_slice(),
                b"000".as_slice(),
                b"".as_slice(),
                b"+000".as_slice(),
                b"0".as_slice(),
                b"0".as_slice(),
                b"0".as_slice(),
                b"0".as_slice(),
                b"00000000".as_slice(),
                b"0000000000".as_slice(),
                b"0".as_slice(),
                b"0".as_slice(),
                b"0".as_slice(),
                b"".as_slice(),
                b"0".as_slice(),
                b"0       ".as_slice(),
                b"  000".as_slice(),
                b"0".as_slice(),
                b"0".as_slice(),
                b"0".as_slice(),
                b"+0    ".as_slice(),
                b"\x00".as_slice(),
                b"  \x00".as_slice(),
                b"\x00  ".as_slice(),
            ],
        ),
        (
            1,
            &[
                b"1".as_slice(),
                b"    1".as_slice(),
                b"1    ".as_slice(),
                b"00001".as_slice(),
                b"+1".as_slice(),
                b" 1".as_slice(),
                b"001".as_slice(),
                b"1".as_slice(),
                b"+001".as_slice(),
                b"1".as_slice(),
                b"1".as_slice(),
                b"0x1".as_slice(),
                b"0X1".as_slice(),
                b"00000001".as_slice(),
                b"0x00000001".as_slice(),
                b"1".as_slice(),
                b"01".as_slice(),
                b"01".as_slice(),
                b"1".as_slice(),
                b"1".as_slice(),
                b"01      ".as_slice(),
                b"0x001".as_slice(),
                b"1".as_slice(),
                b"1".as_slice(),
                b"1".as_slice(),
                b"+1    ".as_slice(),
                b"\x01".as_slice(),
                b"  \x01".as_slice(),
                b"\x01  ".as_slice(),
            ],
        ),
        (
            -1,
            &[
                b"-1".as_slice(),
                b"   -1".as_slice(),
                b"-1   ".as_slice(),
                b"-0001".as_slice(),
                b"-1".as_slice(),
                b"-1".as_slice(),
                b"-001".as_slice(),
                b"-1".as_slice(),
                b"-001".as_slice(),
                b"ffffffffffffffff".as_slice(),
                b"FFFFFFFFFFFFFFFF".as_slice(),
                b"0xffffffffffffffff".as_slice(),
                b"0XFFFFFFFFFFFFFFFF".as_slice(),
                b"ffffffffffffffff".as_slice(),
                b"0xffffffffffffffff".as_slice(),
                b"1777777777777777777777".as_slice(),
                b"01777777777777777777777".as_slice(),
                b"01777777777777777777777".as_slice(),
                b"ffffffffffffffff".as_slice(),
                b"18446744073709551615".as_slice(),
                b"01777777777777777777777".as_slice(),
                b"0xffffffffffffffff".as_slice(),
                b"18446744073709551615".as_slice(),
                b"ffffffffffffffff".as_slice(),
                b"-1".as_slice(),
                b"-1    ".as_slice(),
                b"\xff".as_slice(),
                b"  \xff".as_slice(),
                b"\xff  ".as_slice(),
            ],
        ),
        (
            7,
            &[
                b"7".as_slice(),
                b"    7".as_slice(),
                b"7    ".as_slice(),
                b"00007".as_slice(),
                b"+7".as_slice(),
                b" 7".as_slice(),
                b"007".as_slice(),
                b"7".as_slice(),
                b"+007".as_slice(),
                b"7".as_slice(),
                b"7".as_slice(),
                b"0x7".as_slice(),
                b"0X7".as_slice(),
                b"00000007".as_slice(),
                b"0x00000007".as_slice(),
                b"7".as_slice(),
                b"07".as_slice(),
                b"07".as_slice(),
                b"7".as_slice(),
                b"7".as_slice(),
                b"07      ".as_slice(),
                b"0x007".as_slice(),
                b"7".as_slice(),
                b"7".as_slice(),
                b"7".as_slice(),
                b"+7    ".as_slice(),
                b"\x07".as_slice(),
                b"  \x07".as_slice(),
                b"\x07  ".as_slice(),
            ],
        ),
        (
            -7,
            &[
                b"-7".as_slice(),
                b"   -7".as_slice(),
                b"-7   ".as_slice(),
                b"-0007".as_slice(),
                b"-7".as_slice(),
                b"-7".as_slice(),
                b"-007".as_slice(),
                b"-7".as_slice(),
                b"-007".as_slice(),
                b"fffffffffffffff9".as_slice(),
                b"FFFFFFFFFFFFFFF9".as_slice(),
                b"0xfffffffffffffff9".as_slice(),
                b"0XFFFFFFFFFFFFFFF9".as_slice(),
                b"fffffffffffffff9".as_slice(),
                b"0xfffffffffffffff9".as_slice(),
                b"1777777777777777777771".as_slice(),
                b"01777777777777777777771".as_slice(),
                b"01777777777777777777771".as_slice(),
                b"fffffffffffffff9".as_slice(),
                b"18446744073709551609".as_slice(),
                b"01777777777777777777771".as_slice(),
                b"0xfffffffffffffff9".as_slice(),
                b"18446744073709551609".as_slice(),
                b"fffffffffffffff9".as_slice(),
                b"-7".as_slice(),
                b"-7    ".as_slice(),
                b"\xf9".as_slice(),
                b"  \xf9".as_slice(),
                b"\xf9  ".as_slice(),
            ],
        ),
        (
            8,
            &[
                b"8".as_slice(),
                b"    8".as_slice(),
                b"8    ".as_slice(),
                b"00008".as_slice(),
                b"+8".as_slice(),
                b" 8".as_slice(),
                b"008".as_slice(),
                b"8".as_slice(),
                b"+008".as_slice(),
                b"8".as_slice(),
                b"8".as_slice(),
                b"0x8".as_slice(),
                b"0X8".as_slice(),
                b"00000008".as_slice(),
                b"0x00000008".as_slice(),
                b"10".as_slice(),
                b"010".as_slice(),
                b"010".as_slice(),
                b"8".as_slice(),
                b"8".as_slice(),
                b"010     ".as_slice(),
                b"0x008".as_slice(),
                b"8".as_slice(),
                b"8".as_slice(),
                b"8".as_slice(),
                b"+8    ".as_slice(),
                b"\x08".as_slice(),
                b"  \x08".as_slice(),
                b"\x08  ".as_slice(),
            ],
        ),
        (
            65,
            &[
                b"65".as_slice(),
                b"   65".as_slice(),
                b"65   ".as_slice(),
                b"00065".as_slice(),
                b"+65".as_slice(),
                b" 65".as_slice(),
                b"065".as_slice(),
                b"65".as_slice(),
                b"+065".as_slice(),
                b"41".as_slice(),
                b"41".as_slice(),
                b"0x41".as_slice(),
                b"0X41".as_slice(),
                b"00000041".as_slice(),
                b"0x00000041".as_slice(),
                b"101".as_slice(),
                b"0101".as_slice(),
                b"0101".as_slice(),
                b"41".as_slice(),
                b"65".as_slice(),
                b"0101    ".as_slice(),
                b"0x041".as_slice(),
                b"65".as_slice(),
                b"41".as_slice(),
                b"65".as_slice(),
                b"+65   ".as_slice(),
                b"A".as_slice(),
                b"  A".as_slice(),
                b"A  ".as_slice(),
            ],
        ),
        (
            255,
            &[
                b"255".as_slice(),
                b"  255".as_slice(),
                b"255  ".as_slice(),
                b"00255".as_slice(),
                b"+255".as_slice(),
                b" 255".as_slice(),
                b"255".as_slice(),
                b"255".as_slice(),
                b"+255".as_slice(),
                b"ff".as_slice(),
                b"FF".as_slice(),
                b"0xff".as_slice(),
                b"0XFF".as_slice(),
                b"000000ff".as_slice(),
                b"0x000000ff".as_slice(),
                b"377".as_slice(),
                b"0377".as_slice(),
                b"0377".as_slice(),
                b"ff".as_slice(),
                b"255".as_slice(),
                b"0377    ".as_slice(),
                b"0x0ff".as_slice(),
                b"255".as_slice(),
                b"ff".as_slice(),
                b"255".as_slice(),
                b"+255  ".as_slice(),
                b"\xff".as_slice(),
                b"  \xff".as_slice(),
                b"\xff  ".as_slice(),
            ],
        ),
        (
            -255,
            &[
                b"-255".as_slice(),
                b" -255".as_slice(),
                b"-255 ".as_slice(),
                b"-0255".as_slice(),
                b"-255".as_slice(),
                b"-255".as_slice(),
                b"-255".as_slice(),
                b"-255".as_slice(),
                b"-255".as_slice(),
                b"ffffffffffffff01".as_slice(),
                b"FFFFFFFFFFFFFF01".as_slice(),
                b"0xffffffffffffff01".as_slice(),
                b"0XFFFFFFFFFFFFFF01".as_slice(),
                b"ffffffffffffff01".as_slice(),
                b"0xffffffffffffff01".as_slice(),
                b"1777777777777777777401".as_slice(),
                b"01777777777777777777401".as_slice(),
                b"01777777777777777777401".as_slice(),
                b"ffffffffffffff01".as_slice(),
                b"18446744073709551361".as_slice(),
                b"01777777777777777777401".as_slice(),
                b"0xffffffffffffff01".as_slice(),
                b"18446744073709551361".as_slice(),
                b"ffffffffffffff01".as_slice(),
                b"-255".as_slice(),
                b"-255  ".as_slice(),
                b"\x01".as_slice(),
                b"  \x01".as_slice(),
                b"\x01  ".as_slice(),
            ],
        ),
        (
            1000000,
            &[
                b"1000000".as_slice(),
                b"1000000".as_slice(),
                b"1000000".as_slice(),
                b"1000000".as_slice(),
                b"+1000000".as_slice(),
                b" 1000000".as_slice(),
                b"1000000".as_slice(),
                b"1000000".as_slice(),
                b"+1000000".as_slice(),
                b"f4240".as_slice(),
                b"F4240".as_slice(),
                b"0xf4240".as_slice(),
                b"0XF4240".as_slice(),
                b"000f4240".as_slice(),
                b"0x000f4240".as_slice(),
                b"3641100".as_slice(),
                b"03641100".as_slice(),
                b"03641100".as_slice(),
                b"f4240".as_slice(),
                b"1000000".as_slice(),
                b"03641100".as_slice(),
                b"0xf4240".as_slice(),
                b"1000000".as_slice(),
                b"f4240".as_slice(),
                b"1000000".as_slice(),
                b"+1000000".as_slice(),
                b"@".as_slice(),
                b"  @".as_slice(),
                b"@  ".as_slice(),
            ],
        ),
        (
            9223372036854775807,
            &[
                b"9223372036854775807".as_slice(),
                b"9223372036854775807".as_slice(),
                b"9223372036854775807".as_slice(),
                b"9223372036854775807".as_slice(),
                b"+9223372036854775807".as_slice(),
                b" 9223372036854775807".as_slice(),
                b"9223372036854775807".as_slice(),
                b"9223372036854775807".as_slice(),
                b"+9223372036854775807".as_slice(),
                b"7fffffffffffffff".as_slice(),
                b"7FFFFFFFFFFFFFFF".as_slice(),
                b"0x7fffffffffffffff".as_slice(),
                b"0X7FFFFFFFFFFFFFFF".as_slice(),
                b"7fffffffffffffff".as_slice(),
                b"0x7fffffffffffffff".as_slice(),
                b"777777777777777777777".as_slice(),
                b"0777777777777777777777".as_slice(),
                b"0777777777777777777777".as_slice(),
                b"7fffffffffffffff".as_slice(),
                b"9223372036854775807".as_slice(),
                b"0777777777777777777777".as_slice(),
                b"0x7fffffffffffffff".as_slice(),
                b"9223372036854775807".as_slice(),
                b"7fffffffffffffff".as_slice(),
                b"9223372036854775807".as_slice(),
                b"+9223372036854775807".as_slice(),
                b"\xff".as_slice(),
                b"  \xff".as_slice(),
                b"\xff  ".as_slice(),
            ],
        ),
        (
            i64::MIN,
            &[
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"8000000000000000".as_slice(),
                b"8000000000000000".as_slice(),
                b"0x8000000000000000".as_slice(),
                b"0X8000000000000000".as_slice(),
                b"8000000000000000".as_slice(),
                b"0x8000000000000000".as_slice(),
                b"1000000000000000000000".as_slice(),
                b"01000000000000000000000".as_slice(),
                b"01000000000000000000000".as_slice(),
                b"8000000000000000".as_slice(),
                b"9223372036854775808".as_slice(),
                b"01000000000000000000000".as_slice(),
                b"0x8000000000000000".as_slice(),
                b"9223372036854775808".as_slice(),
                b"8000000000000000".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"-9223372036854775808".as_slice(),
                b"\x00".as_slice(),
                b"  \x00".as_slice(),
                b"\x00  ".as_slice(),
            ],
        ),
        (
            2147483647,
            &[
                b"2147483647".as_slice(),
                b"2147483647".as_slice(),
                b"2147483647".as_slice(),
                b"2147483647".as_slice(),
                b"+2147483647".as_slice(),
                b" 2147483647".as_slice(),
                b"2147483647".as_slice(),
                b"2147483647".as_slice(),
                b"+2147483647".as_slice(),
                b"7fffffff".as_slice(),
                b"7FFFFFFF".as_slice(),
                b"0x7fffffff".as_slice(),
                b"0X7FFFFFFF".as_slice(),
                b"7fffffff".as_slice(),
                b"0x7fffffff".as_slice(),
                b"17777777777".as_slice(),
                b"017777777777".as_slice(),
                b"017777777777".as_slice(),
                b"7fffffff".as_slice(),
                b"2147483647".as_slice(),
                b"017777777777".as_slice(),
                b"0x7fffffff".as_slice(),
                b"2147483647".as_slice(),
                b"7fffffff".as_slice(),
                b"2147483647".as_slice(),
                b"+2147483647".as_slice(),
                b"\xff".as_slice(),
                b"  \xff".as_slice(),
                b"\xff  ".as_slice(),
            ],
        ),
        (
            -2147483648,
            &[
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"ffffffff80000000".as_slice(),
                b"FFFFFFFF80000000".as_slice(),
                b"0xffffffff80000000".as_slice(),
                b"0XFFFFFFFF80000000".as_slice(),
                b"ffffffff80000000".as_slice(),
                b"0xffffffff80000000".as_slice(),
                b"1777777777760000000000".as_slice(),
                b"01777777777760000000000".as_slice(),
                b"01777777777760000000000".as_slice(),
                b"ffffffff80000000".as_slice(),
                b"18446744071562067968".as_slice(),
                b"01777777777760000000000".as_slice(),
                b"0xffffffff80000000".as_slice(),
                b"18446744071562067968".as_slice(),
                b"ffffffff80000000".as_slice(),
                b"-2147483648".as_slice(),
                b"-2147483648".as_slice(),
                b"\x00".as_slice(),
                b"  \x00".as_slice(),
                b"\x00  ".as_slice(),
            ],
        ),
        (
            12345678901234,
            &[
                b"12345678901234".as_slice(),
                b"12345678901234".as_slice(),
                b"12345678901234".as_slice(),
                b"12345678901234".as_slice(),
                b"+12345678901234".as_slice(),
                b" 12345678901234".as_slice(),
                b"12345678901234".as_slice(),
                b"12345678901234".as_slice(),
                b"+12345678901234".as_slice(),
                b"b3a73ce2ff2".as_slice(),
                b"B3A73CE2FF2".as_slice(),
                b"0xb3a73ce2ff2".as_slice(),
                b"0XB3A73CE2FF2".as_slice(),
                b"b3a73ce2ff2".as_slice(),
                b"0xb3a73ce2ff2".as_slice(),
                b"263516363427762".as_slice(),
                b"0263516363427762".as_slice(),
                b"0263516363427762".as_slice(),
                b"b3a73ce2ff2".as_slice(),
                b"12345678901234".as_slice(),
                b"0263516363427762".as_slice(),
                b"0xb3a73ce2ff2".as_slice(),
                b"12345678901234".as_slice(),
                b"b3a73ce2ff2".as_slice(),
                b"12345678901234".as_slice(),
                b"+12345678901234".as_slice(),
                b"\xf2".as_slice(),
                b"  \xf2".as_slice(),
                b"\xf2  ".as_slice(),
            ],
        ),
    ];
    const TOSTRING_CASES: &[(u64, &str)] = &[
        (0x0000000000000000, "0.0"),
        (0x0000000000000000, "0.0"),
        (0x4008000000000000, "3.0"),
        (0xc008000000000000, "-3.0"),
        (0x430c6bf526340000, "1e+15"),
        (0x42d6bcc41e900000, "1e+14"),
        (0x42d6bcc41e8fffc0, "99999999999999.0"),
        (0x4340000000000000, "9.007199254741e+15"),
        (0x43e0000000000000, "9.2233720368548e+18"),
        (0xc3e0000000000000, "-9.2233720368548e+18"),
        (0x54b249ad2594c37d, "1e+100"),
        (0x3fb999999999999a, "0.1"),
        (0x3fd5555555555555, "0.33333333333333"),
        (0xbfd5555555555555, "-0.33333333333333"),
        (0x7ff0000000000000, "inf"),
        (0xfff0000000000000, "-inf"),
        (0xfff8000000000000, "-nan"),
        (0x7ff8000000000000, "nan"),
        (0x42dc12218377de66, "1.2345678901235e+14"),
        (0x42a674e79c5fe5cd, "12345678901235.0"),
        (0x3ee4f8b588e368f1, "1e-05"),
        (0x3f1a36e2eb1c432d, "0.0001"),
        (0x01a56e1fc2f8f359, "1e-300"),
        (0x0000000000000001, "4.9406564584125e-324"),
        (0x7fefffffffffffff, "1.7976931348623e+308"),
        (0x4059000000000000, "100.0"),
        (0x40934a0000000000, "1234.5"),
        (0x4170000000000000, "16777216.0"),
        (0x3fe0000000000000, "0.5"),
        (0x42d6bcc41e8ffffa, "1e+14"),
        (0x42d6bcc41e8fffe0, "1e+14"),
        (0x400921fb54442d11, "3.1415926535898"),
        (0x4341c37937e08000, "1e+16"),
        (0xbe7ad7f29abcaf48, "-1e-07"),
    ];

    #[test]
    fn numfmt_floats_match_lua53() {
        let mut bad = Vec::new();
        for &(bits, expected) in FLOAT_CASES {
            let x = f64::from_bits(bits);
            for (spec, want) in FLOAT_SPECS.iter().zip(expected.iter()) {
                let got = spec_format(spec, Some(x), 0);
                if got != want.as_bytes() {
                    bad.push(format!(
                        "{spec} of {x:e} ({bits:#x}): got {:?} want {want:?}",
                        show(&got)
                    ));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "{} mismatches:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn numfmt_ints_match_lua53() {
        let mut bad = Vec::new();
        for &(i, expected) in INT_CASES {
            for (spec, want) in INT_SPECS.iter().zip(expected.iter()) {
                let got = spec_format(spec, None, i);
                if got != *want {
                    bad.push(format!(
                        "{spec} of {i}: got {:?} want {:?}",
                        show(&got),
                        show(want)
                    ));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "{} mismatches:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn numfmt_tostring_matches_lua53() {
        for &(bits, want) in TOSTRING_CASES {
            let mut out = b"x".to_vec();
            lua_number_to_str(f64::from_bits(bits), &mut out);
            assert_eq!(show(&out[1..]), want, "tostring of {bits:#x}");
        }
    }

    #[test]
    fn numfmt_integer_to_str() {
        for i in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            12345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            let mut out = Vec::new();
            lua_integer_to_str(i, &mut out);
            assert_eq!(show(&out), i.to_string());
        }
    }

    #[test]
    fn numfmt_fmt_s_and_justify() {
        let mut out = Vec::new();
        let f = Flags {
            width: 5,
            ..Flags::default()
        };
        fmt_s(&mut out, b"abcdef", Some(3), f);
        fmt_s(&mut out, b"ab", None, Flags { left: true, ..f });
        fmt_s(&mut out, b"ab", None, Flags { zero: true, ..f });
        assert_eq!(show(&out), "  abcab      ab");
    }

    /// A small deterministic generator for the differential tests.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Values that stress rounding: random bits, short decimals, binary
    /// ties, runs of nines, neighbours of powers of ten, subnormals.
    fn interesting_float(rng: &mut XorShift) -> f64 {
        let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
        let x = match rng.below(8) {
            0 => f64::from_bits(rng.next()),
            1 => rng.below(1_000_000) as f64 / 10f64.powi(rng.below(12) as i32),
            2 => (2 * rng.below(1000) + 1) as f64 / (1u64 << rng.below(20)) as f64,
            3 => {
                let nines = 10f64.powi(1 + rng.below(16) as i32) - 1.0;
                (nines + 0.5) * 10f64.powi(rng.below(20) as i32 - 10)
            }
            4 => f64::from_bits(
                10f64
                    .powi(rng.below(40) as i32 - 20)
                    .to_bits()
                    .wrapping_add(rng.below(5))
                    .wrapping_sub(2),
            ),
            5 => f64::from_bits(rng.below(1 << 53)),
            6 => rng.next() as i64 as f64 / (1u64 << rng.below(64)) as f64,
            _ => f64::from_bits((rng.below(2046) + 1) << 52 | rng.below(1 << 52)),
        };
        if x.is_finite() {
            x * sign
        } else {
            sign
        }
    }

    fn random_spec(rng: &mut XorShift, convs: &[u8]) -> String {
        let mut spec = String::from("%");
        for f in ['-', '+', ' ', '#', '0'] {
            if rng.below(4) == 0 {
                spec.push(f);
            }
        }
        if rng.below(2) == 0 {
            spec += &(1 + rng.below(29)).to_string();
        }
        if rng.below(3) != 0 {
            spec.push('.');
            let p = if rng.below(10) == 0 {
                rng.below(100)
            } else {
                rng.below(20)
            };
            spec += &p.to_string();
        }
        spec.push(convs[rng.below(convs.len() as u64) as usize] as char);
        spec
    }

    /// Runs `string.format(spec, value)` for every case in lua5.3 (if it is
    /// installed) and returns its outputs; `None` if lua5.3 is missing.
    fn lua53_format(cases: &[(String, u64, bool)]) -> Option<Vec<Vec<u8>>> {
        use std::io::Write;
        let mut script = String::from(
            "local function f(b) return (string.unpack('<d', string.pack('<i8', b))) end\nlocal C = {\n",
        );
        for (spec, bits, is_float) in cases {
            script += &format!("{{'{spec}', {bits:#x}, {is_float}}},\n");
        }
        script += "}\nfor _, c in ipairs(C) do local s = string.format(c[1], c[3] and f(c[2]) or c[2]); io.write(#s, ':', s) end\n";
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let unique = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("numfmt-diff-{}-{unique}.lua", std::process::id()));
        std::fs::File::create(&path)
            .ok()?
            .write_all(script.as_bytes())
            .ok()?;
        let output = std::process::Command::new("lua5.3").arg(&path).output();
        let _ = std::fs::remove_file(&path);
        let output = output.ok()?;
        assert!(
            output.status.success(),
            "lua5.3 failed: {}",
            show(&output.stderr)
        );
        let mut results = Vec::new();
        let mut rest = &output.stdout[..];
        while let Some(colon) = rest.iter().position(|&c| c == b':') {
            let n: usize = show(&rest[..colon]).parse().expect("length");
            results.push(rest[colon + 1..colon + 1 + n].to_vec());
            rest = &rest[colon + 1 + n..];
        }
        Some(results)
    }

    fn differential(seed: u64, convs: &[u8], floats: bool, count: usize) {
        let mut rng = XorShift(seed);
        let cases: Vec<(String, u64, bool)> = (0..count)
            .map(|_| {
                let spec = random_spec(&mut rng, convs);
                let bits = if floats {
                    interesting_float(&mut rng).to_bits()
                } else {
                    rng.next() >> rng.below(64)
                };
                (spec, bits, floats)
            })
            .collect();
        let Some(expected) = lua53_format(&cases) else {
            eprintln!("lua5.3 not found: differential test skipped");
            return;
        };
        assert_eq!(expected.len(), cases.len());
        let mut bad = Vec::new();
        for ((spec, bits, _), want) in cases.iter().zip(&expected) {
            let got = if floats {
                spec_format(spec, Some(f64::from_bits(*bits)), 0)
            } else {
                spec_format(spec, None, *bits as i64)
            };
            if got != *want {
                bad.push(format!(
                    "{spec} of {bits:#x}: got {:?} want {:?}",
                    show(&got),
                    show(want)
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{} mismatches:\n{}",
            bad.len(),
            bad[..bad.len().min(40)].join("\n")
        );
    }

    #[test]
    fn numfmt_differential_floats_vs_lua53() {
        differential(0x9e37_79b9_7f4a_7c15, b"eEfgGaA", true, 30_000);
    }

    #[test]
    fn numfmt_differential_ints_vs_lua53() {
        differential(0x2545_f491_4f6c_dd1d, b"diuxXoc", false, 10_000);
    }

    #[test]
    fn numfmt_differential_tostring_vs_lua53() {
        let mut rng = XorShift(0xdead_beef_1234_5678);
        let values: Vec<f64> = (0..20_000).map(|_| interesting_float(&mut rng)).collect();
        let cases: Vec<(String, u64, bool)> = values
            .iter()
            .map(|x| ("%.14g".to_string(), x.to_bits(), true))
            .collect();
        let Some(expected) = lua53_format(&cases) else {
            eprintln!("lua5.3 not found: differential test skipped");
            return;
        };
        for (x, want) in values.iter().zip(&expected) {
            let mut want = want.clone();
            if want.iter().all(|&c| c == b'-' || c.is_ascii_digit()) {
                want.extend_from_slice(b".0");
            }
            let mut got = Vec::new();
            lua_number_to_str(*x, &mut got);
            assert_eq!(show(&got), show(&want), "tostring of {:#x}", x.to_bits());
        }
    }

    proptest! {
        #[test]
        fn numfmt_g17_round_trips(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            let mut out = Vec::new();
            fmt_g(&mut out, x, Some(17), Flags::default());
            let back: f64 = show(&out).parse().expect("parses");
            prop_assert_eq!(back.to_bits(), x.to_bits());
        }

        #[test]
        fn numfmt_tostring_fast_path_agrees(d in 0u64..200_000_000_000_000, k in 0i32..20, neg in any::<bool>()) {
            let x = d as f64 / 10f64.powi(k) * if neg { -1.0 } else { 1.0 };
            let mut fast = Vec::new();
            lua_number_to_str(x, &mut fast);
            let mut slow = Vec::new();
            fmt_g(&mut slow, x, Some(14), Flags::default());
            if slow.iter().all(|&c| c == b'-' || c.is_ascii_digit()) {
                slow.extend_from_slice(b".0");
            }
            prop_assert_eq!(show(&fast), show(&slow));
        }

        #[test]
        fn numfmt_tostring_is_close(bits in any::<u64>()) {
            let x = f64::from_bits(bits);
            prop_assume!(x.is_finite());
            let mut out = Vec::new();
            lua_number_to_str(x, &mut out);
            let back: f64 = show(&out).parse().expect("parses");
            prop_assert!((back - x).abs() <= x.abs() * 1e-13, "{} vs {}", back, x);
        }

        #[test]
        fn numfmt_any_spec_is_sane(
            bits in any::<u64>(),
            conv in proptest::sample::select(b"diuxXoceEfFgGaA".to_vec()),
            flags in any::<[bool; 5]>(),
            width in 0usize..130,
            precision in proptest::option::of(0usize..130),
        ) {
            let flags = Flags { left: flags[0], plus: flags[1], space: flags[2], alt: flags[3], zero: flags[4], upper: false, width };
            let mut out = b"keep".to_vec();
            let x = f64::from_bits(bits);
            let ok = if b"diuxXoc".contains(&conv) {
                fmt_int(&mut out, conv, bits as i64, precision, flags)
            } else {
                fmt_float(&mut out, conv, x, precision, flags)
            };
            prop_assert!(ok);
            prop_assert_eq!(&out[..4], b"keep");
            let item = &out[4..];
            prop_assert!(item.len() >= width);
            if item.len() > width && conv != b'c' {
                prop_assert!(item[0] != b' ' || flags.space);
                prop_assert!(*item.last().unwrap() != b' ');
            }
            if b"eEfFgG".contains(&conv) && x.is_finite() {
                let text = show(item);
                let back: f64 = text.trim().parse().expect("parses");
                let digits = precision.unwrap_or(6).max(1) as i32;
                let tol = if conv.eq_ignore_ascii_case(&b'f') {
                    // `%.0f` rounds to a whole number: the error can reach half a unit
                    let half_unit = 0.5 * 10f64.powi(-(precision.unwrap_or(6) as i32).min(300));
                    10f64.powi(-digits.min(300)).max(half_unit)
                } else {
                    x.abs() * 10f64.powi(1 - digits.min(300))
                };
                prop_assert!((back - x).abs() <= tol.max(x.abs() * 1e-15), "{} gave {}", x, text);
            }
        }
    }
}
