//! `string.pack`, `string.unpack` and `string.packsize` (manual §6.4.2): the format
//! language (endianness `< > =`, maximum alignment `![n]`, integers `b B h H l L j J T
//! i[n] I[n]`, floats `f d n`, strings `c[n] s[n] z`, padding `x X[op]`, spaces), with
//! the sizes, alignment rules, overflow checks and messages of PUC-Rio Lua 5.3.6 on a
//! 64-bit little- or big-endian machine (`int` 4 bytes, `long`/`size_t`/`lua_Integer`
//! 8 bytes, maximum native alignment 8).
//!
//! Invariants:
//! - the format is read as a C string: it ends at its first `\0`;
//! - no arithmetic on sizes or positions taken from the caller can overflow or index
//!   out of bounds: every position is checked against the data before it is read, and
//!   results that would not fit in memory raise "not enough memory" instead of aborting.

use luavm_vm::state::{EXTRA_STACK, MAX_STACK};
use luavm_vm::{LuaResult, State, Value};

/// Widest integer a format can ask for (`i16`, `I16`, `s16`).
const MAXINTSIZE: usize = 16;
/// Bytes of a `lua_Integer`.
const SZINT: usize = 8;
/// The native maximum alignment (`!` without a number).
const MAXALIGN: usize = 8;
/// Largest size the library accepts (PUC's `MAXSIZE`: `INT_MAX` where `size_t` is wider).
const MAXSIZE: usize = i32::MAX as usize;
const NATIVE_LITTLE: bool = cfg!(target_endian = "little");

/// What an option does (PUC's `KOption`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KOption {
    /// signed integer
    Int,
    /// unsigned integer
    Uint,
    /// floating-point number
    Float,
    /// fixed-length string
    Char,
    /// string preceded by its length
    String,
    /// zero-terminated string
    Zstr,
    /// one byte of padding
    Padding,
    /// padding up to an alignment
    PaddAlign,
    /// configuration or space
    Nop,
}

/// The state of a format as it is read: the remaining text, endianness, alignment.
struct Format<'a> {
    fmt: &'a [u8],
    pos: usize,
    little: bool,
    maxalign: usize,
}

/// One parsed option with its size and the padding that aligns it.
struct Item {
    opt: KOption,
    size: usize,
    ntoalign: usize,
}

