//! The core of `string.format` (PUC 5.3's `str_format`), independent of VM
//! values: arguments are read through the `FormatArgs` trait, numbers are
//! converted by `luavm_compiler::numfmt` (byte-exact with glibc `printf`).
//! Also `%q`'s literal forms (`add_quoted`, `add_quoted_integer`,
//! `add_quoted_float`) for the implementor of `FormatArgs::quoted`.
//!
//! Invariants:
//! - a conversion specification is `%[-+ #0]{0,5}[d{0,2}][.d{0,2}]c`, as 5.3
//!   accepts it; the checks and their order (missing argument, then the
//!   specification's syntax, then the argument's type) follow PUC;
//! - every error is built by the `FormatArgs` implementor from PUC's words:
//!   `arg_error` for "bad argument" errors, `error` for the others;
//! - nothing panics, whatever the format string.

use luavm_compiler::numfmt::{self, Flags};

/// Access to `string.format`'s arguments. `n` counts the arguments after
/// the format string from 1 (Lua argument `n + 1`).
pub trait FormatArgs {
    /// The error type of the caller (a Lua error value, or `String`).
    type Error;
    /// How many arguments follow the format string.
    fn arg_count(&self) -> usize;
    /// Argument `n` for `%d %i %u %c %x %X %o` (`luaL_checkinteger`).
    fn integer(&mut self, n: usize) -> Result<i64, Self::Error>;
    /// Argument `n` for `%e %E %f %g %G %a %A` (`luaL_checknumber`).
    fn number(&mut self, n: usize) -> Result<f64, Self::Error>;
    /// Appends `tostring` of argument `n` for `%s` (`luaL_tolstring`).
    fn string(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), Self::Error>;
    /// Appends the literal form of argument `n` for `%q`: `add_quoted` for
    /// strings, `add_quoted_integer`/`add_quoted_float` for numbers,
    /// `tostring` for nil and booleans, else the argument error
    /// "value has no literal form".
    fn quoted(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), Self::Error>;
    /// The error `luaL_argerror` raises for argument `n`, such as
    /// `arg_error_message(n, extramsg)`.
    fn arg_error(&mut self, n: usize, extramsg: &str) -> Self::Error;
    /// The error `luaL_error(msg)` raises (the caller adds the position).
    fn error(&mut self, msg: String) -> Self::Error;
}

/// PUC's text for a bad format argument `n`:
/// "bad argument #{n+1} to 'format' ({extramsg})".
pub fn arg_error_message(n: usize, extramsg: &str) -> String {
    format!("bad argument #{} to 'format' ({extramsg})", n + 1)
}

/// `string.format(fmt, ...)`.
pub fn format<A: FormatArgs + ?Sized>(fmt: &[u8], args: &mut A) -> Result<Vec<u8>, A::Error> {
    let mut out = Vec::with_capacity(fmt.len() + 16);
    format_into(&mut out, fmt, args)?;
    Ok(out)
}

