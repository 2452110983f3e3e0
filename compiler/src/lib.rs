//! luavm-compiler: Lua 5.3 source → `Proto` (plain `Send + Sync` bytecode).
//!
//! Owns the `logos` lexer, the single-pass parser/code generator, the bytecode
//! definition (`opcodes`, `proto`), numeral conversion (`number`), the
//! disassembler and the bytecode verifier. Depends on nothing else of ours.
//!
//! Code map (one job per file):
//! - `lexer`: tokens, long brackets, escapes, numerals, line counting, "near" texts;
//! - `number`: `str2number` / `str2int_base` (PUC's `luaO_str2num`, `tonumber`);
//! - `parser` (grammar), `scope` (locals, upvalues, blocks, goto/labels), `code`
//!   (emission, jumps, registers, constants), `expdesc` (expression descriptors and
//!   operator tables), `fold` (constant folding), `funcstate` (per-function state):
//!   together PUC 5.3's `lparser.c` + `lcode.c`, in PUC's order of side effects;
//! - `disasm`: `luac5.3 -l -l` listings; `dump`: PUC 5.3 binary chunks;
//! - `verify`: the checks that let the VM skip bounds checks;
//! - `opcodes`, `proto`: the bytecode definition; `numfmt`: C-printf number formatting.
//!
//! Architecture invariants:
//! - nothing here knows about the VM; a `Proto` holds no GC handle;
//! - for every source, `compile` produces exactly the bytecode, constants, line
//!   info, local and upvalue debug info of `luac5.3` (tested differentially), and
//!   exactly its error messages;
//! - `compile` never panics and its recursion is bounded by PUC's 200 "C levels",
//!   so deep nesting is an error, not a stack overflow (worst case well under
//!   1 MiB of stack even unoptimised);
//! - what `compile` returns always passes `verify`.
#![forbid(unsafe_code)]

mod code;
pub mod disasm;
pub mod dump;
mod expdesc;
mod fold;
mod funcstate;
pub mod lexer;
pub mod number;
pub mod numfmt;
pub mod opcodes;
mod parser;
pub mod proto;
mod scope;
pub mod verify;

pub use disasm::disassemble;
pub use opcodes::{Instruction, OpCode};
pub use proto::{chunk_id, Constant, LocVar, Proto, UpvalDesc};
pub use verify::verify;

use std::sync::Arc;

/// A compilation error: the full PUC-style message, e.g.
/// `x.lua:3: '=' expected near 'foo'`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The message (bytes that are not UTF-8 are replaced; see `raw`).
    pub message: String,
    /// The exact message bytes (a Lua string: may contain non-UTF-8 bytes from the source).
    pub raw: Vec<u8>,
}

impl CompileError {
    pub(crate) fn from_bytes(raw: Vec<u8>) -> Self {
        CompileError {
            message: String::from_utf8_lossy(&raw).into_owned(),
            raw,
        }
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CompileError {}

/// Number of "C levels" PUC's `luac`/`lua file.lua` are at when they parse a chunk.
pub const DEFAULT_C_CALLS: u32 = 1;

/// Compiles a Lua 5.3 chunk. `chunkname` is stored as `Proto::source` and shown
/// (through `chunk_id`) in error messages: `@file.lua`, `=stdin`, or the code itself.
///
/// The main function is vararg and has one upvalue, `_ENV` (in stack, index 0).
/// The source is taken as is: a leading `#` line must be removed by the caller
/// (see `lexer::skip_comment_line`).
pub fn compile(source: &[u8], chunkname: &[u8]) -> Result<Arc<Proto>, CompileError> {
    compile_with_c_calls(source, chunkname, DEFAULT_C_CALLS)
}

/// Like [`compile`], with the number of C levels already in use (PUC's `nCcalls`
/// when `load` runs), which shifts where "too many C levels (limit is 200)" is hit:
/// 1 for a script run by `lua`, 2 for `load` called from a main chunk, and so on.
pub fn compile_with_c_calls(
    source: &[u8],
    chunkname: &[u8],
    c_calls: u32,
) -> Result<Arc<Proto>, CompileError> {
    parser::Parser::parse_chunk(source, chunkname, c_calls)
        .map(Arc::new)
        .map_err(|e| *e)
}
