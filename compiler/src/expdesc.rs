//! Expression descriptors and operator tables of the single-pass code generator
//! (PUC's `expdesc`, `BinOpr`, `UnOpr` and the priority table of `lparser.c`).
//!
//! Invariants:
//! - an `ExpDesc` describes an expression whose code is (partly) generated: its
//!   `kind` says where the value is or how to get it; `t`/`f` are the heads of the
//!   "exit when true/false" jump lists threaded through the JMP instructions
//!   (`NO_JUMP` = empty);
//! - the payload of each kind means exactly what PUC's `u.info`/`u.ind`/`u.ival`/
//!   `u.nval` mean for that kind.

/// Empty jump list / "no jump".
pub(crate) const NO_JUMP: i32 = -1;

/// Where an expression's value is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ExpKind {
    /// Empty expression list (or no value).
    Void,
    Nil,
    True,
    False,
    /// Constant; payload = index in the constant table.
    K(i32),
    /// Float constant not yet in the table.
    KFlt(f64),
    /// Integer constant not yet in the table.
    KInt(i64),
    /// Value in a fixed register; payload = register.
    NonReloc(i32),
    /// Local variable; payload = register.
    Local(i32),
    /// Upvalue; payload = upvalue index.
    Upval(i32),
    /// Indexed variable `t[idx]`: `t` is a register (`vt_local`) or an upvalue index;
    /// `idx` is an RK operand.
    Indexed {
        t: i32,
        idx: i32,
        vt_local: bool,
    },
    /// A comparison/test; payload = pc of its jump.
    Jmp(i32),
    /// Result can go to any register; payload = pc of the instruction whose A is set later.
    Relocable(i32),
    /// Open function call; payload = pc of the CALL.
    Call(i32),
    /// Vararg expression; payload = pc of the VARARG.
    VarArg(i32),
}

/// An expression being compiled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExpDesc {
    pub k: ExpKind,
    /// Patch list of "exit when true".
    pub t: i32,
    /// Patch list of "exit when false".
    pub f: i32,
}

impl ExpDesc {
    pub fn new(k: ExpKind) -> Self {
        ExpDesc {
            k,
            t: NO_JUMP,
            f: NO_JUMP,
        }
    }

    pub fn void() -> Self {
        Self::new(ExpKind::Void)
    }

    #[inline]
    pub fn has_jumps(&self) -> bool {
        self.t != self.f
    }

    /// PUC's `hasmultret`.
    #[inline]
    pub fn has_multret(&self) -> bool {
        matches!(self.k, ExpKind::Call(_) | ExpKind::VarArg(_))
    }

    /// PUC's `vkisvar`.
    #[inline]
    pub fn is_var(&self) -> bool {
        matches!(
            self.k,
            ExpKind::Local(_) | ExpKind::Upval(_) | ExpKind::Indexed { .. }
        )
    }

    /// PUC's `e->u.info` for the kinds that have one (register, pc or index).
    #[inline]
    pub fn info(&self) -> i32 {
        match self.k {
            ExpKind::K(i)
            | ExpKind::NonReloc(i)
            | ExpKind::Local(i)
            | ExpKind::Upval(i)
            | ExpKind::Jmp(i)
            | ExpKind::Relocable(i)
            | ExpKind::Call(i)
            | ExpKind::VarArg(i) => i,
            _ => 0,
        }
    }
}

/// Binary operators, in PUC's ORDER OPR (arithmetic ones in opcode order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOpr {
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
    Concat,
    Eq,
    Lt,
    Le,
    Ne,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOpr {
    /// (left, right) priority; right < left makes an operator right-associative.
    pub fn priority(self) -> (u8, u8) {
        use BinOpr::*;
        match self {
            Add | Sub => (10, 10),
            Mul | Mod | Div | IDiv => (11, 11),
            Pow => (14, 13),
            BAnd => (6, 6),
            BOr => (4, 4),
            BXor => (5, 5),
            Shl | Shr => (7, 7),
            Concat => (9, 8),
            Eq | Lt | Le | Ne | Gt | Ge => (3, 3),
            And => (2, 2),
            Or => (1, 1),
        }
    }
}

/// Priority of unary operators (binds tighter than everything but `^`).
pub(crate) const UNARY_PRIORITY: u8 = 12;

/// Unary operators, in PUC's order (`op + OP_UNM` is the opcode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnOpr {
    Minus,
    BNot,
    Not,
    Len,
}
