//! Binary chunks: `dump` writes a `Proto` in PUC-Rio Lua 5.3's precompiled format
//! (`string.dump`, `luac` output; little-endian, 4-byte int, 8-byte size_t,
//! `lua_Integer` and `lua_Number`, as on x86-64/aarch64), and `undump` reads one.
//!
//! Invariants:
//! - `dump(compile(s))` is byte-identical to `string.dump(load(s))` of lua5.3 for
//!   the same chunk name (tested differentially);
//! - `undump` never panics and never allocates more than the input can describe
//!   (every count is checked against the bytes left); function nesting is limited
//!   to `MAX_NESTING` levels (PUC has no limit but its C stack);
//! - a stripped chunk (no line info) loads with all lines 0, so that
//!   `line_info.len() == code.len()` still holds; `undump` does not verify the
//!   code: callers run `verify` before executing it.

use std::sync::Arc;

use crate::proto::{Constant, LocVar, Proto, UpvalDesc};

/// First bytes of every binary chunk (`"\x1bLua"`).
pub const LUA_SIGNATURE: &[u8] = b"\x1bLua";
const LUAC_VERSION: u8 = 0x53;
const LUAC_FORMAT: u8 = 0;
const LUAC_DATA: &[u8] = b"\x19\x93\r\n\x1a\n";
const LUAC_INT: i64 = 0x5678;
const LUAC_NUM: f64 = 370.5;
/// Longest string PUC 5.3 keeps as a "short" (interned) string.
const LUAI_MAXSHORTLEN: usize = 40;
/// Deepest function nesting `undump` accepts.
pub const MAX_NESTING: usize = 200;

const TNIL: u8 = 0;
const TBOOLEAN: u8 = 1;
const TNUMFLT: u8 = 3;
const TNUMINT: u8 = 3 | (1 << 4);
const TSHRSTR: u8 = 4;
const TLNGSTR: u8 = 4 | (1 << 4);

struct Writer {
    out: Vec<u8>,
    strip: bool,
}

impl Writer {
    fn byte(&mut self, b: u8) {
        self.out.push(b);
    }
    fn int(&mut self, x: usize) {
        self.out.extend_from_slice(&(x as i32).to_le_bytes());
    }
    fn string(&mut self, s: Option<&[u8]>) {
        match s {
            None => self.byte(0),
            Some(s) => {
                let size = s.len() + 1;
                if size < 0xFF {
                    self.byte(size as u8);
                } else {
                    self.byte(0xFF);
                    self.out.extend_from_slice(&(size as u64).to_le_bytes());
                }
                self.out.extend_from_slice(s);
            }
        }
    }

    fn function(&mut self, f: &Proto, psource: Option<&Arc<[u8]>>) {
        let same = psource.is_some_and(|p| {
            Arc::ptr_eq(p, &f.source)
                || (f.source.len() <= LUAI_MAXSHORTLEN && p[..] == f.source[..])
        });
        if self.strip || same {
            self.string(None);
        } else {
            self.string(Some(&f.source));
        }
        self.int(f.line_defined as usize);
        self.int(f.last_line_defined as usize);
        self.byte(f.num_params);
        self.byte(f.is_vararg as u8);
        self.byte(f.max_stack_size);
        self.int(f.code.len());
        for i in &f.code {
            self.out.extend_from_slice(&i.to_le_bytes());
        }
        self.int(f.constants.len());
        for k in &f.constants {
            match k {
                Constant::Nil => self.byte(TNIL),
                Constant::Bool(b) => {
                    self.byte(TBOOLEAN);
                    self.byte(*b as u8);
                }
                Constant::Float(x) => {
                    self.byte(TNUMFLT);
                    self.out.extend_from_slice(&x.to_le_bytes());
                }
                Constant::Int(n) => {
                    self.byte(TNUMINT);
                    self.out.extend_from_slice(&n.to_le_bytes());
                }
                Constant::Str(s) => {
                    self.byte(if s.len() <= LUAI_MAXSHORTLEN {
                        TSHRSTR
                    } else {
                        TLNGSTR
                    });
                    self.string(Some(s));
                }
            }
        }
        self.int(f.upvalues.len());
        for u in &f.upvalues {
            self.byte(u.in_stack as u8);
            self.byte(u.index);
        }
        self.int(f.protos.len());
        for p in &f.protos {
            self.function(p, Some(&f.source));
        }
        let strip = self.strip;
        let n = if strip { 0 } else { f.line_info.len() };
        self.int(n);
        for l in &f.line_info[..n] {
            self.out.extend_from_slice(&(*l as i32).to_le_bytes());
        }
        let n = if strip { 0 } else { f.loc_vars.len() };
        self.int(n);
        for v in &f.loc_vars[..n] {
            self.string(Some(&v.name));
            self.int(v.start_pc as usize);
            self.int(v.end_pc as usize);
        }
        let n = if strip { 0 } else { f.upvalues.len() };
        self.int(n);
        for u in &f.upvalues[..n] {
            self.string(u.name.as_deref());
        }
    }
}

