//! The code generator (PUC 5.3's `lcode.c`): instruction emission, jump lists,
//! register allocation, the constant table, expression discharge and constant
//! folding. Methods of `Parser` that work on the current function (`self.fs`).
//!
//! Invariants (the same as PUC's, which is what makes our bytecode equal `luac5.3`'s):
//! - every instruction is emitted through `code`, which first patches the pending
//!   jumps to the current pc (`jpc`) and records `lastline` as its line;
//! - jump lists are threaded through the sBx fields of JMPs (`NO_JUMP` ends a list);
//! - registers are a stack: `freereg` only goes down by freeing the most recent one;
//! - constants are deduplicated through the chunk-wide cache exactly like PUC's
//!   `addk` (which can add a duplicate when another function reused the slot).

use crate::expdesc::{BinOpr, ExpDesc, ExpKind, UnOpr, NO_JUMP};
use crate::fold::{fold, ArithOp};
use crate::funcstate::KKey;
use crate::number::Number;
use crate::opcodes::{
    inst, Instruction, OpCode, LFIELDS_PER_FLUSH, MAXARG_AX, MAXARG_BX, MAXARG_C, MAXARG_SBX,
    MAXINDEXRK,
};
use crate::parser::{PResult, Parser};
use crate::proto::Constant;

/// "No register" for TESTSET patching (PUC's `NO_REG`).
pub(crate) const NO_REG: i32 = crate::opcodes::MAXARG_A as i32;
/// Maximum number of registers in a function.
const MAXREGS: i32 = 255;
/// Open number of results.
pub(crate) const LUA_MULTRET: i32 = -1;

#[inline]
fn is_k(x: i32) -> bool {
    inst::is_k(x as u32)
}

#[inline]
fn rk_as_k(x: i32) -> i32 {
    inst::rk_as_k(x as u32) as i32
}

/// Opcodes whose next instruction is a jump (PUC's `testTMode`).
fn test_t_mode(op: OpCode) -> bool {
    matches!(
        op,
        OpCode::Eq | OpCode::Lt | OpCode::Le | OpCode::Test | OpCode::TestSet
    )
}

/// PUC's `luaO_int2fb`: integer → "floating point byte" (eeeeexxx).
pub(crate) fn int2fb(mut x: u32) -> u32 {
    let mut e = 0;
    if x < 8 {
        return x;
    }
    while x >= (8 << 4) {
        x = (x + 0xf) >> 4;
        e += 4;
    }
    while x >= (8 << 1) {
        x = (x + 1) >> 1;
        e += 1;
    }
    ((e + 1) << 3) | (x - 8)
}

/// The numeric value of a numeral expression without jumps (PUC's `tonumeral`).
fn tonumeral(e: &ExpDesc) -> Option<Number> {
    if e.has_jumps() {
        return None;
    }
    match e.k {
        ExpKind::KInt(i) => Some(Number::Int(i)),
        ExpKind::KFlt(f) => Some(Number::Float(f)),
        _ => None,
    }
}

impl<'s> Parser<'s> {
    // ---------------------------------------------------------------- emission

    #[inline]
    fn instr(&self, pc: i32) -> Instruction {
        self.fs.f.code[pc as usize]
    }

    #[inline]
    fn instr_mut(&mut self, pc: i32) -> &mut Instruction {
        &mut self.fs.f.code[pc as usize]
    }

    /// Emits `i` and returns its pc (PUC's `luaK_code`).
    fn code(&mut self, i: Instruction) -> PResult<i32> {
        self.dischargejpc()?;
        let pc = self.fs.pc();
        self.fs.f.code.push(i);
        self.fs.f.line_info.push(self.lastline);
        Ok(pc)
    }

    pub(crate) fn code_abc(&mut self, op: OpCode, a: i32, b: i32, c: i32) -> PResult<i32> {
        self.code(inst::abc(op, a as u32, b as u32, c as u32))
    }

    pub(crate) fn code_abx(&mut self, op: OpCode, a: i32, bx: u32) -> PResult<i32> {
        self.code(inst::abx(op, a as u32, bx))
    }

    pub(crate) fn code_asbx(&mut self, op: OpCode, a: i32, sbx: i32) -> PResult<i32> {
        self.code(inst::asbx(op, a as u32, sbx))
    }

