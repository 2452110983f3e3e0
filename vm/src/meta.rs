//! Metamethod events ("tag methods") and their lookup.
//!
//! Invariant: `TM_NAMES` and `Tm` list the events in the same order; the names are interned
//! once per state (`State::tm_names`) so lookups compare pointers.

use luavm_gc::Gc;

use crate::table::Table;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Tm {
    Index,
    NewIndex,
    Gc,
    Mode,
    Len,
    Eq,
    Add,
    Sub,
    Mul,
    Mod,
    Pow,
    Div,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    Unm,
    BNot,
    Lt,
    Le,
    Concat,
    Call,
    ToString,
    Name,
    Metatable,
    Pairs,
}

pub const TM_NAMES: &[&str] = &[
    "__index",
    "__newindex",
    "__gc",
    "__mode",
    "__len",
    "__eq",
    "__add",
    "__sub",
    "__mul",
    "__mod",
    "__pow",
    "__div",
    "__idiv",
    "__band",
    "__bor",
    "__bxor",
    "__shl",
    "__shr",
    "__unm",
    "__bnot",
    "__lt",
    "__le",
    "__concat",
    "__call",
    "__tostring",
    "__name",
    "__metatable",
    "__pairs",
];

impl Tm {
    pub fn name(self) -> &'static str {
        TM_NAMES[self as usize]
    }
    /// Event name without the underscores, for messages ("index", "add", ...).
    pub fn short_name(self) -> &'static str {
        &TM_NAMES[self as usize][2..]
    }
}

/// Fast "this metatable has no such event" check for the first events (PUC's `fasttm`):
/// bit `e` of `meta_absent` is set once a lookup found the event absent; any write to the
/// metatable clears the cache.
#[inline(always)]
pub fn cached_absent(mt: Gc<Table>, tm: Tm) -> bool {
    (tm as u8) < 8 && mt.meta_absent() & (1 << tm as u8) != 0
}

#[inline(always)]
pub fn note_absent(mt: Gc<Table>, tm: Tm) {
    if (tm as u8) < 8 {
        mt.set_meta_absent(mt.meta_absent() | (1 << tm as u8));
    }
}