impl<'a> Format<'a> {
    fn new(fmt: &'a [u8]) -> Self {
        let end = fmt.iter().position(|&c| c == 0).unwrap_or(fmt.len());
        Format {
            fmt: &fmt[..end],
            pos: 0,
            little: NATIVE_LITTLE,
            maxalign: 1,
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.fmt.len()
    }

    fn peek(&self) -> Option<u8> {
        self.fmt.get(self.pos).copied()
    }

    /// A numeral, or `df` when none follows (PUC's `getnum`: stops before overflowing).
    fn getnum(&mut self, df: usize) -> usize {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                let mut a: usize = 0;
                while let Some(c) = self.peek() {
                    if !c.is_ascii_digit() || a > (MAXSIZE - 9) / 10 {
                        break;
                    }
                    a = a * 10 + usize::from(c - b'0');
                    self.pos += 1;
                }
                a
            }
            _ => df,
        }
    }

    /// A numeral limited to `[1, MAXINTSIZE]` (PUC's `getnumlimit`).
    fn getnumlimit(&mut self, s: &mut State, df: usize) -> LuaResult<usize> {
        let sz = self.getnum(df);
        if sz > MAXINTSIZE || sz == 0 {
            return Err(s.lib_error(&format!(
                "integral size ({sz}) out of limits [1,{MAXINTSIZE}]"
            )));
        }
        Ok(sz)
    }

    /// Read and classify the next option; returns it with its size (PUC's `getoption`).
    fn getoption(&mut self, s: &mut State) -> LuaResult<(KOption, usize)> {
        let Some(opt) = self.peek() else {
            return Ok((KOption::Nop, 0));
        };
        self.pos += 1;
        Ok(match opt {
            b'b' => (KOption::Int, 1),
            b'B' => (KOption::Uint, 1),
            b'h' => (KOption::Int, 2),
            b'H' => (KOption::Uint, 2),
            b'l' => (KOption::Int, 8),
            b'L' => (KOption::Uint, 8),
            b'j' => (KOption::Int, SZINT),
            b'J' => (KOption::Uint, SZINT),
            b'T' => (KOption::Uint, 8),
            b'f' => (KOption::Float, 4),
            b'd' | b'n' => (KOption::Float, 8),
            b'i' => (KOption::Int, self.getnumlimit(s, 4)?),
            b'I' => (KOption::Uint, self.getnumlimit(s, 4)?),
            b's' => (KOption::String, self.getnumlimit(s, 8)?),
            b'c' => match self.getnum(usize::MAX) {
                usize::MAX => {
                    return Err(s.lib_error("missing size for format option 'c'"));
                }
                n => (KOption::Char, n),
            },
            b'z' => (KOption::Zstr, 0),
            b'x' => (KOption::Padding, 1),
            b'X' => (KOption::PaddAlign, 0),
            b' ' => (KOption::Nop, 0),
            b'<' => {
                self.little = true;
                (KOption::Nop, 0)
            }
            b'>' => {
                self.little = false;
                (KOption::Nop, 0)
            }
            b'=' => {
                self.little = NATIVE_LITTLE;
                (KOption::Nop, 0)
            }
            b'!' => {
                self.maxalign = self.getnumlimit(s, MAXALIGN)?;
                (KOption::Nop, 0)
            }
            c => {
                // lua_pushfstring's %c: non-printable bytes are shown as their code
                let shown = if (0x20..0x7F).contains(&c) {
                    char::from(c).to_string()
                } else {
                    format!("<\\{c}>")
                };
                return Err(s.lib_error(&format!("invalid format option '{shown}'")));
            }
        })
    }

    /// The next option with the padding that aligns it at offset `total`
    /// (PUC's `getdetails`).
    fn getdetails(&mut self, s: &mut State, total: usize) -> LuaResult<Item> {
        let (opt, size) = self.getoption(s)?;
        let mut align = size;
        if opt == KOption::PaddAlign {
            // 'X' takes its alignment from the next option, which it consumes
            let next = if self.at_end() {
                None
            } else {
                Some(self.getoption(s)?)
            };
            match next {
                Some((o, a)) if o != KOption::Char && a != 0 => align = a,
                _ => return Err(s.arg_error(1, "invalid next option for option 'X'")),
            }
        }
        let ntoalign = if align <= 1 || opt == KOption::Char {
            0
        } else {
            let align = align.min(self.maxalign);
            if !align.is_power_of_two() {
                return Err(s.arg_error(1, "format asks for alignment not power of 2"));
            }
            (align - (total & (align - 1))) & (align - 1)
        };
        Ok(Item {
            opt,
            size,
            ntoalign,
        })
    }
}

/// Make room for `n` more bytes of a result, or raise "not enough memory".
fn reserve(s: &mut State, out: &mut Vec<u8>, n: usize) -> LuaResult<()> {
    if out.try_reserve(n).is_err() || out.len().saturating_add(n) > isize::MAX as usize {
        let v = s.str_value(b"not enough memory");
        return Err(s.error(v));
    }
    Ok(())
}

/// Append `n` as `size` bytes; bytes beyond a `lua_Integer` repeat the sign of a
/// negative number (PUC's `packint`).
fn pack_int(out: &mut Vec<u8>, n: u64, little: bool, size: usize, neg: bool) {
    let start = out.len();
    for i in 0..size {
        let byte = if i < SZINT {
            (n >> (8 * i)) as u8
        } else if neg {
            0xFF
        } else {
            0
        };
        out.push(byte);
    }
    if !little {
        out[start..].reverse();
    }
}