    fn code_extraarg(&mut self, a: u32) -> PResult<i32> {
        self.code(inst::iax(OpCode::ExtraArg, a))
    }

    /// LOADK, or LOADKX + EXTRAARG for big constant indices.
    pub(crate) fn codek(&mut self, reg: i32, k: i32) -> PResult<i32> {
        if k as u32 <= MAXARG_BX {
            self.code_abx(OpCode::LoadK, reg, k as u32)
        } else {
            let p = self.code_abx(OpCode::LoadKx, reg, 0)?;
            self.code_extraarg(k as u32)?;
            Ok(p)
        }
    }

    /// Sets the line of the last emitted instruction.
    pub(crate) fn fixline(&mut self, line: u32) {
        if let Some(l) = self.fs.f.line_info.last_mut() {
            *l = line;
        }
    }

    /// LOADNIL, merged with a previous LOADNIL when possible (PUC's `luaK_nil`).
    pub(crate) fn nil(&mut self, mut from: i32, n: i32) -> PResult<()> {
        let mut l = from + n - 1;
        if self.fs.pc() > self.fs.lasttarget {
            let pc = self.fs.pc() - 1;
            let previous = self.instr(pc);
            if inst::opcode(previous) == OpCode::LoadNil {
                let pfrom = inst::a(previous) as i32;
                let pl = pfrom + inst::b(previous) as i32;
                if (pfrom <= from && from <= pl + 1) || (from <= pfrom && pfrom <= l + 1) {
                    if pfrom < from {
                        from = pfrom;
                    }
                    if pl > l {
                        l = pl;
                    }
                    let p = self.instr_mut(pc);
                    inst::set_a(p, from as u32);
                    inst::set_b(p, (l - from) as u32);
                    return Ok(());
                }
            }
        }
        self.code_abc(OpCode::LoadNil, from, n - 1, 0)?;
        Ok(())
    }

    pub(crate) fn ret(&mut self, first: i32, nret: i32) -> PResult<()> {
        self.code_abc(OpCode::Return, first, nret + 1, 0)?;
        Ok(())
    }

    // ---------------------------------------------------------------- jumps

    fn getjump(&self, pc: i32) -> i32 {
        let offset = inst::sbx(self.instr(pc));
        if offset == NO_JUMP {
            NO_JUMP
        } else {
            pc + 1 + offset
        }
    }

    fn fixjump(&mut self, pc: i32, dest: i32) -> PResult<()> {
        let offset = dest - (pc + 1);
        if offset.abs() > MAXARG_SBX {
            return Err(self.syntax_error("control structure too long"));
        }
        inst::set_sbx(self.instr_mut(pc), offset);
        Ok(())
    }

    /// Appends list `l2` to list `l1`.
    pub(crate) fn concat(&mut self, l1: &mut i32, l2: i32) -> PResult<()> {
        if l2 == NO_JUMP {
            return Ok(());
        }
        if *l1 == NO_JUMP {
            *l1 = l2;
            return Ok(());
        }
        let mut list = *l1;
        loop {
            let next = self.getjump(list);
            if next == NO_JUMP {
                break;
            }
            list = next;
        }
        self.fixjump(list, l2)
    }

    /// Emits a JMP (joined with the pending jumps to here) and returns its pc.
    pub(crate) fn jump(&mut self) -> PResult<i32> {
        let jpc = self.fs.jpc;
        self.fs.jpc = NO_JUMP;
        let mut j = self.code_asbx(OpCode::Jmp, 0, NO_JUMP)?;
        self.concat(&mut j, jpc)?;
        Ok(j)
    }

    pub(crate) fn jumpto(&mut self, target: i32) -> PResult<()> {
        let j = self.jump()?;
        self.patchlist(j, target)
    }

    fn condjump(&mut self, op: OpCode, a: i32, b: i32, c: i32) -> PResult<i32> {
        self.code_abc(op, a, b, c)?;
        self.jump()
    }

    /// Marks the current pc as a jump target and returns it.
    pub(crate) fn getlabel(&mut self) -> i32 {
        self.fs.lasttarget = self.fs.pc();
        self.fs.pc()
    }

    fn getjumpcontrol(&self, pc: i32) -> i32 {
        if pc >= 1 && test_t_mode(inst::opcode(self.instr(pc - 1))) {
            pc - 1
        } else {
            pc
        }
    }

