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
pub fn format_into<A: FormatArgs + ?Sized>(out: &mut Vec<u8>, fmt: &[u8], args: &mut A) -> Result<(), A::Error> {
    let mut i = 0;
    let mut arg = 0;
    while i < fmt.len() {
        // Copy the run of plain bytes up to the next '%'.
        let run = fmt[i..].iter().position(|&c| c == b'%').unwrap_or(fmt.len() - i);
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
