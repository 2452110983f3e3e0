//! luavm-compiler: Lua 5.3 source → `Proto` (plain `Send + Sync` bytecode).
//!
//! Owns the `logos` lexer, the single-pass parser/code generator, the bytecode
//! definition (`opcodes`, `proto`), numeral conversion (`number`), the
//! disassembler and the bytecode verifier. Depends on nothing else of ours.
//!
//! Architecture invariant: nothing here knows about the VM; a `Proto` holds no GC handle.
#![forbid(unsafe_code)]

pub mod opcodes;
pub mod proto;

pub use opcodes::{Instruction, OpCode};
pub use proto::{chunk_id, Constant, LocVar, Proto, UpvalDesc};