/// Read a `size`-byte integer from `bytes` (which holds at least `size` bytes): sign
/// extension for short signed ones, and a check that the bytes beyond a `lua_Integer`
/// are only sign (PUC's `unpackint`).
fn unpack_int(
    s: &mut State,
    bytes: &[u8],
    little: bool,
    size: usize,
    signed: bool,
) -> LuaResult<i64> {
    // byte `i` counted from the least significant one
    let at = |i: usize| -> u8 {
        let k = if little { i } else { size - 1 - i };
        bytes.get(k).copied().unwrap_or(0)
    };
    let limit = size.min(SZINT);
    let mut res: u64 = 0;
    for i in (0..limit).rev() {
        res = (res << 8) | u64::from(at(i));
    }
    if size < SZINT {
        if signed {
            let mask = 1u64 << (size * 8 - 1);
            res = (res ^ mask).wrapping_sub(mask);
        }
    } else if size > SZINT {
        let fill = if !signed || (res as i64) >= 0 {
            0
        } else {
            0xFF
        };
        if (limit..size).any(|i| at(i) != fill) {
            return Err(s.lib_error(&format!(
                "{size}-byte integer does not fit into Lua Integer"
            )));
        }
    }
    Ok(res as i64)
}

/// `string.pack (fmt, v1, v2, ···)`
pub fn pack(s: &mut State) -> LuaResult<usize> {
    let fmt = s.check_string(1)?;
    // as PUC, a nil above the arguments: a missing argument is reported as "got nil"
    s.push(Value::Nil);
    let mut f = Format::new(fmt.as_bytes());
    let mut out: Vec<u8> = Vec::new();
    let mut arg = 1;
    while !f.at_end() {
        let Item {
            opt,
            size,
            ntoalign,
        } = f.getdetails(s, out.len())?;
        reserve(s, &mut out, ntoalign)?;
        out.resize(out.len() + ntoalign, 0);
        arg += 1;
        match opt {
            KOption::Int => {
                let n = s.check_integer(arg)?;
                if size < SZINT {
                    let lim = 1i64 << (size * 8 - 1);
                    if !(-lim..lim).contains(&n) {
                        return Err(s.arg_error(arg, "integer overflow"));
                    }
                }
                pack_int(&mut out, n as u64, f.little, size, n < 0);
            }
            KOption::Uint => {
                let n = s.check_integer(arg)?;
                if size < SZINT && (n as u64) >= (1u64 << (size * 8)) {
                    return Err(s.arg_error(arg, "unsigned overflow"));
                }
                pack_int(&mut out, n as u64, f.little, size, false);
            }
            KOption::Float => {
                let n = s.check_number(arg)?;
                let mut bytes = if size == 4 {
                    (n as f32).to_le_bytes().to_vec()
                } else {
                    n.to_le_bytes().to_vec()
                };
                if !f.little {
                    bytes.reverse();
                }
                out.extend_from_slice(&bytes);
            }
            KOption::Char => {
                let st = s.check_string(arg)?;
                let len = st.len();
                if len > size {
                    return Err(s.arg_error(arg, "string longer than given size"));
                }
                reserve(s, &mut out, size)?;
                out.extend_from_slice(st.as_bytes());
                out.resize(out.len() + (size - len), 0);
            }
            KOption::String => {
                let st = s.check_string(arg)?;
                let len = st.len();
                if size < 8 && (len as u64) >= (1u64 << (size * 8)) {
                    return Err(s.arg_error(arg, "string length does not fit in given size"));
                }
                reserve(s, &mut out, size.saturating_add(len))?;
                pack_int(&mut out, len as u64, f.little, size, false);
                out.extend_from_slice(st.as_bytes());
            }
            KOption::Zstr => {
                let st = s.check_string(arg)?;
                if st.as_bytes().contains(&0) {
                    return Err(s.arg_error(arg, "string contains zeros"));
                }
                reserve(s, &mut out, st.len().saturating_add(1))?;
                out.extend_from_slice(st.as_bytes());
                out.push(0);
            }
            KOption::Padding => {
                out.push(0);
                arg -= 1;
            }
            KOption::PaddAlign | KOption::Nop => arg -= 1,
        }
    }
    let v = Value::Str(s.new_str_vec(out));
    s.push(v);
    Ok(1)
}

