//! The `utf8` library (manual §6.5): `char`, `charpattern`, `codepoint`, `len`,
//! `offset`, `codes`, with the rules of PUC-Rio Lua 5.3.6's `lutf8lib.c`: code points
//! up to `0x10FFFF` (`MAXUNICODE`), sequences of at most 4 bytes, no overlong
//! encodings, surrogates accepted.
//!
//! Invariant: a subject string is read as a C string would be, with a `\0` after its
//! last byte (reads past the end see 0, never a panic), so positions and results match
//! PUC's pointer arithmetic exactly.

use luavm_vm::state::{EXTRA_STACK, MAX_STACK};
use luavm_vm::{arith, LuaResult, State, Value};

use crate::lstring::pos_relat;
use crate::Lib;

/// Largest code point `utf8.char` encodes and the decoder accepts.
const MAXUNICODE: u32 = 0x10FFFF;

/// A single UTF-8 character: `[\0-\x7F\xC2-\xF4][\x80-\xBF]*`.
const UTF8PATT: &[u8] = b"[\0-\x7F\xC2-\xF4][\x80-\xBF]*";

pub const FUNCS: Lib = &[
    ("offset", offset),
    ("codepoint", codepoint),
    ("char", char),
    ("len", len),
    ("codes", codes),
];

pub fn open(s: &mut State) {
    let t = crate::open_lib_with(s, "utf8", FUNCS, 1);
    let patt = s.str_value(UTF8PATT);
    s.raw_set_static(t, "charpattern", patt);
}

/// Byte `i` of `s`, or 0 past its end (the C string terminator).
fn byte_at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// Is byte `i` of `s` a continuation byte (`10xxxxxx`)?
fn iscont(s: &[u8], i: usize) -> bool {
    byte_at(s, i) & 0xC0 == 0x80
}

/// Decode the sequence starting at byte `i`: its code point and the index just past
/// it, or `None` for an invalid sequence (PUC's `utf8_decode`).
fn decode(s: &[u8], i: usize) -> Option<(u32, usize)> {
    const LIMITS: [u32; 4] = [0xFF, 0x7F, 0x7FF, 0xFFFF];
    let mut c = u32::from(byte_at(s, i));
    if c < 0x80 {
        return Some((c, i + 1));
    }
    let mut res: u32 = 0;
    let mut count = 0usize;
    while c & 0x40 != 0 {
        count += 1;
        let cc = u32::from(byte_at(s, i + count));
        if cc & 0xC0 != 0x80 {
            return None;
        }
        if count > 3 {
            // too long: PUC rejects it once all continuation bytes are read, and
            // the answer (invalid) is the same
            return None;
        }
        res = (res << 6) | (cc & 0x3F);
        c <<= 1;
    }
    res |= (c & 0x7F) << (count * 5);
    if res > MAXUNICODE || res <= LIMITS[count] {
        return None;
    }
    Some((res, i + count + 1))
}

/// Encode `x` (at most `0x7FFFFFFF`) as PUC's `luaO_utf8esc` does.
fn encode(x: u32, out: &mut Vec<u8>) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut tail = Vec::with_capacity(6);
    let mut x = x;
    let mut mfb: u32 = 0x3F; // largest value that fits in the first byte
    loop {
        tail.push(0x80 | (x & 0x3F) as u8);
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    out.push(((!mfb << 1) | x) as u8);
    out.extend(tail.iter().rev());
}

/// `utf8.len (s [, i [, j]])`: number of characters starting in `[i, j]`, or nil and
/// the position of the first invalid byte.
fn len(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let b = st.as_bytes();
    let l = b.len() as i64;
    let posi = pos_relat(s.opt_integer(2, 1)?, b.len());
    let posj = pos_relat(s.opt_integer(3, -1)?, b.len());
    if !(1 <= posi && posi - 1 <= l) {
        return Err(s.arg_error(2, "initial position out of string"));
    }
    let mut posi = posi - 1;
    // posj >= 0 here, so posj - 1 cannot overflow
    let posj = posj - 1;
    if posj >= l {
        return Err(s.arg_error(3, "final position out of string"));
    }
    let mut n: i64 = 0;
    while posi <= posj {
        match decode(b, posi as usize) {
            Some((_, next)) => {
                posi = next as i64;
                n += 1;
            }
            None => {
                s.push(Value::Nil);
                s.push(Value::Int(posi + 1));
                return Ok(2);
            }
        }
    }
    s.push(Value::Int(n));
    Ok(1)
}

