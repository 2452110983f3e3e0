//! The instruction set: every opcode is declared once, in the `opcodes!` table below.
//!
//! The encoding is PUC-Rio Lua 5.3's, so that our bytecode can be compared with
//! `luac5.3 -l` listings instruction by instruction:
//!
//! ```text
//!  31      23 22      14 13    6 5    0
//! |    B    |    C     |   A   |  op  |   iABC
//! |        Bx          |   A   |  op  |   iABx / iAsBx (sBx = Bx - MAXARG_SBX)
//! |             Ax             |  op  |   iAx
//! ```
//!
//! `RK(x)` is a register when `x < 256` and constant `x - 256` otherwise.
//!
//! Invariant: the enum discriminants are 0..NUM_OPCODES in table order; `OpCode::from_u8`
//! is the only way a raw byte becomes an `OpCode`.

/// One encoded instruction.
pub type Instruction = u32;

pub const SIZE_OP: u32 = 6;
pub const SIZE_A: u32 = 8;
pub const SIZE_B: u32 = 9;
pub const SIZE_C: u32 = 9;
pub const SIZE_BX: u32 = SIZE_B + SIZE_C;
pub const SIZE_AX: u32 = SIZE_A + SIZE_B + SIZE_C;

pub const POS_OP: u32 = 0;
pub const POS_A: u32 = POS_OP + SIZE_OP;
pub const POS_C: u32 = POS_A + SIZE_A;
pub const POS_B: u32 = POS_C + SIZE_C;
pub const POS_BX: u32 = POS_C;
pub const POS_AX: u32 = POS_A;

pub const MAXARG_A: u32 = (1 << SIZE_A) - 1;
pub const MAXARG_B: u32 = (1 << SIZE_B) - 1;
pub const MAXARG_C: u32 = (1 << SIZE_C) - 1;
pub const MAXARG_BX: u32 = (1 << SIZE_BX) - 1;
pub const MAXARG_SBX: i32 = (MAXARG_BX >> 1) as i32;
pub const MAXARG_AX: u32 = (1 << SIZE_AX) - 1;

/// Bit that marks a B/C operand as a constant index (`RK`).
pub const BITRK: u32 = 1 << (SIZE_B - 1);
/// Largest constant index that fits in an RK operand.
pub const MAXINDEXRK: u32 = BITRK - 1;
/// Number of list items to accumulate before a SETLIST instruction.
pub const LFIELDS_PER_FLUSH: u32 = 50;

/// Operand layout of an opcode (for the disassembler and the verifier).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    ABC,
    ABx,
    AsBx,
    Ax,
}

macro_rules! opcodes {
    ($($name:ident $layout:ident $doc:literal)*) => {
        /// A Lua 5.3 opcode.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum OpCode { $(#[doc = concat!("`", $doc, "`")] $name,)* }

        const ALL: &[OpCode] = &[$(OpCode::$name,)*];
        const NAMES: &[&str] = &[$(stringify!($name),)*];
        const LAYOUTS: &[Layout] = &[$(Layout::$layout,)*];
        const DOCS: &[&str] = &[$($doc,)*];
    };
}