/// `string.format(fmt, ...)` appended to `out` (left partly written on error).
pub fn format_into<A: FormatArgs + ?Sized>(
    out: &mut Vec<u8>,
    fmt: &[u8],
    args: &mut A,
) -> Result<(), A::Error> {
    let mut i = 0;
    let mut arg = 0;
    while i < fmt.len() {
        // Copy the run of plain bytes up to the next '%'.
        let run = fmt[i..]
            .iter()
            .position(|&c| c == b'%')
            .unwrap_or(fmt.len() - i);
        out.extend_from_slice(&fmt[i..i + run]);
        i += run;
        if i >= fmt.len() {
            break;
        }
        i += 1; // the '%'
        if fmt.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        arg += 1;
        if arg > args.arg_count() {
            return Err(args.arg_error(arg, "no value"));
        }
        let spec = match scan_format(fmt, i) {
            Ok(spec) => spec,
            Err(msg) => return Err(args.error(msg.to_string())),
        };
        i = spec.next;
        match spec.conversion {
            b'c' => {
                let c = args.integer(arg)?;
                numfmt::fmt_c(out, c as u8, spec.flags);
            }
            b'd' | b'i' | b'o' | b'u' | b'x' | b'X' => {
                let v = args.integer(arg)?;
                numfmt::fmt_int(out, spec.conversion, v, spec.precision, spec.flags);
            }
            b'a' | b'A' | b'e' | b'E' | b'f' | b'g' | b'G' => {
                let x = args.number(arg)?;
                numfmt::fmt_float(out, spec.conversion, x, spec.precision, spec.flags);
            }
            b'q' => args.quoted(arg, out)?,
            b's' => {
                let start = out.len();
                args.string(arg, out)?;
                if spec.modified {
                    if out[start..].contains(&0) {
                        return Err(args.arg_error(arg, "string contains zeros"));
                    }
                    let len = out.len() - start;
                    // Without a precision, a long string is kept whole (PUC
                    // would not fit it in its buffer).
                    if spec.precision.is_some() || len < 100 {
                        if let Some(p) = spec.precision {
                            out.truncate(start + p.min(len));
                        }
                        numfmt::justify(out, start, spec.flags);
                    }
                }
            }
            other => {
                let shown = printable(other);
                return Err(args.error(format!("invalid option '%{shown}' to 'format'")));
            }
        }
    }
    Ok(())
}

/// One scanned conversion specification.
struct Spec {
    flags: Flags,
    precision: Option<usize>,
    /// The conversion byte (`'\0'` past the end of the format).
    conversion: u8,
    /// Whether any flag, width or precision was given.
    modified: bool,
    /// Index just after the conversion byte.
    next: usize,
}

/// Scans the specification after a '%' at `fmt[start..]` (PUC's `scanformat`).
fn scan_format(fmt: &[u8], start: usize) -> Result<Spec, &'static str> {
    let at = |p: usize| fmt.get(p).copied().unwrap_or(0);
    let mut flags = Flags::default();
    let mut p = start;
    while flags.set(at(p)) {
        p += 1;
    }
    if p - start >= 6 {
        return Err("invalid format (repeated flags)");
    }
    let number = |p: &mut usize| {
        let mut v = 0;
        for _ in 0..2 {
            if at(*p).is_ascii_digit() {
                v = v * 10 + usize::from(at(*p) - b'0');
                *p += 1;
            }
        }
        v
    };
    flags.width = number(&mut p);
    let mut precision = None;
    if at(p) == b'.' {
        p += 1;
        precision = Some(number(&mut p));
    }
    if at(p).is_ascii_digit() {
        return Err("invalid format (width or precision too long)");
    }
    Ok(Spec {
        flags,
        precision,
        conversion: at(p),
        modified: p > start,
        next: p + 1,
    })
}

/// A byte as `lua_pushfstring`'s `%c` shows it: itself if printable, else `<\ddd>`.
fn printable(c: u8) -> String {
    if (b' '..=b'~').contains(&c) {
        char::from(c).to_string()
    } else {
        format!("<\\{c}>")
    }
}

/// Appends `s` as a Lua string literal, as 5.3's `%q` does: `"`, `\` and
/// newline are escaped with a backslash, other control bytes become `\d`
/// (or `\ddd` before a digit), everything else is copied.
pub fn add_quoted(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for (i, &c) in s.iter().enumerate() {
        if c == b'"' || c == b'\\' || c == b'\n' {
            out.push(b'\\');
            out.push(c);
        } else if c.is_ascii_control() {
            out.push(b'\\');
            let next_is_digit = s.get(i + 1).is_some_and(u8::is_ascii_digit);
            if next_is_digit {
                out.extend_from_slice(&[b'0' + c / 100, b'0' + c / 10 % 10, b'0' + c % 10]);
            } else {
                numfmt::lua_integer_to_str(i64::from(c), out);
            }
        } else {
            out.push(c);
        }
    }
    out.push(b'"');
}

/// Appends `%q` of an integer: decimal, except `math.mininteger`, which has
/// no decimal literal, as `0x8000000000000000`.
pub fn add_quoted_integer(out: &mut Vec<u8>, i: i64) {
    if i == i64::MIN {
        out.extend_from_slice(b"0x8000000000000000");
    } else {
        numfmt::lua_integer_to_str(i, out);
    }
}

