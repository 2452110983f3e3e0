//! Function prototypes: the compiler's output, plain `Send + Sync` data.
//!
//! A `Proto` holds no GC handles: constants are plain values (`Constant`), nested
//! functions are `Arc<Proto>`. A VM turns constants into its own values once per
//! prototype when it loads it.
//!
//! Invariants (checked by `verify`, relied on by the VM's hot loop):
//! - every register operand is `< max_stack_size`;
//! - every constant index is `< constants.len()`, every upvalue index `< upvalues.len()`,
//!   every `CLOSURE` index `< protos.len()`;
//! - every jump lands inside `code`; `code` ends with a `RETURN`;
//! - `line_info.len() == code.len()`.

use std::sync::Arc;

use crate::opcodes::Instruction;

/// A constant of a prototype.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string constant: raw bytes (Lua strings are not UTF-8).
    Str(Box<[u8]>),
}

/// How a closure finds one of its upvalues when it is created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpvalDesc {
    /// Name for debug information (`None` when stripped).
    pub name: Option<Box<[u8]>>,
    /// True: the upvalue is the enclosing function's register `index`;
    /// false: it is the enclosing function's upvalue `index`.
    pub in_stack: bool,
    pub index: u8,
}

/// A local variable's name and the pc range where it is active.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocVar {
    pub name: Box<[u8]>,
    /// First pc where the variable is active.
    pub start_pc: u32,
    /// First pc where the variable is dead.
    pub end_pc: u32,
}

/// A compiled function.
#[derive(Clone, Debug, Default)]
pub struct Proto {
    /// The chunk name as given to `load` (`"@file.lua"`, `"=stdin"`, or the source text).
    pub source: Arc<[u8]>,
    pub line_defined: u32,
    pub last_line_defined: u32,
    pub num_params: u8,
    pub is_vararg: bool,
    pub max_stack_size: u8,
    pub code: Vec<Instruction>,
    pub constants: Vec<Constant>,
    pub protos: Vec<Arc<Proto>>,
    pub upvalues: Vec<UpvalDesc>,
    /// Source line of each instruction (same length as `code`).
    pub line_info: Vec<u32>,
    pub loc_vars: Vec<LocVar>,
}

impl Proto {
    /// Name of the `n`-th local variable active at `pc` (1-based `n`), as `luaF_getlocalname`.
    pub fn local_name(&self, mut n: usize, pc: usize) -> Option<&[u8]> {
        for v in &self.loc_vars {
            if v.start_pc as usize > pc {
                break;
            }
            if pc < v.end_pc as usize {
                n -= 1;
                if n == 0 {
                    return Some(&v.name);
                }
            }
        }
        None
    }

    /// Line of the instruction at `pc` (0 when unknown).
    pub fn line_at(&self, pc: usize) -> u32 {
        self.line_info.get(pc).copied().unwrap_or(0)
    }
}

const LUA_IDSIZE: usize = 60;

/// The printable name of a chunk for messages, as PUC's `luaO_chunkid`:
/// `"=name"` → `name`, `"@file"` → `file` (with `...` in front when too long),
/// anything else → `[string "first line..."]`.
pub fn chunk_id(source: &[u8]) -> String {
    let max = LUA_IDSIZE - 1;
    if let Some(rest) = source.strip_prefix(b"=") {
        let n = rest.len().min(max);
        String::from_utf8_lossy(&rest[..n]).into_owned()
    } else if let Some(rest) = source.strip_prefix(b"@") {
        if rest.len() <= max {
            String::from_utf8_lossy(rest).into_owned()
        } else {
            let keep = max - 3;
            format!("...{}", String::from_utf8_lossy(&rest[rest.len() - keep..]))
        }
    } else {
        let nl = source.iter().position(|&c| c == b'\n');
        let avail = max - "[string \"".len() - "...\"]".len();
        let line = &source[..nl.unwrap_or(source.len())];
        if nl.is_none() && source.len() <= avail {
            format!("[string \"{}\"]", String::from_utf8_lossy(source))
        } else {
            let n = line.len().min(avail);
            format!("[string \"{}...\"]", String::from_utf8_lossy(&line[..n]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_ids() {
        assert_eq!(chunk_id(b"=stdin"), "stdin");
        assert_eq!(chunk_id(b"@x.lua"), "x.lua");
        assert_eq!(chunk_id(b"print(1)"), "[string \"print(1)\"]");
        assert_eq!(chunk_id(b"a\nb"), "[string \"a...\"]");
    }
}