opcodes! {
    Move     ABC  "R(A) := R(B)"
    LoadK    ABx  "R(A) := Kst(Bx)"
    LoadKx   ABx  "R(A) := Kst(extra arg)"
    LoadBool ABC  "R(A) := (Bool)B; if (C) pc++"
    LoadNil  ABC  "R(A), R(A+1), ..., R(A+B) := nil"
    GetUpval ABC  "R(A) := UpValue[B]"
    GetTabUp ABC  "R(A) := UpValue[B][RK(C)]"
    GetTable ABC  "R(A) := R(B)[RK(C)]"
    SetTabUp ABC  "UpValue[A][RK(B)] := RK(C)"
    SetUpval ABC  "UpValue[B] := R(A)"
    SetTable ABC  "R(A)[RK(B)] := RK(C)"
    NewTable ABC  "R(A) := {} (size = B,C)"
    SelfOp   ABC  "R(A+1) := R(B); R(A) := R(B)[RK(C)]"
    Add      ABC  "R(A) := RK(B) + RK(C)"
    Sub      ABC  "R(A) := RK(B) - RK(C)"
    Mul      ABC  "R(A) := RK(B) * RK(C)"
    Mod      ABC  "R(A) := RK(B) % RK(C)"
    Pow      ABC  "R(A) := RK(B) ^ RK(C)"
    Div      ABC  "R(A) := RK(B) / RK(C)"
    IDiv     ABC  "R(A) := RK(B) // RK(C)"
    BAnd     ABC  "R(A) := RK(B) & RK(C)"
    BOr      ABC  "R(A) := RK(B) | RK(C)"
    BXor     ABC  "R(A) := RK(B) ~ RK(C)"
    Shl      ABC  "R(A) := RK(B) << RK(C)"
    Shr      ABC  "R(A) := RK(B) >> RK(C)"
    Unm      ABC  "R(A) := -R(B)"
    BNot     ABC  "R(A) := ~R(B)"
    Not      ABC  "R(A) := not R(B)"
    Len      ABC  "R(A) := length of R(B)"
    Concat   ABC  "R(A) := R(B).. ... ..R(C)"
    Jmp      AsBx "pc += sBx; if (A) close all upvalues >= R(A - 1)"
    Eq       ABC  "if ((RK(B) == RK(C)) ~= A) then pc++"
    Lt       ABC  "if ((RK(B) <  RK(C)) ~= A) then pc++"
    Le       ABC  "if ((RK(B) <= RK(C)) ~= A) then pc++"
    Test     ABC  "if not (R(A) <=> C) then pc++"
    TestSet  ABC  "if (R(B) <=> C) then R(A) := R(B) else pc++"
    Call     ABC  "R(A), ... ,R(A+C-2) := R(A)(R(A+1), ... ,R(A+B-1))"
    TailCall ABC  "return R(A)(R(A+1), ... ,R(A+B-1))"
    Return   ABC  "return R(A), ... ,R(A+B-2)"
    ForLoop  AsBx "R(A)+=R(A+2); if R(A) <?= R(A+1) then { pc+=sBx; R(A+3)=R(A) }"
    ForPrep  AsBx "R(A)-=R(A+2); pc+=sBx"
    TForCall ABC  "R(A+3), ... ,R(A+2+C) := R(A)(R(A+1), R(A+2))"
    TForLoop AsBx "if R(A+1) ~= nil then { R(A)=R(A+1); pc += sBx }"
    SetList  ABC  "R(A)[(C-1)*FPF+i] := R(A+i), 1 <= i <= B"
    Closure  ABx  "R(A) := closure(KPROTO[Bx])"
    VarArg   ABC  "R(A), R(A+1), ..., R(A+B-2) = vararg"
    ExtraArg Ax   "extra (larger) argument for previous opcode"
}

/// Number of opcodes.
pub const NUM_OPCODES: usize = ALL.len();

impl OpCode {
    /// The opcode with this number, if there is one.
    #[inline]
    pub fn from_u8(b: u8) -> Option<OpCode> {
        ALL.get(b as usize).copied()
    }
    /// The name as `luac -l` prints it (upper case, e.g. `GETTABUP`).
    pub fn name(self) -> String {
        let n = NAMES[self as usize];
        if n == "SelfOp" {
            "SELF".to_string()
        } else {
            n.to_ascii_uppercase()
        }
    }
    pub fn layout(self) -> Layout {
        LAYOUTS[self as usize]
    }
    /// One-line semantics, as declared in the table.
    pub fn doc(self) -> &'static str {
        DOCS[self as usize]
    }
}

/// Field accessors and constructors for encoded instructions.
pub mod inst {
    use super::*;

