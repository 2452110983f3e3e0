//! Per-function compilation state (PUC's `FuncState`, `BlockCnt`, `Labeldesc`) and
//! the chunk-wide constant cache key.
//!
//! Invariants:
//! - `f` is the prototype being built: `f.code.len()` is PUC's `pc`,
//!   `f.line_info.len() == f.code.len()`, `f.constants.len()` is `nk`;
//! - registers `0..nactvar` hold the active locals, `nactvar <= freereg`, and
//!   `freereg <= f.max_stack_size` (kept < 255 by `checkstack`);
//! - `blocks` is never empty while the function is open; the last one is innermost;
//! - `jpc` is the list of pending jumps to the current pc, `lasttarget` the last pc
//!   that is a jump target (no LOADNIL merging across it).

use std::rc::Rc;

use crate::expdesc::NO_JUMP;
use crate::proto::Proto;

/// A block (PUC's `BlockCnt`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockCnt {
    /// Index of the first label of this block in the label list.
    pub firstlabel: usize,
    /// Index of the first pending goto of this block in the goto list.
    pub firstgoto: usize,
    /// Number of active locals outside the block.
    pub nactvar: i32,
    /// Some variable of the block is captured as an upvalue.
    pub upval: bool,
    /// The block is a loop (has a `break` label).
    pub isloop: bool,
}

/// A label or a pending goto (PUC's `Labeldesc`).
#[derive(Clone, Debug)]
pub(crate) struct LabelDesc {
    pub name: Rc<[u8]>,
    /// For labels: position; for gotos: pc of the JMP.
    pub pc: i32,
    pub line: u32,
    /// Number of active locals at that position.
    pub nactvar: i32,
}

/// State of a function being compiled.
pub(crate) struct FuncState {
    pub f: Proto,
    pub lasttarget: i32,
    pub jpc: i32,
    pub freereg: i32,
    pub nactvar: i32,
    /// Index of the first local of this function in the parser's `actvar` list.
    pub firstlocal: usize,
    pub blocks: Vec<BlockCnt>,
}

impl FuncState {
    pub fn new(f: Proto, firstlocal: usize) -> Self {
        FuncState {
            f,
            lasttarget: 0,
            jpc: NO_JUMP,
            freereg: 0,
            nactvar: 0,
            firstlocal,
            blocks: Vec::new(),
        }
    }

    #[inline]
    pub fn pc(&self) -> i32 {
        self.f.code.len() as i32
    }
}

/// Key of the chunk-wide constant cache (PUC's scanner table `ls->h`): integers and
/// floats never share a key; the cache maps to the last index given to that value,
/// in whatever function, as PUC's does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum KKey {
    Str(Rc<[u8]>),
    Int(i64),
    /// Float bits.
    Flt(u64),
    Bool(bool),
    Nil,
}