/// The binary chunk of `p` (PUC's `luaU_dump`); `strip` drops debug information.
pub fn dump(p: &Proto, strip: bool) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::new(),
        strip,
    };
    w.out.extend_from_slice(LUA_SIGNATURE);
    w.byte(LUAC_VERSION);
    w.byte(LUAC_FORMAT);
    w.out.extend_from_slice(LUAC_DATA);
    w.out.extend_from_slice(&[4, 8, 4, 8, 8]);
    w.out.extend_from_slice(&LUAC_INT.to_le_bytes());
    w.out.extend_from_slice(&LUAC_NUM.to_le_bytes());
    w.byte(p.upvalues.len() as u8);
    w.function(p, None);
    w.out
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    name: String,
}

impl Reader<'_> {
    fn error(&self, why: &str) -> String {
        format!("{}: {} precompiled chunk", self.name, why)
    }
    fn block(&mut self, n: usize) -> Result<&[u8], String> {
        if self.data.len() - self.pos < n {
            return Err(self.error("truncated"));
        }
        let b = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(b)
    }
    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.block(1)?[0])
    }
    fn raw_int(&mut self) -> Result<i32, String> {
        let b = self.block(4)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// A count of items of at least `min_size` bytes each.
    fn count(&mut self, min_size: usize) -> Result<usize, String> {
        let n = self.raw_int()?;
        if n < 0 || (n as usize).saturating_mul(min_size) > self.data.len() - self.pos {
            return Err(self.error("truncated"));
        }
        Ok(n as usize)
    }
    fn u32_(&mut self) -> Result<u32, String> {
        Ok(self.raw_int()? as u32)
    }
    fn eight(&mut self) -> Result<[u8; 8], String> {
        let b = self.block(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(a)
    }
    fn string(&mut self) -> Result<Option<Vec<u8>>, String> {
        let mut size = self.byte()? as u64;
        if size == 0xFF {
            size = u64::from_le_bytes(self.eight()?);
        }
        if size == 0 {
            return Ok(None);
        }
        let n = usize::try_from(size - 1).map_err(|_| self.error("truncated"))?;
        Ok(Some(self.block(n)?.to_vec()))
    }

    fn function(&mut self, psource: Option<&Arc<[u8]>>, depth: usize) -> Result<Proto, String> {
        if depth > MAX_NESTING {
            return Err(self.error("too deeply nested"));
        }
        let source: Arc<[u8]> = match (self.string()?, psource) {
            (Some(s), _) => Arc::from(s),
            (None, Some(p)) => p.clone(),
            (None, None) => Arc::from(&b"=?"[..]),
        };
        let line_defined = self.u32_()?;
        let last_line_defined = self.u32_()?;
        let num_params = self.byte()?;
        let is_vararg = self.byte()? != 0;
        let max_stack_size = self.byte()?;
        let n = self.count(4)?;
        let mut code = Vec::with_capacity(n);
        for _ in 0..n {
            code.push(self.u32_()?);
        }
        let n = self.count(1)?;
        let mut constants = Vec::with_capacity(n);
        for _ in 0..n {
            let k = match self.byte()? {
                TNIL => Constant::Nil,
                TBOOLEAN => Constant::Bool(self.byte()? != 0),
                TNUMFLT => Constant::Float(f64::from_le_bytes(self.eight()?)),
                TNUMINT => Constant::Int(i64::from_le_bytes(self.eight()?)),
                TSHRSTR | TLNGSTR => match self.string()? {
                    Some(s) => Constant::Str(s.into_boxed_slice()),
                    None => return Err(self.error("bad constant in")),
                },
                _ => return Err(self.error("bad constant in")),
            };
            constants.push(k);
        }
        let n = self.count(2)?;
        let mut upvalues = Vec::with_capacity(n);
        for _ in 0..n {
            let in_stack = self.byte()? != 0;
            let index = self.byte()?;
            upvalues.push(UpvalDesc {
                name: None,
                in_stack,
                index,
            });
        }
        let n = self.count(1)?;
        let mut protos = Vec::with_capacity(n);
        for _ in 0..n {
            protos.push(Arc::new(self.function(Some(&source), depth + 1)?));
        }
        let n = self.count(4)?;
        let mut line_info = Vec::with_capacity(n);
        for _ in 0..n {
            line_info.push(self.u32_()?);
        }
        if line_info.is_empty() {
            line_info = vec![0; code.len()];
        }
        let n = self.count(9)?;
        let mut loc_vars = Vec::with_capacity(n);
        for _ in 0..n {
            let name = self.string()?.unwrap_or_default().into_boxed_slice();
            let start_pc = self.u32_()?;
            let end_pc = self.u32_()?;
            loc_vars.push(LocVar {
                name,
                start_pc,
                end_pc,
            });
        }
        let n = self.count(1)?;
        for i in 0..n {
            let name = self.string()?.map(Vec::into_boxed_slice);
            match upvalues.get_mut(i) {
                Some(u) => u.name = name,
                None => return Err(self.error("bad upvalue names in")),
            }
        }
        Ok(Proto {
            source,
            line_defined,
            last_line_defined,
            num_params,
            is_vararg,
            max_stack_size,
            code,
            constants,
            protos,
            upvalues,
            line_info,
            loc_vars,
        })
    }
}

/// Reads a binary chunk (PUC's `luaU_undump`); `chunkname` is used in error
/// messages (`name: truncated precompiled chunk`). Returns the main prototype; the
/// closure to create has `upvalues.len()` upvalues.
pub fn undump(data: &[u8], chunkname: &[u8]) -> Result<Proto, String> {
    let name = match chunkname.first() {
        Some(b'@') | Some(b'=') => String::from_utf8_lossy(&chunkname[1..]).into_owned(),
        Some(0x1b) => "binary string".to_string(),
        _ => String::from_utf8_lossy(chunkname).into_owned(),
    };
    let mut r = Reader { data, pos: 0, name };
    if r.block(4)? != LUA_SIGNATURE {
        return Err(r.error("not a"));
    }
    if r.byte()? != LUAC_VERSION {
        return Err(r.error("version mismatch in"));
    }
    if r.byte()? != LUAC_FORMAT {
        return Err(r.error("format mismatch in"));
    }
    if r.block(LUAC_DATA.len())? != LUAC_DATA {
        return Err(r.error("corrupted"));
    }
    for (size, tname) in [
        (4, "int"),
        (8, "size_t"),
        (4, "Instruction"),
        (8, "lua_Integer"),
        (8, "lua_Number"),
    ] {
        if r.byte()? != size {
            return Err(r.error(&format!("{} size mismatch in", tname)));
        }
    }
    if i64::from_le_bytes(r.eight()?) != LUAC_INT {
        return Err(r.error("endianness mismatch in"));
    }
    if f64::from_le_bytes(r.eight()?) != LUAC_NUM {
        return Err(r.error("float format mismatch in"));
    }
    let _nupvalues = r.byte()?;
    r.function(None, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let p = crate::compile(
            b"local a = {1, 'x', 2.5, true} return function() return a end",
            b"@t.lua",
        )
        .unwrap();
        let d = dump(&p, false);
        let q = undump(&d, b"=t").unwrap();
        assert_eq!(dump(&q, false), d);
        let s = dump(&p, true);
        let q = undump(&s, b"=t").unwrap();
        assert_eq!(q.line_info.len(), q.code.len());
        assert!(crate::verify(&q).is_ok());
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(
            undump(b"\x1bLu", b"=x").unwrap_err(),
            "x: truncated precompiled chunk"
        );
        assert_eq!(
            undump(b"\x1bLux", b"=x").unwrap_err(),
            "x: not a precompiled chunk"
        );
        let p = crate::compile(b"return 1", b"=t").unwrap();
        let d = dump(&p, false);
        for n in 0..d.len() {
            assert!(undump(&d[..n], b"=x").is_err());
        }
    }
}
