//! The bytecode verifier: checks, once per prototype, everything the VM's hot loop
//! indexes without bounds checks. A proto that passes `verify` (and every nested
//! proto, checked too) satisfies, for every instruction at `pc`, with
//! `ms = max_stack_size`, `nk = constants.len()`, `nu = upvalues.len()`:
//!
//! - every register the instruction reads or writes (as given by the opcode's
//!   semantics, e.g. CALL `A..A+B-1` and `A..A+C-2`, LOADNIL `A..A+B`, FORLOOP
//!   `A..A+3`, TFORCALL `A..A+5` and `A+3..A+2+C`, SETLIST `A..A+B`, CONCAT `B..C`,
//!   VARARG `A..A+B-2`, SELF `A..A+1`) is `< ms`; open ranges (B or C = 0) are
//!   dynamic and left to the VM;
//! - every RK operand is a register `< ms` or a constant `< nk`; every constant
//!   index (LOADK, LOADKX's EXTRAARG) is `< nk`; every upvalue index `< nu`;
//!   every CLOSURE index `< protos.len()`;
//! - every jump target (JMP, FORLOOP, FORPREP, TFORLOOP, LOADBOOL's skip) is in
//!   `0..code.len()` and is not an EXTRAARG; EQ/LT/LE/TEST/TESTSET are followed by a JMP, TFORCALL by a
//!   TFORLOOP, LOADKX and SETLIST with C = 0 by an EXTRAARG, and EXTRAARG appears
//!   nowhere else; the last instruction is a RETURN (so execution never runs off
//!   the end);
//! - `line_info.len() == code.len()`, `num_params <= ms`, `nu <= 255`;
//! - each nested proto's upvalue descriptors refer to registers `< ms` (in stack)
//!   or upvalues `< nu` of the enclosing proto.
//!
//! Nesting is walked with an explicit stack: no recursion, whatever the input.

use crate::opcodes::{inst, Instruction, OpCode};
use crate::proto::Proto;

/// Verifies `p` and all its nested prototypes.
pub fn verify(p: &Proto) -> Result<(), String> {
    let mut stack: Vec<(&Proto, String)> = vec![(p, "main".to_string())];
    while let Some((f, path)) = stack.pop() {
        verify_one(f).map_err(|e| format!("{}: {}", path, e))?;
        for (i, child) in f.protos.iter().enumerate() {
            for (u, d) in child.upvalues.iter().enumerate() {
                let ok = if d.in_stack {
                    (d.index as usize) < f.max_stack_size as usize
                } else {
                    (d.index as usize) < f.upvalues.len()
                };
                if !ok {
                    return Err(format!(
                        "{}: function {}: upvalue {} refers to {} {} out of range",
                        path,
                        i,
                        u,
                        if d.in_stack { "register" } else { "upvalue" },
                        d.index
                    ));
                }
            }
            stack.push((child, format!("{}/{}", path, i)));
        }
    }
    Ok(())
}

struct Checker<'a> {
    f: &'a Proto,
    pc: usize,
    ms: usize,
}

impl Checker<'_> {
    fn err<T>(&self, msg: String) -> Result<T, String> {
        let op = self
            .f
            .code
            .get(self.pc)
            .and_then(|&i| OpCode::from_u8(inst::opcode_raw(i)))
            .map(|o| o.name())
            .unwrap_or_else(|| "?".to_string());
        Err(format!("pc {} ({}): {}", self.pc + 1, op, msg))
    }

    /// Registers `first..=last` must exist.
    fn regs(&self, first: u64, last: u64) -> Result<(), String> {
        if last < first {
            return Ok(());
        }
        if last as usize >= self.ms {
            return self.err(format!(
                "register {} out of range (max_stack_size {})",
                last, self.ms
            ));
        }
        Ok(())
    }

    fn reg(&self, r: u32) -> Result<(), String> {
        self.regs(r as u64, r as u64)
    }

    fn konst(&self, k: u32) -> Result<(), String> {
        if k as usize >= self.f.constants.len() {
            return self.err(format!(
                "constant {} out of range ({} constants)",
                k,
                self.f.constants.len()
            ));
        }
        Ok(())
    }

    fn rk(&self, x: u32) -> Result<(), String> {
        if inst::is_k(x) {
            self.konst(inst::index_k(x))
        } else {
            self.reg(x)
        }
    }

    fn upval(&self, u: u32) -> Result<(), String> {
        if u as usize >= self.f.upvalues.len() {
            return self.err(format!(
                "upvalue {} out of range ({} upvalues)",
                u,
                self.f.upvalues.len()
            ));
        }
        Ok(())
    }

    fn target(&self, t: i64) -> Result<(), String> {
        if t < 0 || t as usize >= self.f.code.len() {
            return self.err(format!("jump target {} out of range", t + 1));
        }
        if inst::opcode_raw(self.f.code[t as usize]) == OpCode::ExtraArg as u8 {
            return self.err(format!("jump target {} is an EXTRAARG", t + 1));
        }
        Ok(())
    }

    fn jump(&self, i: Instruction) -> Result<(), String> {
        self.target(self.pc as i64 + 1 + inst::sbx(i) as i64)
    }

    fn next_is(&self, op: OpCode) -> Result<Instruction, String> {
        match self.f.code.get(self.pc + 1) {
            Some(&n) if inst::opcode_raw(n) == op as u8 => Ok(n),
            _ => self.err(format!("must be followed by {}", op.name())),
        }
    }
}