    fn patchtestreg(&mut self, node: i32, reg: i32) -> bool {
        let at = self.getjumpcontrol(node);
        let i = self.instr(at);
        if inst::opcode(i) != OpCode::TestSet {
            return false;
        }
        if reg != NO_REG && reg as u32 != inst::b(i) {
            inst::set_a(self.instr_mut(at), reg as u32);
        } else {
            *self.instr_mut(at) = inst::abc(OpCode::Test, inst::b(i), 0, inst::c(i));
        }
        true
    }

    fn removevalues(&mut self, mut list: i32) {
        while list != NO_JUMP {
            self.patchtestreg(list, NO_REG);
            list = self.getjump(list);
        }
    }

    fn patchlistaux(&mut self, mut list: i32, vtarget: i32, reg: i32, dtarget: i32) -> PResult<()> {
        while list != NO_JUMP {
            let next = self.getjump(list);
            if self.patchtestreg(list, reg) {
                self.fixjump(list, vtarget)?;
            } else {
                self.fixjump(list, dtarget)?;
            }
            list = next;
        }
        Ok(())
    }

    fn dischargejpc(&mut self) -> PResult<()> {
        let jpc = self.fs.jpc;
        if jpc != NO_JUMP {
            let pc = self.fs.pc();
            self.patchlistaux(jpc, pc, NO_REG, pc)?;
            self.fs.jpc = NO_JUMP;
        }
        Ok(())
    }

    pub(crate) fn patchtohere(&mut self, list: i32) -> PResult<()> {
        self.getlabel();
        let mut jpc = self.fs.jpc;
        self.concat(&mut jpc, list)?;
        self.fs.jpc = jpc;
        Ok(())
    }

    pub(crate) fn patchlist(&mut self, list: i32, target: i32) -> PResult<()> {
        if target == self.fs.pc() {
            self.patchtohere(list)
        } else {
            self.patchlistaux(list, target, NO_REG, target)
        }
    }

    /// Makes every jump of `list` close upvalues from register `level` up.
    pub(crate) fn patchclose(&mut self, mut list: i32, level: i32) {
        let level = level + 1;
        while list != NO_JUMP {
            inst::set_a(self.instr_mut(list), level as u32);
            list = self.getjump(list);
        }
    }

    // ---------------------------------------------------------------- registers

    pub(crate) fn checkstack(&mut self, n: i32) -> PResult<()> {
        let newstack = self.fs.freereg + n;
        if newstack > self.fs.f.max_stack_size as i32 {
            if newstack >= MAXREGS {
                return Err(self.syntax_error("function or expression needs too many registers"));
            }
            self.fs.f.max_stack_size = newstack as u8;
        }
        Ok(())
    }

    pub(crate) fn reserveregs(&mut self, n: i32) -> PResult<()> {
        self.checkstack(n)?;
        self.fs.freereg += n;
        Ok(())
    }

    fn freereg(&mut self, reg: i32) {
        if !is_k(reg) && reg >= self.fs.nactvar {
            self.fs.freereg -= 1;
            debug_assert_eq!(reg, self.fs.freereg);
        }
    }

    fn freeexp(&mut self, e: &ExpDesc) {
        if let ExpKind::NonReloc(r) = e.k {
            self.freereg(r);
        }
    }

    fn freeexps(&mut self, e1: &ExpDesc, e2: &ExpDesc) {
        let r1 = if let ExpKind::NonReloc(r) = e1.k {
            r
        } else {
            -1
        };
        let r2 = if let ExpKind::NonReloc(r) = e2.k {
            r
        } else {
            -1
        };
        if r1 > r2 {
            self.freereg(r1);
            self.freereg(r2);
        } else {
            self.freereg(r2);
            self.freereg(r1);
        }
    }

    // ---------------------------------------------------------------- constants