/// Appends `%q` of a float as Lua 5.3.6 does: `%a` (`0x1.8p+1` for 3.0;
/// `inf`, `-inf`, `nan` or `-nan` for the non-finite values).
pub fn add_quoted_float(out: &mut Vec<u8>, x: f64) {
    numfmt::fmt_a(out, x, None, Flags::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use luavm_compiler::numfmt::lua_number_to_str;

    /// A Lua value, enough to stand for `string.format`'s arguments.
    #[derive(Clone, Copy, Debug)]
    enum V {
        I(i64),
        /// A float, by its bits.
        F(u64),
        S(&'static [u8]),
        Nil,
        B(bool),
        T,
    }

    impl V {
        fn type_name(self) -> &'static str {
            match self {
                V::I(_) | V::F(_) => "number",
                V::S(_) => "string",
                V::Nil => "nil",
                V::B(_) => "boolean",
                V::T => "table",
            }
        }

        /// The number this value converts to (`lua_tonumber`), if any.
        fn to_number(self) -> Option<Result<i64, f64>> {
            match self {
                V::I(i) => Some(Ok(i)),
                V::F(bits) => Some(Err(f64::from_bits(bits))),
                V::S(s) => {
                    let text = std::str::from_utf8(s).ok()?.trim();
                    match text.parse::<i64>() {
                        Ok(i) => Some(Ok(i)),
                        Err(_) => text.parse::<f64>().ok().map(Err),
                    }
                }
                _ => None,
            }
        }
    }

    struct Args<'a>(&'a [V]);

    impl Args<'_> {
        fn get(&self, n: usize) -> V {
            self.0.get(n - 1).copied().unwrap_or(V::Nil)
        }
    }

    impl FormatArgs for Args<'_> {
        type Error = String;

        fn arg_count(&self) -> usize {
            self.0.len()
        }

        fn integer(&mut self, n: usize) -> Result<i64, String> {
            let v = self.get(n);
            match v.to_number() {
                Some(Ok(i)) => Ok(i),
                Some(Err(x))
                    if x.trunc() == x
                        && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&x) =>
                {
                    Ok(x as i64)
                }
                Some(Err(_)) => Err(self.arg_error(n, "number has no integer representation")),
                None => Err(self.arg_error(n, &format!("number expected, got {}", v.type_name()))),
            }
        }

        fn number(&mut self, n: usize) -> Result<f64, String> {
            let v = self.get(n);
            match v.to_number() {
                Some(Ok(i)) => Ok(i as f64),
                Some(Err(x)) => Ok(x),
                None => Err(self.arg_error(n, &format!("number expected, got {}", v.type_name()))),
            }
        }

        fn string(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), String> {
            match self.get(n) {
                V::I(i) => luavm_compiler::numfmt::lua_integer_to_str(i, out),
                V::F(bits) => lua_number_to_str(f64::from_bits(bits), out),
                V::S(s) => out.extend_from_slice(s),
                V::Nil => out.extend_from_slice(b"nil"),
                V::B(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
                V::T => out.extend_from_slice(b"table: 0x1"),
            }
            Ok(())
        }

        fn quoted(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), String> {
            match self.get(n) {
                V::I(i) => add_quoted_integer(out, i),
                V::F(bits) => add_quoted_float(out, f64::from_bits(bits)),
                V::S(s) => add_quoted(out, s),
                V::Nil | V::B(_) => return self.string(n, out),
                V::T => return Err(self.arg_error(n, "value has no literal form")),
            }
            Ok(())
        }

        fn arg_error(&mut self, n: usize, extramsg: &str) -> String {
            arg_error_message(n, extramsg)
        }

        fn error(&mut self, msg: String) -> String {
            msg
        }
    }

    // Generated with lua5.3 `string.format` (errors without their position).
    /// (format, arguments, result or error message).
    type Case = (
        &'static [u8],
        &'static [V],
        Result<&'static [u8], &'static str>,
    );

    const CASES: &[Case] = &[
        (b"plain text", &[], Ok(b"plain text")),
        (b"", &[], Ok(b"")),
        (b"100%%", &[], Ok(b"100%")),
        (b"%%%d%%", &[V::I(5)], Ok(b"%5%")),
        (b"%d", &[V::I(42)], Ok(b"42")),
        (b"%d", &[V::I(-42)], Ok(b"-42")),
        (b"%5d|%-5d|%05d", &[V::I(1), V::I(2), V::I(3)], Ok(b"    1|2    |00003")),
        (b"%+d % d", &[V::I(7), V::I(7)], Ok(b"+7  7")),
        (b"%.3d", &[V::I(7)], Ok(b"007")),
        (b"%.0d", &[V::I(0)], Ok(b"")),
        (b"%i", &[V::I(12)], Ok(b"12")),
        (b"%u", &[V::I(-1)], Ok(b"18446744073709551615")),
        (b"%x %X %#x %#X", &[V::I(255), V::I(255), V::I(255), V::I(255)], Ok(b"ff FF 0xff 0XFF")),
        (b"%o %#o", &[V::I(8), V::I(8)], Ok(b"10 010")),
        (b"%x", &[V::I(-1)], Ok(b"ffffffffffffffff")),
        (b"%d", &[V::I(i64::MIN)], Ok(b"-9223372036854775808")),
        (b"%d", &[V::I(9223372036854775807)], Ok(b"9223372036854775807")),
        (b"%d", &[V::F(0x4008000000000000)], Ok(b"3")),
        (b"%d", &[V::F(0x400c000000000000)], Err("bad argument #2 to 'format' (number has no integer representation)")),
        (b"%d", &[V::S(b"10")], Ok(b"10")),
        (b"%d", &[V::S(b"10.0")], Ok(b"10")),
        (b"%d", &[V::S(b"1.5")], Err("bad argument #2 to 'format' (number has no integer representation)")),
        (b"%d", &[V::S(b"x")], Err("bad argument #2 to 'format' (number expected, got string)")),
        (b"%d", &[V::Nil], Err("bad argument #2 to 'format' (number expected, got nil)")),
        (b"%d", &[V::T], Err("bad argument #2 to 'format' (number expected, got table)")),
        (b"%d", &[V::F(0x43e0000000000000)], Err("bad argument #2 to 'format' (number has no integer representation)")),
        (b"%x", &[V::F(0xc3e0000000000000)], Ok(b"8000000000000000")),
        (b"%c", &[V::I(65)], Ok(b"A")),
        (b"%c%c%c", &[V::I(76), V::I(117), V::I(97)], Ok(b"Lua")),
        (b"%c", &[V::I(0)], Ok(b"\x00")),
        (b"%5c|%-5c", &[V::I(65), V::I(66)], Ok(b"    A|B    ")),
        (b"%c", &[V::I(321)], Ok(b"A")),
        (b"%c", &[V::I(-1)], Ok(b"\xff")),
        (b"%c", &[V::F(0x4050400000000000)], Ok(b"A")),
        (b"%e", &[V::F(0x40c81cd6e631f8a1)], Ok(b"1.234568e+04")),
        (b"%.3e", &[V::F(0x0000000000000000)], Ok(b"0.000e+00")),
        (b"%E", &[V::F(0x7e37e43c8800759c)], Ok(b"1.000000E+300")),
        (b"%f", &[V::F(0x3fd5555555555555)], Ok(b"0.333333")),
        (b"%.0f", &[V::F(0x3fe0000000000000)], Ok(b"0")),
        (b"%.0f", &[V::F(0x3ff8000000000000)], Ok(b"2")),
        (b"%10.4f|", &[V::F(0x400921fb54442d18)], Ok(b"    3.1416|")),
        (b"%-10.2f|", &[V::F(0xc00921fb54442d18)], Ok(b"-3.14     |")),
        (b"%g", &[V::I(100000)], Ok(b"100000")),
        (b"%g", &[V::I(1000000)], Ok(b"1e+06")),
        (b"%g", &[V::F(0x3f1a36e2eb1c432d)], Ok(b"0.0001")),
        (b"%g", &[V::F(0x3ee4f8b588e368f1)], Ok(b"1e-05")),
        (b"%.3g", &[V::F(0x3fe5555555555555)], Ok(b"0.667")),
        (b"%#g", &[V::F(0x3ff0000000000000)], Ok(b"1.00000")),
        (b"%G", &[V::F(0x3bc79ca10c924223)], Ok(b"1E-20")),
        (b"%g", &[V::F(0x7ff0000000000000)], Ok(b"inf")),
        (b"%g", &[V::F(0xfff0000000000000)], Ok(b"-inf")),
        (b"%g", &[V::F(0xfff8000000000000)], Ok(b"-nan")),
        (b"%f", &[V::F(0x7ff8000000000000)], Ok(b"nan")),
        (b"%5.1f", &[V::F(0x7ff0000000000000)], Ok(b"  inf")),
        (b"%05d", &[V::I(-3)], Ok(b"-0003")),
        (b"%a", &[V::F(0x3ff0000000000000)], Ok(b"0x1p+0")),
        (b"%A", &[V::F(0x3fb999999999999a)], Ok(b"0X1.999999999999AP-4")),
        (b"%.2a", &[V::F(0x3fd5555555555555)], Ok(b"0x1.55p-2")),
        (b"%a", &[V::F(0x8000000000000000)], Ok(b"-0x0p+0")),
        (b"%a", &[V::F(0x0000000000000001)], Ok(b"0x0.0000000000001p-1022")),
        (b"%f", &[V::S(b"1.5")], Ok(b"1.500000")),
        (b"%f", &[V::I(7)], Ok(b"7.000000")),
        (b"%e", &[V::S(b"x")], Err("bad argument #2 to 'format' (number expected, got string)")),
        (b"%f", &[V::Nil], Err("bad argument #2 to 'format' (number expected, got nil)")),
        (b"%f", &[V::B(true)], Err("bad argument #2 to 'format' (number expected, got boolean)")),
        (b"%99d", &[V::I(1)], Ok(b"                                                                                                  1")),
        (b"%.99f", &[V::F(0x3ff8000000000000)], Ok(b"1.500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")),
        (b"%99.99f", &[V::F(0x7fe1ccf385ebc8a0)], Ok(b"100000000000000001097906362944045541740492309677311846336810682903157585404911491537163328978494688899061249669721172515611590283743140088328307009198146046031271664502933027185697489699588559043338384466165001178426897626212945177628091195786707458122783970171784415105291802893207873272974885715430223118336.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")),
        (b"%-99s|", &[V::S(b"x")], Ok(b"x                                                                                                  |")),
        (b"%s", &[V::S(b"hello")], Ok(b"hello")),
        (b"%s %s", &[V::I(1), V::F(0x4004000000000000)], Ok(b"1 2.5")),
        (b"%s", &[V::Nil], Ok(b"nil")),
        (b"%s", &[V::B(true)], Ok(b"true")),
        (b"%10s|%-10s|", &[V::S(b"hi"), V::S(b"hi")], Ok(b"        hi|hi        |")),
        (b"%.2s", &[V::S(b"hello")], Ok(b"he")),
        (b"%5.2s|", &[V::S(b"hello")], Ok(b"   he|")),
        (b"%.0s|", &[V::S(b"hello")], Ok(b"|")),
        (b"%s", &[V::S(b"a\x00b")], Ok(b"a\x00b")),
        (b"%5s", &[V::S(b"a\x00b")], Err("bad argument #2 to 'format' (string contains zeros)")),
        (b"%.1s", &[V::S(b"a\x00b")], Err("bad argument #2 to 'format' (string contains zeros)")),
        (b"%s", &[V::S(b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")], Ok(b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")),
        (b"%5s", &[V::S(b"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy")], Ok(b"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy")),
        (b"%.3s", &[V::S(b"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")], Ok(b"zzz")),
        (b"%-s|", &[V::S(b"wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww")], Ok(b"wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww|")),
        (b"%-s|", &[V::S(b"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv")], Ok(b"vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv|")),
        (b"%120s", &[], Err("bad argument #2 to 'format' (no value)")),
        (b"%s", &[V::F(0x430c6bf526340000)], Ok(b"1e+15")),
        (b"%s", &[V::F(0x8000000000000000)], Ok(b"-0.0")),
        (b"%s", &[V::I(i64::MIN)], Ok(b"-9223372036854775808")),
        (b"%5s", &[V::I(12)], Ok(b"   12")),
        (b"%q", &[V::S(b"hello")], Ok(b"\x22hello\x22")),
        (b"%q", &[V::S(b"a \x22quoted\x22 \x5c string\x0anew line")], Ok(b"\x22a \x5c\x22quoted\x5c\x22 \x5c\x5c string\x5c\x0anew line\x22")),
        (b"%q", &[V::S(b"\x0d\x00\x01\x019\x7f\x80\xff")], Ok(b"\x22\x5c13\x5c0\x5c1\x5c0019\x5c127\x80\xff\x22")),
        (b"%q", &[V::S(b"\x00")], Ok(b"\x22\x5c0\x22")),
        (b"%q", &[V::S(b"tab\x09x")], Ok(b"\x22tab\x5c9x\x22")),
        (b"%q", &[V::S(b"\x00a0")], Ok(b"\x22\x5c0a0\x22")),
        (b"%q", &[V::I(42)], Ok(b"42")),
        (b"%q", &[V::I(-42)], Ok(b"-42")),
        (b"%q", &[V::I(i64::MIN)], Ok(b"0x8000000000000000")),
        (b"%q", &[V::I(9223372036854775807)], Ok(b"9223372036854775807")),
        (b"%q", &[V::F(0x3ff8000000000000)], Ok(b"0x1.8p+0")),
        (b"%q", &[V::F(0x4008000000000000)], Ok(b"0x1.8p+1")),
        (b"%q", &[V::F(0x8000000000000000)], Ok(b"-0x0p+0")),
        (b"%q", &[V::F(0x3fb999999999999a)], Ok(b"0x1.999999999999ap-4")),
        (b"%q", &[V::F(0x7ff0000000000000)], Ok(b"inf")),
        (b"%q", &[V::F(0xfff0000000000000)], Ok(b"-inf")),
        (b"%q", &[V::F(0xfff8000000000000)], Ok(b"-nan")),
        (b"%q", &[V::F(0x7e37e43c8800759c)], Ok(b"0x1.7e43c8800759cp+996")),
        (b"%q", &[V::F(0x0000000000000001)], Ok(b"0x0.0000000000001p-1022")),
        (b"%q", &[V::Nil], Ok(b"nil")),
        (b"%q", &[V::B(true)], Ok(b"true")),
        (b"%q", &[V::B(false)], Ok(b"false")),
        (b"%q", &[V::T], Err("bad argument #2 to 'format' (value has no literal form)")),
        (b"%10q", &[V::S(b"a")], Ok(b"\x22a\x22")),
        (b"%-5.3q", &[V::I(12)], Ok(b"12")),
        (b"%", &[], Err("bad argument #2 to 'format' (no value)")),
        (b"%", &[V::I(1)], Err("invalid option '%<\\0>' to 'format'")),
        (b"abc%", &[V::I(1)], Err("invalid option '%<\\0>' to 'format'")),
        (b"%d", &[], Err("bad argument #2 to 'format' (no value)")),
        (b"%d %d", &[V::I(1)], Err("bad argument #3 to 'format' (no value)")),
        (b"%y", &[V::I(1)], Err("invalid option '%y' to 'format'")),
        (b"%y", &[], Err("bad argument #2 to 'format' (no value)")),
        (b"%F", &[V::F(0x3ff0000000000000)], Err("invalid option '%F' to 'format'")),
        (b"%ld", &[V::I(1)], Err("invalid option '%l' to 'format'")),
        (b"%\x01", &[V::I(1)], Err("invalid option '%<\\1>' to 'format'")),
        (b"%\xc8", &[V::I(1)], Err("invalid option '%<\\200>' to 'format'")),
        (b"%------d", &[V::I(1)], Err("invalid format (repeated flags)")),
        (b"%-----d", &[V::I(1)], Ok(b"1")),
        (b"%-+ #0d", &[V::I(1)], Ok(b"+1")),
        (b"%-+ #0-d", &[V::I(1)], Err("invalid format (repeated flags)")),
        (b"%100d", &[V::I(1)], Err("invalid format (width or precision too long)")),
        (b"%1000d", &[V::I(1)], Err("invalid format (width or precision too long)")),
        (b"%.100d", &[V::I(1)], Err("invalid format (width or precision too long)")),
        (b"%.123f", &[V::I(1)], Err("invalid format (width or precision too long)")),
        (b"%5.5.5d", &[V::I(1)], Err("invalid option '%.' to 'format'")),
        (b"%*d", &[V::I(1), V::I(2)], Err("invalid option '%*' to 'format'")),
        (b"%5", &[V::I(1)], Err("invalid option '%<\\0>' to 'format'")),
        (b"%.3", &[V::I(1)], Err("invalid option '%<\\0>' to 'format'")),
        (b"%-", &[V::I(1)], Err("invalid option '%<\\0>' to 'format'")),
        (b"%5.", &[V::I(1)], Err("invalid option '%<\\0>' to 'format'")),
        (b"%5.f", &[V::F(0x4004000000000000)], Ok(b"    2")),
        (b"%#5.x", &[V::I(0)], Ok(b"     ")),
        (b"%00005d", &[V::I(1)], Ok(b"00001")),
        (b"%000005d", &[V::I(1)], Ok(b"00001")),
        (b"%+s", &[V::S(b"x")], Ok(b"x")),
        (b"% 5s", &[V::S(b"x")], Ok(b"    x")),
        (b"%#s", &[V::S(b"x")], Ok(b"x")),
        (b"%05s", &[V::S(b"x")], Ok(b"    x")),
        (b"%d%s", &[V::I(1)], Err("bad argument #3 to 'format' (no value)")),
        (b"%s%d", &[V::S(b"a"), V::S(b"b")], Err("bad argument #3 to 'format' (number expected, got string)")),
    ];

    #[test]
    fn lformat_cases_match_lua53() {
        let mut bad = Vec::new();
        for &(fmt, args, want) in CASES {
            let got = format(fmt, &mut Args(args));
            let got = got.as_ref().map(|v| v.as_slice()).map_err(|e| e.as_str());
            if got != want {
                let show = |r: Result<&[u8], &str>| match r {
                    Ok(b) => format!("Ok({:?})", String::from_utf8_lossy(b)),
                    Err(e) => format!("Err({e:?})"),
                };
                bad.push(format!(
                    "{:?} {args:?}: got {} want {}",
                    String::from_utf8_lossy(fmt),
                    show(got),
                    show(want)
                ));
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
    fn lformat_quoted_helpers() {
        let mut out = Vec::new();
        add_quoted(&mut out, b"a\"b\\c\nd\re\0f\x001\x7f\xff");
        assert_eq!(
            out,
            b"\"a\\\"b\\\\c\\\nd\\13e\\0f\\0001\\127\xff\"".to_vec()
        );
        out.clear();
        add_quoted_integer(&mut out, i64::MIN);
        out.push(b' ');
        add_quoted_integer(&mut out, -5);
        out.push(b' ');
        add_quoted_float(&mut out, 0.5);
        assert_eq!(out, b"0x8000000000000000 -5 0x1p-1".to_vec());
    }

    proptest::proptest! {
        #[test]
        fn lformat_never_panics(
            fmt in proptest::collection::vec(proptest::sample::select(b"%%%-+ #0123456789.dicuxXoeEfgGaAqsz".to_vec()), 0..24),
            ints in proptest::collection::vec(proptest::prelude::any::<i64>(), 0..4),
        ) {
            let args: Vec<V> = ints.iter().enumerate().map(|(k, &i)| match k % 3 {
                0 => V::I(i),
                1 => V::F(i as u64),
                _ => V::S(b"str"),
            }).collect();
            let _ = format(&fmt, &mut Args(&args));
        }
    }
}