fn verify_one(f: &Proto) -> Result<(), String> {
    let ms = f.max_stack_size as usize;
    if f.line_info.len() != f.code.len() {
        return Err(format!(
            "line_info has {} entries for {} instructions",
            f.line_info.len(),
            f.code.len()
        ));
    }
    if f.num_params as usize > ms {
        return Err(format!(
            "{} parameters but max_stack_size {}",
            f.num_params, ms
        ));
    }
    if f.upvalues.len() > 255 {
        return Err(format!("{} upvalues (limit is 255)", f.upvalues.len()));
    }
    match f.code.last() {
        Some(&i) if inst::opcode_raw(i) == OpCode::Return as u8 => {}
        _ => return Err("code does not end with RETURN".to_string()),
    }
    let mut c = Checker { f, pc: 0, ms };
    let mut skip_extraarg = false;
    while c.pc < f.code.len() {
        let i = f.code[c.pc];
        let Some(op) = OpCode::from_u8(inst::opcode_raw(i)) else {
            return c.err(format!("invalid opcode {}", inst::opcode_raw(i)));
        };
        let (a, b, cc) = (inst::a(i), inst::b(i), inst::c(i));
        let (a64, b64, c64) = (a as u64, b as u64, cc as u64);
        if op == OpCode::ExtraArg {
            if !skip_extraarg {
                return c.err("EXTRAARG without LOADKX or SETLIST before it".to_string());
            }
            skip_extraarg = false;
            c.pc += 1;
            continue;
        }
        skip_extraarg = false;
        use OpCode::*;
        match op {
            Move | Unm | BNot | Not | Len => {
                c.reg(a)?;
                c.reg(b)?;
            }
            LoadK => {
                c.reg(a)?;
                c.konst(inst::bx(i))?;
            }
            LoadKx => {
                c.reg(a)?;
                let n = c.next_is(ExtraArg)?;
                c.konst(inst::ax(n))?;
                skip_extraarg = true;
            }
            LoadBool => {
                c.reg(a)?;
                if cc != 0 {
                    c.target(c.pc as i64 + 2)?;
                }
            }
            LoadNil => c.regs(a64, a64 + b64)?,
            GetUpval | SetUpval => {
                c.reg(a)?;
                c.upval(b)?;
            }
            GetTabUp => {
                c.reg(a)?;
                c.upval(b)?;
                c.rk(cc)?;
            }
            GetTable => {
                c.reg(a)?;
                c.reg(b)?;
                c.rk(cc)?;
            }
            SetTabUp => {
                c.upval(a)?;
                c.rk(b)?;
                c.rk(cc)?;
            }
            SetTable | Add | Sub | Mul | Mod | Pow | Div | IDiv | BAnd | BOr | BXor | Shl | Shr => {
                c.reg(a)?;
                c.rk(b)?;
                c.rk(cc)?;
            }
            NewTable => c.reg(a)?,
            SelfOp => {
                c.regs(a64, a64 + 1)?;
                c.reg(b)?;
                c.rk(cc)?;
            }
            Concat => {
                c.reg(a)?;
                if b >= cc {
                    return c.err(format!("CONCAT range {}..{} is empty", b, cc));
                }
                c.regs(b64, c64)?;
            }
            Jmp => {
                if a > 0 {
                    c.reg(a - 1)?;
                }
                c.jump(i)?;
            }
            Eq | Lt | Le => {
                c.rk(b)?;
                c.rk(cc)?;
                c.next_is(Jmp)?;
            }
            Test => {
                c.reg(a)?;
                c.next_is(Jmp)?;
            }
            TestSet => {
                c.reg(a)?;
                c.reg(b)?;
                c.next_is(Jmp)?;
            }
            Call => {
                c.reg(a)?;
                if b > 0 {
                    c.regs(a64, a64 + b64 - 1)?;
                }
                if cc > 1 {
                    c.regs(a64, a64 + c64 - 2)?;
                }
            }
            TailCall => {
                c.reg(a)?;
                if b > 0 {
                    c.regs(a64, a64 + b64 - 1)?;
                }
            }
            Return => {
                c.reg(a)?;
                if b > 1 {
                    c.regs(a64, a64 + b64 - 2)?;
                }
            }
            ForLoop | ForPrep => {
                c.regs(a64, a64 + 3)?;
                c.jump(i)?;
            }
            TForCall => {
                c.regs(a64, a64 + 5)?;
                c.regs(a64 + 3, a64 + 2 + c64)?;
                c.next_is(TForLoop)?;
            }
            TForLoop => {
                c.regs(a64, a64 + 1)?;
                c.jump(i)?;
            }
            SetList => {
                c.reg(a)?;
                if b > 0 {
                    c.regs(a64, a64 + b64)?;
                }
                if cc == 0 {
                    c.next_is(ExtraArg)?;
                    skip_extraarg = true;
                }
            }
            Closure => {
                c.reg(a)?;
                if inst::bx(i) as usize >= f.protos.len() {
                    return c.err(format!(
                        "function {} out of range ({} functions)",
                        inst::bx(i),
                        f.protos.len()
                    ));
                }
            }
            VarArg => {
                c.reg(a)?;
                if b > 1 {
                    c.regs(a64, a64 + b64 - 2)?;
                }
            }
            ExtraArg => {}
        }
        c.pc += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile;
    use crate::opcodes::inst::*;
    use crate::proto::Constant;
    use std::sync::Arc;

    fn proto(code: Vec<Instruction>, ms: u8) -> Proto {
        let n = code.len();
        Proto {
            code,
            line_info: vec![1; n],
            max_stack_size: ms,
            constants: vec![Constant::Int(1)],
            ..Proto::default()
        }
    }

    fn ret() -> Instruction {
        abc(OpCode::Return, 0, 1, 0)
    }

    #[test]
    fn compiled_code_verifies() {
        let p = compile(
            b"local t = {...} for i = 1, #t do print(t[i] .. 'x') end for k, v in pairs(t) do end return f(...)",
            b"=t",
        )
        .unwrap();
        verify(&p).unwrap();
    }

    #[test]
    fn rejects_out_of_range_operands() {
        let bad = [
            proto(vec![abc(OpCode::Move, 2, 0, 0), ret()], 2),
            proto(vec![abx(OpCode::LoadK, 0, 1), ret()], 2),
            proto(vec![abc(OpCode::LoadNil, 1, 1, 0), ret()], 2),
            proto(vec![abc(OpCode::Call, 0, 3, 1), ret()], 2),
            proto(vec![abc(OpCode::Call, 0, 1, 4), ret()], 2),
            proto(vec![asbx(OpCode::ForLoop, 0, -1), ret()], 3),
            proto(
                vec![
                    abc(OpCode::TForCall, 0, 0, 1),
                    asbx(OpCode::TForLoop, 2, -2),
                    ret(),
                ],
                5,
            ),
            proto(vec![abc(OpCode::Concat, 0, 1, 1), ret()], 2),
            proto(vec![abc(OpCode::GetUpval, 0, 0, 0), ret()], 2),
            proto(vec![asbx(OpCode::Jmp, 0, 5), ret()], 2),
            proto(vec![asbx(OpCode::Jmp, 0, -3), ret()], 2),
            proto(vec![abc(OpCode::Eq, 0, 0, 1), ret()], 2),
            proto(vec![abx(OpCode::LoadKx, 0, 0), ret()], 2),
            proto(vec![iax(OpCode::ExtraArg, 0), ret()], 2),
            proto(vec![abc(OpCode::SetList, 0, 0, 0), ret()], 2),
            proto(vec![abc(OpCode::Add, 0, rk_as_k(1), 0), ret()], 2),
            proto(vec![abx(OpCode::Closure, 0, 0), ret()], 2),
            proto(vec![abc(OpCode::LoadBool, 0, 0, 1), ret()], 2),
            proto(vec![abc(OpCode::Move, 0, 1, 0)], 2),
            proto(vec![50u32, ret()], 2),
        ];
        for (n, p) in bad.iter().enumerate() {
            assert!(verify(p).is_err(), "case {} should be rejected", n);
        }
        let mut p = proto(vec![ret()], 2);
        p.line_info.clear();
        assert!(verify(&p).is_err());
    }

    #[test]
    fn checks_nested_upvalue_descriptors() {
        let mut child = proto(vec![ret()], 2);
        child.upvalues.push(crate::proto::UpvalDesc {
            name: None,
            in_stack: true,
            index: 5,
        });
        let mut parent = proto(vec![abx(OpCode::Closure, 0, 0), ret()], 2);
        parent.protos.push(Arc::new(child));
        assert!(verify(&parent).is_err());
    }
}