    /// Index of the constant `key` in the current function, reusing the cached
    /// index when it holds the same value (PUC's `addk`).
    fn addk(&mut self, key: KKey) -> PResult<i32> {
        let nk = self.fs.f.constants.len();
        if let Some(&k) = self.kcache.get(&key) {
            if k < nk && same_constant(&self.fs.f.constants[k], &key) {
                return Ok(k as i32);
            }
        }
        if nk >= MAXARG_AX as usize {
            return Err(self.limit_error("constants", MAXARG_AX as usize));
        }
        let v = match &key {
            KKey::Str(s) => Constant::Str(Box::from(&s[..])),
            KKey::Int(n) => Constant::Int(*n),
            KKey::Flt(bits) => Constant::Float(f64::from_bits(*bits)),
            KKey::Bool(b) => Constant::Bool(*b),
            KKey::Nil => Constant::Nil,
        };
        self.kcache.insert(key, nk);
        self.fs.f.constants.push(v);
        Ok(nk as i32)
    }

    pub(crate) fn string_k(&mut self, s: &std::rc::Rc<[u8]>) -> PResult<i32> {
        self.addk(KKey::Str(s.clone()))
    }

    pub(crate) fn int_k(&mut self, n: i64) -> PResult<i32> {
        self.addk(KKey::Int(n))
    }

    fn number_k(&mut self, r: f64) -> PResult<i32> {
        // (a -0.0 constant never reaches here: folding never produces zeros)
        self.addk(KKey::Flt(r.to_bits()))
    }

    fn bool_k(&mut self, b: bool) -> PResult<i32> {
        self.addk(KKey::Bool(b))
    }

    fn nil_k(&mut self) -> PResult<i32> {
        self.addk(KKey::Nil)
    }

    // ---------------------------------------------------------------- expressions