/// `string.packsize (fmt)`
pub fn packsize(s: &mut State) -> LuaResult<usize> {
    let fmt = s.check_string(1)?;
    let mut f = Format::new(fmt.as_bytes());
    let mut total: usize = 0;
    while !f.at_end() {
        let item = f.getdetails(s, total)?;
        let size = item.size.saturating_add(item.ntoalign);
        if size > MAXSIZE || total > MAXSIZE - size {
            return Err(s.arg_error(1, "format result too large"));
        }
        total += size;
        if matches!(item.opt, KOption::String | KOption::Zstr) {
            return Err(s.arg_error(1, "variable-length format"));
        }
    }
    s.push(Value::Int(total as i64));
    Ok(1)
}

/// `string.unpack (fmt, s [, pos])`
pub fn unpack(s: &mut State) -> LuaResult<usize> {
    let fmt = s.check_string(1)?;
    let data = s.check_string(2)?;
    let data = data.as_bytes();
    let ld = data.len();
    let init = crate::lstring::pos_relat(s.opt_integer(3, 1)?, ld);
    // 0-based start; PUC's `size_t` wraps 0 - 1 to a huge value that fails the check
    let mut pos = match usize::try_from(init) {
        Ok(p) if p >= 1 && p - 1 <= ld => p - 1,
        _ => return Err(s.arg_error(3, "initial position out of string")),
    };
    let mut f = Format::new(fmt.as_bytes());
    let mut n = 0;
    while !f.at_end() {
        let Item {
            opt,
            size,
            ntoalign,
        } = f.getdetails(s, pos)?;
        let end = pos
            .checked_add(ntoalign)
            .and_then(|p| p.checked_add(size))
            .filter(|&e| e <= ld);
        let Some(end) = end else {
            return Err(s.arg_error(2, "data string too short"));
        };
        pos += ntoalign;
        // stack space for this item and the final position; at the limit PUC fails
        // to build "stack overflow (too many results)" on the full stack and raises
        // plain "stack overflow"
        if s.top() + EXTRA_STACK + 2 > MAX_STACK {
            return Err(s.runtime_error("stack overflow"));
        }
        s.check_stack(2)?;
        n += 1;
        let item = &data[pos..end];
        match opt {
            KOption::Int | KOption::Uint => {
                let v = unpack_int(s, item, f.little, size, opt == KOption::Int)?;
                s.push(Value::Int(v));
            }
            KOption::Float => {
                let mut bytes = item.to_vec();
                if !f.little {
                    bytes.reverse();
                }
                let v = match <[u8; 4]>::try_from(bytes.as_slice()) {
                    Ok(b4) => f64::from(f32::from_le_bytes(b4)),
                    Err(_) => match <[u8; 8]>::try_from(bytes.as_slice()) {
                        Ok(b8) => f64::from_le_bytes(b8),
                        Err(_) => 0.0,
                    },
                };
                s.push(Value::Num(v));
            }
            KOption::Char => s.push_str(item),
            KOption::String => {
                let len = unpack_int(s, item, f.little, size, false)? as u64;
                // PUC adds in `size_t`: a huge length can wrap around and pass its
                // check, and then fails to allocate
                let wrapped = (pos as u64).wrapping_add(len).wrapping_add(size as u64);
                if wrapped > ld as u64 {
                    return Err(s.arg_error(2, "data string too short"));
                }
                let str_end = usize::try_from(len)
                    .ok()
                    .and_then(|l| end.checked_add(l))
                    .filter(|&e| e <= ld);
                let Some(str_end) = str_end else {
                    let v = s.str_value(b"memory allocation error: block too big");
                    return Err(s.error(v));
                };
                s.push_str(&data[end..str_end]);
                pos = str_end - size;
            }
            KOption::Zstr => {
                // as C's strlen on a Lua string: its terminating '\0' ends it at `ld`
                let rest = &data[pos..];
                let len = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
                s.push_str(&rest[..len]);
                pos += len + 1;
            }
            KOption::PaddAlign | KOption::Padding | KOption::Nop => n -= 1,
        }
        pos += size;
    }
    s.push(Value::Int(pos as i64 + 1));
    Ok(n + 1)
}