/// `utf8.codepoint (s [, i [, j]])`: the code points of the characters starting in
/// `[i, j]`.
fn codepoint(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let b = st.as_bytes();
    let posi = pos_relat(s.opt_integer(2, 1)?, b.len());
    let pose = pos_relat(s.opt_integer(3, posi)?, b.len());
    if posi < 1 {
        return Err(s.arg_error(2, "out of range"));
    }
    if pose > b.len() as i64 {
        return Err(s.arg_error(3, "out of range"));
    }
    if posi > pose {
        return Ok(0);
    }
    // both are in [1, len] now
    let count = (pose - posi) as u64;
    if count >= i32::MAX as u64 {
        return Err(s.lib_error("string slice too long"));
    }
    let count = count as usize + 1;
    if s.top() + EXTRA_STACK + count > MAX_STACK {
        return Err(s.lib_error("stack overflow (string slice too long)"));
    }
    s.check_stack(count)?;
    let end = pose as usize;
    let mut i = posi as usize - 1;
    let mut n = 0;
    while i < end {
        match decode(b, i) {
            Some((code, next)) => {
                s.push(Value::Int(i64::from(code)));
                n += 1;
                i = next;
            }
            None => return Err(s.lib_error("invalid UTF-8 code")),
        }
    }
    Ok(n)
}

/// `utf8.char (···)`: the concatenated UTF-8 encodings of the arguments.
fn char(s: &mut State) -> LuaResult<usize> {
    let n = s.nargs();
    let mut out = Vec::new();
    for i in 1..=n {
        let code = s.check_integer(i)?;
        match u32::try_from(code) {
            Ok(c) if c <= MAXUNICODE => encode(c, &mut out),
            _ => return Err(s.arg_error(i, "value out of range")),
        }
    }
    let v = Value::Str(s.new_str_vec(out));
    s.push(v);
    Ok(1)
}

/// `utf8.offset (s, n [, i])`: the byte position where the `n`-th character counted
/// from position `i` starts (0: the character containing byte `i`), or nil.
fn offset(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let b = st.as_bytes();
    let l = b.len() as i64;
    let mut n = s.check_integer(2)?;
    let default = if n >= 0 { 1 } else { l + 1 };
    let posi = pos_relat(s.opt_integer(3, default)?, b.len());
    if !(1 <= posi && posi - 1 <= l) {
        return Err(s.arg_error(3, "position out of range"));
    }
    // 0-based, in [0, len]
    let mut posi = (posi - 1) as usize;
    if n == 0 {
        while posi > 0 && iscont(b, posi) {
            posi -= 1;
        }
    } else {
        if iscont(b, posi) {
            return Err(s.lib_error("initial position is a continuation byte"));
        }
        if n < 0 {
            while n < 0 && posi > 0 {
                loop {
                    posi -= 1;
                    if !(posi > 0 && iscont(b, posi)) {
                        break;
                    }
                }
                n += 1;
            }
        } else {
            n -= 1; // do not move for the first character
            while n > 0 && posi < b.len() {
                loop {
                    posi += 1;
                    if !iscont(b, posi) {
                        break;
                    }
                }
                n -= 1;
            }
        }
    }
    if n == 0 {
        s.push(Value::Int(posi as i64 + 1));
    } else {
        s.push(Value::Nil);
    }
    Ok(1)
}

/// The iterator of `utf8.codes`: from the control value (the position of the last
/// character), the position and code point of the next one.
fn iter_aux(s: &mut State) -> LuaResult<usize> {
    let st = s.check_string(1)?;
    let b = st.as_bytes();
    let l = b.len() as i64;
    let mut n = arith::to_integer(s.arg(2)).unwrap_or(0).wrapping_sub(1);
    if n < 0 {
        n = 0;
    } else if n < l {
        n += 1; // skip the current byte
        while iscont(b, n as usize) {
            n += 1; // and its continuations
        }
    }
    if n >= l {
        return Ok(0);
    }
    match decode(b, n as usize) {
        Some((code, next)) if !iscont(b, next) => {
            s.push(Value::Int(n + 1));
            s.push(Value::Int(i64::from(code)));
            Ok(2)
        }
        _ => Err(s.lib_error("invalid UTF-8 code")),
    }
}

/// `utf8.codes (s)`: `iter_aux, s, 0` for a generic `for`.
fn codes(s: &mut State) -> LuaResult<usize> {
    s.check_string(1)?;
    let v = s.arg(1);
    s.push(Value::NativeFn(iter_aux));
    s.push(v);
    s.push(Value::Int(0));
    Ok(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_matches_std_for_scalar_values() {
        for c in [0u32, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF] {
            let mut out = Vec::new();
            encode(c, &mut out);
            let ch = char::from_u32(c).unwrap();
            assert_eq!(out, ch.to_string().into_bytes());
            assert_eq!(decode(&out, 0), Some((c, out.len())));
        }
    }

    #[test]
    fn decode_rejects_overlong_long_and_truncated() {
        assert_eq!(decode(b"\xC0\x80", 0), None);
        assert_eq!(decode(b"\xE0\x80\x80", 0), None);
        assert_eq!(decode(b"\xF4\x90\x80\x80", 0), None);
        assert_eq!(decode(b"\xF8\x88\x80\x80\x80", 0), None);
        assert_eq!(decode(b"\xFF\xBF\xBF\xBF\xBF\xBF\xBF\xBF", 0), None);
        assert_eq!(decode(b"\xE4\xB8", 0), None);
        assert_eq!(decode(b"\xED\xA0\x80", 0), Some((0xD800, 3)));
        assert_eq!(decode(b"", 0), Some((0, 1)));
    }
}