    #[inline(always)]
    pub fn opcode_raw(i: Instruction) -> u8 {
        (i & ((1 << SIZE_OP) - 1)) as u8
    }
    #[inline(always)]
    pub fn opcode(i: Instruction) -> OpCode {
        OpCode::from_u8(opcode_raw(i)).unwrap_or(OpCode::ExtraArg)
    }
    #[inline(always)]
    pub fn a(i: Instruction) -> u32 {
        (i >> POS_A) & MAXARG_A
    }
    #[inline(always)]
    pub fn b(i: Instruction) -> u32 {
        (i >> POS_B) & MAXARG_B
    }
    #[inline(always)]
    pub fn c(i: Instruction) -> u32 {
        (i >> POS_C) & MAXARG_C
    }
    #[inline(always)]
    pub fn bx(i: Instruction) -> u32 {
        (i >> POS_BX) & MAXARG_BX
    }
    #[inline(always)]
    pub fn sbx(i: Instruction) -> i32 {
        bx(i) as i32 - MAXARG_SBX
    }
    #[inline(always)]
    pub fn ax(i: Instruction) -> u32 {
        (i >> POS_AX) & MAXARG_AX
    }
    #[inline(always)]
    pub fn is_k(x: u32) -> bool {
        x & BITRK != 0
    }
    #[inline(always)]
    pub fn index_k(x: u32) -> u32 {
        x & !BITRK
    }
    #[inline(always)]
    pub fn rk_as_k(x: u32) -> u32 {
        x | BITRK
    }
    pub fn abc(op: OpCode, a: u32, b: u32, c: u32) -> Instruction {
        (op as u32) << POS_OP | a << POS_A | b << POS_B | c << POS_C
    }
    pub fn abx(op: OpCode, a: u32, bx: u32) -> Instruction {
        (op as u32) << POS_OP | a << POS_A | bx << POS_BX
    }
    pub fn asbx(op: OpCode, a: u32, sbx: i32) -> Instruction {
        abx(op, a, (sbx + MAXARG_SBX) as u32)
    }
    pub fn iax(op: OpCode, ax: u32) -> Instruction {
        (op as u32) << POS_OP | ax << POS_AX
    }
    pub fn set_a(i: &mut Instruction, a: u32) {
        *i = (*i & !(MAXARG_A << POS_A)) | (a << POS_A);
    }
    pub fn set_b(i: &mut Instruction, b: u32) {
        *i = (*i & !(MAXARG_B << POS_B)) | (b << POS_B);
    }
    pub fn set_c(i: &mut Instruction, c: u32) {
        *i = (*i & !(MAXARG_C << POS_C)) | (c << POS_C);
    }
    pub fn set_bx(i: &mut Instruction, bx: u32) {
        *i = (*i & !(MAXARG_BX << POS_BX)) | (bx << POS_BX);
    }
    pub fn set_sbx(i: &mut Instruction, sbx: i32) {
        set_bx(i, (sbx + MAXARG_SBX) as u32);
    }
    pub fn set_opcode(i: &mut Instruction, op: OpCode) {
        *i = (*i & !((1 << SIZE_OP) - 1)) | op as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_ordered() {
        assert_eq!(NUM_OPCODES, 47);
        for (n, op) in ALL.iter().enumerate() {
            assert_eq!(*op as usize, n);
            assert_eq!(OpCode::from_u8(n as u8), Some(*op));
        }
        assert_eq!(OpCode::from_u8(47), None);
        assert_eq!(OpCode::SelfOp.name(), "SELF");
        assert_eq!(OpCode::GetTabUp.name(), "GETTABUP");
    }

    #[test]
    fn fields_round_trip() {
        let i = inst::abc(OpCode::Add, 3, inst::rk_as_k(7), 255);
        assert_eq!(inst::opcode(i), OpCode::Add);
        assert_eq!(inst::a(i), 3);
        assert!(inst::is_k(inst::b(i)));
        assert_eq!(inst::index_k(inst::b(i)), 7);
        assert_eq!(inst::c(i), 255);
        let j = inst::asbx(OpCode::Jmp, 0, -5);
        assert_eq!(inst::sbx(j), -5);
    }
}