    pub(crate) fn setreturns(&mut self, e: &mut ExpDesc, nresults: i32) -> PResult<()> {
        match e.k {
            ExpKind::Call(pc) => inst::set_c(self.instr_mut(pc), (nresults + 1) as u32),
            ExpKind::VarArg(pc) => {
                let free = self.fs.freereg as u32;
                let i = self.instr_mut(pc);
                inst::set_b(i, (nresults + 1) as u32);
                inst::set_a(i, free);
                self.reserveregs(1)?;
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn setmultret(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.setreturns(e, LUA_MULTRET)
    }

    pub(crate) fn setoneret(&mut self, e: &mut ExpDesc) {
        match e.k {
            ExpKind::Call(pc) => e.k = ExpKind::NonReloc(inst::a(self.instr(pc)) as i32),
            ExpKind::VarArg(pc) => {
                inst::set_b(self.instr_mut(pc), 2);
                e.k = ExpKind::Relocable(pc);
            }
            _ => {}
        }
    }

    pub(crate) fn dischargevars(&mut self, e: &mut ExpDesc) -> PResult<()> {
        match e.k {
            ExpKind::Local(r) => e.k = ExpKind::NonReloc(r),
            ExpKind::Upval(u) => {
                let pc = self.code_abc(OpCode::GetUpval, 0, u, 0)?;
                e.k = ExpKind::Relocable(pc);
            }
            ExpKind::Indexed { t, idx, vt_local } => {
                self.freereg(idx);
                let op = if vt_local {
                    self.freereg(t);
                    OpCode::GetTable
                } else {
                    OpCode::GetTabUp
                };
                let pc = self.code_abc(op, 0, t, idx)?;
                e.k = ExpKind::Relocable(pc);
            }
            ExpKind::VarArg(_) | ExpKind::Call(_) => self.setoneret(e),
            _ => {}
        }
        Ok(())
    }

    fn discharge2reg(&mut self, e: &mut ExpDesc, reg: i32) -> PResult<()> {
        self.dischargevars(e)?;
        match e.k {
            ExpKind::Nil => self.nil(reg, 1)?,
            ExpKind::False | ExpKind::True => {
                let b = (e.k == ExpKind::True) as i32;
                self.code_abc(OpCode::LoadBool, reg, b, 0)?;
            }
            ExpKind::K(k) => {
                self.codek(reg, k)?;
            }
            ExpKind::KFlt(n) => {
                let k = self.number_k(n)?;
                self.codek(reg, k)?;
            }
            ExpKind::KInt(n) => {
                let k = self.int_k(n)?;
                self.codek(reg, k)?;
            }
            ExpKind::Relocable(pc) => inst::set_a(self.instr_mut(pc), reg as u32),
            ExpKind::NonReloc(r) => {
                if reg != r {
                    self.code_abc(OpCode::Move, reg, r, 0)?;
                }
            }
            _ => return Ok(()), // VJMP: nothing to do
        }
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    fn discharge2anyreg(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if !matches!(e.k, ExpKind::NonReloc(_)) {
            self.reserveregs(1)?;
            let r = self.fs.freereg - 1;
            self.discharge2reg(e, r)?;
        }
        Ok(())
    }

    fn code_loadbool(&mut self, a: i32, b: i32, jump: i32) -> PResult<i32> {
        self.getlabel();
        self.code_abc(OpCode::LoadBool, a, b, jump)
    }

    fn need_value(&self, mut list: i32) -> bool {
        while list != NO_JUMP {
            let i = self.instr(self.getjumpcontrol(list));
            if inst::opcode(i) != OpCode::TestSet {
                return true;
            }
            list = self.getjump(list);
        }
        false
    }

    fn exp2reg(&mut self, e: &mut ExpDesc, reg: i32) -> PResult<()> {
        self.discharge2reg(e, reg)?;
        if let ExpKind::Jmp(pc) = e.k {
            let mut t = e.t;
            self.concat(&mut t, pc)?;
            e.t = t;
        }
        if e.has_jumps() {
            let mut p_f = NO_JUMP;
            let mut p_t = NO_JUMP;
            if self.need_value(e.t) || self.need_value(e.f) {
                let fj = if matches!(e.k, ExpKind::Jmp(_)) {
                    NO_JUMP
                } else {
                    self.jump()?
                };
                p_f = self.code_loadbool(reg, 0, 1)?;
                p_t = self.code_loadbool(reg, 1, 0)?;
                self.patchtohere(fj)?;
            }
            let final_ = self.getlabel();
            self.patchlistaux(e.f, final_, reg, p_f)?;
            self.patchlistaux(e.t, final_, reg, p_t)?;
        }
        e.f = NO_JUMP;
        e.t = NO_JUMP;
        e.k = ExpKind::NonReloc(reg);
        Ok(())
    }

    pub(crate) fn exp2nextreg(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.dischargevars(e)?;
        self.freeexp(e);
        self.reserveregs(1)?;
        let r = self.fs.freereg - 1;
        self.exp2reg(e, r)
    }

    pub(crate) fn exp2anyreg(&mut self, e: &mut ExpDesc) -> PResult<i32> {
        self.dischargevars(e)?;
        if let ExpKind::NonReloc(r) = e.k {
            if !e.has_jumps() {
                return Ok(r);
            }
            if r >= self.fs.nactvar {
                self.exp2reg(e, r)?;
                return Ok(r);
            }
        }
        self.exp2nextreg(e)?;
        Ok(e.info())
    }

    pub(crate) fn exp2anyregup(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if !matches!(e.k, ExpKind::Upval(_)) || e.has_jumps() {
            self.exp2anyreg(e)?;
        }
        Ok(())
    }

    pub(crate) fn exp2val(&mut self, e: &mut ExpDesc) -> PResult<()> {
        if e.has_jumps() {
            self.exp2anyreg(e)?;
            Ok(())
        } else {
            self.dischargevars(e)
        }
    }

    pub(crate) fn exp2rk(&mut self, e: &mut ExpDesc) -> PResult<i32> {
        self.exp2val(e)?;
        let k = match e.k {
            ExpKind::True => Some(self.bool_k(true)?),
            ExpKind::False => Some(self.bool_k(false)?),
            ExpKind::Nil => Some(self.nil_k()?),
            ExpKind::KInt(n) => Some(self.int_k(n)?),
            ExpKind::KFlt(n) => Some(self.number_k(n)?),
            ExpKind::K(k) => Some(k),
            _ => None,
        };
        if let Some(k) = k {
            e.k = ExpKind::K(k);
            if k as u32 <= MAXINDEXRK {
                return Ok(rk_as_k(k));
            }
        }
        self.exp2anyreg(e)
    }

    pub(crate) fn storevar(&mut self, var: &ExpDesc, ex: &mut ExpDesc) -> PResult<()> {
        match var.k {
            ExpKind::Local(r) => {
                self.freeexp(ex);
                return self.exp2reg(ex, r);
            }
            ExpKind::Upval(u) => {
                let e = self.exp2anyreg(ex)?;
                self.code_abc(OpCode::SetUpval, e, u, 0)?;
            }
            ExpKind::Indexed { t, idx, vt_local } => {
                let op = if vt_local {
                    OpCode::SetTable
                } else {
                    OpCode::SetTabUp
                };
                let e = self.exp2rk(ex)?;
                self.code_abc(op, t, idx, e)?;
            }
            _ => {}
        }
        self.freeexp(ex);
        Ok(())
    }

    /// `e:key(` → SELF.
    pub(crate) fn self_(&mut self, e: &mut ExpDesc, key: &mut ExpDesc) -> PResult<()> {
        self.exp2anyreg(e)?;
        let ereg = e.info();
        self.freeexp(e);
        let base = self.fs.freereg;
        e.k = ExpKind::NonReloc(base);
        self.reserveregs(2)?;
        let rk = self.exp2rk(key)?;
        self.code_abc(OpCode::SelfOp, base, ereg, rk)?;
        self.freeexp(key);
        Ok(())
    }

    fn negatecondition(&mut self, e: &ExpDesc) {
        let at = self.getjumpcontrol(e.info());
        let i = self.instr_mut(at);
        let a = inst::a(*i);
        inst::set_a(i, (a == 0) as u32);
    }

    fn jumponcond(&mut self, e: &mut ExpDesc, cond: bool) -> PResult<i32> {
        if let ExpKind::Relocable(pc) = e.k {
            let ie = self.instr(pc);
            if inst::opcode(ie) == OpCode::Not {
                // remove the NOT and test its operand with the inverse condition
                self.fs.f.code.pop();
                self.fs.f.line_info.pop();
                return self.condjump(OpCode::Test, inst::b(ie) as i32, 0, (!cond) as i32);
            }
        }
        self.discharge2anyreg(e)?;
        self.freeexp(e);
        self.condjump(OpCode::TestSet, NO_REG, e.info(), cond as i32)
    }

    /// Falls through when `e` is true, jumps (list `e.f`) otherwise.
    pub(crate) fn goiftrue(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.dischargevars(e)?;
        let pc = match e.k {
            ExpKind::Jmp(pc) => {
                self.negatecondition(e);
                pc
            }
            ExpKind::K(_) | ExpKind::KFlt(_) | ExpKind::KInt(_) | ExpKind::True => NO_JUMP,
            _ => self.jumponcond(e, false)?,
        };
        let mut f = e.f;
        self.concat(&mut f, pc)?;
        e.f = f;
        self.patchtohere(e.t)?;
        e.t = NO_JUMP;
        Ok(())
    }

    /// Falls through when `e` is false, jumps (list `e.t`) otherwise.
    pub(crate) fn goiffalse(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.dischargevars(e)?;
        let pc = match e.k {
            ExpKind::Jmp(pc) => pc,
            ExpKind::Nil | ExpKind::False => NO_JUMP,
            _ => self.jumponcond(e, true)?,
        };
        let mut t = e.t;
        self.concat(&mut t, pc)?;
        e.t = t;
        self.patchtohere(e.f)?;
        e.f = NO_JUMP;
        Ok(())
    }

    fn codenot(&mut self, e: &mut ExpDesc) -> PResult<()> {
        self.dischargevars(e)?;
        match e.k {
            ExpKind::Nil | ExpKind::False => e.k = ExpKind::True,
            ExpKind::K(_) | ExpKind::KFlt(_) | ExpKind::KInt(_) | ExpKind::True => {
                e.k = ExpKind::False
            }
            ExpKind::Jmp(_) => self.negatecondition(e),
            ExpKind::Relocable(_) | ExpKind::NonReloc(_) => {
                self.discharge2anyreg(e)?;
                self.freeexp(e);
                let pc = self.code_abc(OpCode::Not, 0, e.info(), 0)?;
                e.k = ExpKind::Relocable(pc);
            }
            _ => {}
        }
        std::mem::swap(&mut e.t, &mut e.f);
        self.removevalues(e.f);
        self.removevalues(e.t);
        Ok(())
    }

    /// `t[k]`: `t` must already be in a register or an upvalue.
    pub(crate) fn indexed(&mut self, t: &mut ExpDesc, k: &mut ExpDesc) -> PResult<()> {
        let (tr, vt_local) = match t.k {
            ExpKind::Upval(u) => (u, false),
            _ => (t.info(), true),
        };
        let idx = self.exp2rk(k)?;
        t.k = ExpKind::Indexed {
            t: tr,
            idx,
            vt_local,
        };
        Ok(())
    }

    // ---------------------------------------------------------------- operators

    fn constfolding(&mut self, op: ArithOp, e1: &mut ExpDesc, e2: &ExpDesc) -> bool {
        let (Some(v1), Some(v2)) = (tonumeral(e1), tonumeral(e2)) else {
            return false;
        };
        match fold(op, v1, v2) {
            Some(Number::Int(i)) => {
                e1.k = ExpKind::KInt(i);
                true
            }
            Some(Number::Float(f)) => {
                e1.k = ExpKind::KFlt(f);
                true
            }
            None => false,
        }
    }

    fn codeunexpval(&mut self, op: OpCode, e: &mut ExpDesc, line: u32) -> PResult<()> {
        let r = self.exp2anyreg(e)?;
        self.freeexp(e);
        let pc = self.code_abc(op, 0, r, 0)?;
        e.k = ExpKind::Relocable(pc);
        self.fixline(line);
        Ok(())
    }

    fn codebinexpval(
        &mut self,
        op: OpCode,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> PResult<()> {
        let rk2 = self.exp2rk(e2)?;
        let rk1 = self.exp2rk(e1)?;
        self.freeexps(e1, e2);
        let pc = self.code_abc(op, 0, rk1, rk2)?;
        e1.k = ExpKind::Relocable(pc);
        self.fixline(line);
        Ok(())
    }

    fn codecomp(&mut self, opr: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc) -> PResult<()> {
        let rk1 = match e1.k {
            ExpKind::K(k) => rk_as_k(k),
            _ => e1.info(),
        };
        let rk2 = self.exp2rk(e2)?;
        self.freeexps(e1, e2);
        let pc = match opr {
            BinOpr::Ne => self.condjump(OpCode::Eq, 0, rk1, rk2)?,
            BinOpr::Gt => self.condjump(OpCode::Lt, 1, rk2, rk1)?,
            BinOpr::Ge => self.condjump(OpCode::Le, 1, rk2, rk1)?,
            BinOpr::Eq => self.condjump(OpCode::Eq, 1, rk1, rk2)?,
            BinOpr::Lt => self.condjump(OpCode::Lt, 1, rk1, rk2)?,
            _ => self.condjump(OpCode::Le, 1, rk1, rk2)?,
        };
        e1.k = ExpKind::Jmp(pc);
        Ok(())
    }

    /// Applies unary operator `op` to `e`.
    pub(crate) fn prefix(&mut self, op: UnOpr, e: &mut ExpDesc, line: u32) -> PResult<()> {
        let fake = ExpDesc::new(ExpKind::KInt(0));
        match op {
            UnOpr::Minus => {
                if !self.constfolding(ArithOp::Unm, e, &fake) {
                    self.codeunexpval(OpCode::Unm, e, line)?;
                }
            }
            UnOpr::BNot => {
                if !self.constfolding(ArithOp::BNot, e, &fake) {
                    self.codeunexpval(OpCode::BNot, e, line)?;
                }
            }
            UnOpr::Len => self.codeunexpval(OpCode::Len, e, line)?,
            UnOpr::Not => self.codenot(e)?,
        }
        Ok(())
    }

    /// Processes the first operand of a binary operator before reading the second.
    pub(crate) fn infix(&mut self, op: BinOpr, v: &mut ExpDesc) -> PResult<()> {
        match op {
            BinOpr::And => self.goiftrue(v)?,
            BinOpr::Or => self.goiffalse(v)?,
            BinOpr::Concat => self.exp2nextreg(v)?,
            BinOpr::Add
            | BinOpr::Sub
            | BinOpr::Mul
            | BinOpr::Div
            | BinOpr::IDiv
            | BinOpr::Mod
            | BinOpr::Pow
            | BinOpr::BAnd
            | BinOpr::BOr
            | BinOpr::BXor
            | BinOpr::Shl
            | BinOpr::Shr => {
                if tonumeral(v).is_none() {
                    self.exp2rk(v)?;
                }
            }
            _ => {
                self.exp2rk(v)?;
            }
        }
        Ok(())
    }

    /// Finishes a binary operation after reading the second operand.
    pub(crate) fn posfix(
        &mut self,
        op: BinOpr,
        e1: &mut ExpDesc,
        e2: &mut ExpDesc,
        line: u32,
    ) -> PResult<()> {
        match op {
            BinOpr::And => {
                self.dischargevars(e2)?;
                let mut f = e2.f;
                self.concat(&mut f, e1.f)?;
                e2.f = f;
                *e1 = *e2;
            }
            BinOpr::Or => {
                self.dischargevars(e2)?;
                let mut t = e2.t;
                self.concat(&mut t, e1.t)?;
                e2.t = t;
                *e1 = *e2;
            }
            BinOpr::Concat => {
                self.exp2val(e2)?;
                match e2.k {
                    ExpKind::Relocable(pc) if inst::opcode(self.instr(pc)) == OpCode::Concat => {
                        self.freeexp(e1);
                        let r = e1.info() as u32;
                        inst::set_b(self.instr_mut(pc), r);
                        e1.k = ExpKind::Relocable(pc);
                    }
                    _ => {
                        self.exp2nextreg(e2)?;
                        self.codebinexpval(OpCode::Concat, e1, e2, line)?;
                    }
                }
            }
            BinOpr::Eq | BinOpr::Lt | BinOpr::Le | BinOpr::Ne | BinOpr::Gt | BinOpr::Ge => {
                self.codecomp(op, e1, e2)?;
            }
            _ => {
                let (aop, opc) = match op {
                    BinOpr::Add => (ArithOp::Add, OpCode::Add),
                    BinOpr::Sub => (ArithOp::Sub, OpCode::Sub),
                    BinOpr::Mul => (ArithOp::Mul, OpCode::Mul),
                    BinOpr::Mod => (ArithOp::Mod, OpCode::Mod),
                    BinOpr::Pow => (ArithOp::Pow, OpCode::Pow),
                    BinOpr::Div => (ArithOp::Div, OpCode::Div),
                    BinOpr::IDiv => (ArithOp::IDiv, OpCode::IDiv),
                    BinOpr::BAnd => (ArithOp::BAnd, OpCode::BAnd),
                    BinOpr::BOr => (ArithOp::BOr, OpCode::BOr),
                    BinOpr::BXor => (ArithOp::BXor, OpCode::BXor),
                    BinOpr::Shl => (ArithOp::Shl, OpCode::Shl),
                    _ => (ArithOp::Shr, OpCode::Shr),
                };
                if !self.constfolding(aop, e1, e2) {
                    self.codebinexpval(opc, e1, e2, line)?;
                }
            }
        }
        Ok(())
    }

    /// SETLIST for `tostore` values (or up to the top when `LUA_MULTRET`).
    pub(crate) fn setlist(&mut self, base: i32, nelems: i32, tostore: i32) -> PResult<()> {
        let c = (nelems - 1) / LFIELDS_PER_FLUSH as i32 + 1;
        let b = if tostore == LUA_MULTRET { 0 } else { tostore };
        if c as u32 <= MAXARG_C {
            self.code_abc(OpCode::SetList, base, b, c)?;
        } else if c as u32 <= MAXARG_AX {
            self.code_abc(OpCode::SetList, base, b, 0)?;
            self.code_extraarg(c as u32)?;
        } else {
            return Err(self.syntax_error("constructor too long"));
        }
        self.fs.freereg = base + 1;
        Ok(())
    }
}

/// PUC's check before reusing a cached constant: same type and raw-equal value.
fn same_constant(a: &Constant, key: &KKey) -> bool {
    match (a, key) {
        (Constant::Nil, KKey::Nil) => true,
        (Constant::Bool(x), KKey::Bool(y)) => x == y,
        (Constant::Int(x), KKey::Int(y)) => x == y,
        (Constant::Float(x), KKey::Flt(y)) => *x == f64::from_bits(*y),
        (Constant::Str(x), KKey::Str(y)) => x[..] == y[..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::int2fb;

    #[test]
    fn int2fb_matches_puc() {
        assert_eq!(int2fb(0), 0);
        assert_eq!(int2fb(7), 7);
        assert_eq!(int2fb(8), 8);
        assert_eq!(int2fb(50), 0x1d);
        assert_eq!(int2fb(100), 0x25);
    }
}
