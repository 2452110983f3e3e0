//! Scopes: local variables, upvalue resolution, blocks, labels and gotos
//! (the scope half of PUC 5.3's `lparser.c`). Methods of `Parser`.
//!
//! Invariants:
//! - `actvar[fs.firstlocal + i]` is the `loc_vars` index of the i-th active local
//!   of the current function; locals live in registers `0..nactvar`;
//! - at most 200 active locals per function, 255 upvalues per function;
//! - a pending goto is resolved when a visible label with its name appears in the
//!   same or an enclosing block; it may not jump into the scope of a local; when a
//!   goto leaves a block whose locals are captured, its JMP closes upvalues;
//! - `break` is a goto to the implicit label "break" created when a loop block ends.

use std::rc::Rc;

use crate::expdesc::{ExpDesc, ExpKind};
use crate::funcstate::{BlockCnt, LabelDesc};
use crate::parser::{PResult, Parser};
use crate::proto::{LocVar, UpvalDesc};

/// Maximum number of active local variables per function.
const MAXVARS: usize = 200;
/// Maximum number of upvalues per function.
const MAXUPVAL: usize = 255;
/// PUC's limit for the local variable debug array and the label lists (`SHRT_MAX`).
const SHRT_MAX: usize = 32767;

/// Which list a label entry goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelList {
    Gotos,
    Labels,
}

impl<'s> Parser<'s> {
    // ---------------------------------------------------------------- locals

    fn registerlocalvar(&mut self, name: &Rc<[u8]>) -> PResult<usize> {
        let n = self.fs.f.loc_vars.len();
        if n >= SHRT_MAX {
            return Err(self.limit_error("local variables", SHRT_MAX));
        }
        self.fs.f.loc_vars.push(LocVar {
            name: Box::from(&name[..]),
            start_pc: 0,
            end_pc: 0,
        });
        Ok(n)
    }

    pub(crate) fn new_localvar(&mut self, name: &Rc<[u8]>) -> PResult<()> {
        let reg = self.registerlocalvar(name)?;
        let n = self.actvar.len() + 1 - self.fs.firstlocal;
        self.checklimit(n, MAXVARS, "local variables")?;
        self.actvar.push(reg as u16);
        Ok(())
    }

    pub(crate) fn new_localvar_literal(&mut self, name: &str) -> PResult<()> {
        let name: Rc<[u8]> = Rc::from(name.as_bytes());
        self.new_localvar(&name)
    }

    pub(crate) fn getlocvar(&mut self, i: i32) -> &mut LocVar {
        let idx = self.actvar[self.fs.firstlocal + i as usize] as usize;
        &mut self.fs.f.loc_vars[idx]
    }

    pub(crate) fn adjustlocalvars(&mut self, nvars: i32) {
        self.fs.nactvar += nvars;
        let pc = self.fs.pc() as u32;
        for k in (1..=nvars).rev() {
            let i = self.fs.nactvar - k;
            self.getlocvar(i).start_pc = pc;
        }
    }

    fn removevars(&mut self, tolevel: i32) {
        let pc = self.fs.pc() as u32;
        let n = (self.fs.nactvar - tolevel) as usize;
        while self.fs.nactvar > tolevel {
            self.fs.nactvar -= 1;
            let i = self.fs.nactvar;
            self.getlocvar(i).end_pc = pc;
        }
        let len = self.actvar.len() - n;
        self.actvar.truncate(len);
    }

    // ---------------------------------------------------------------- variables

    /// The function `level` steps out from the current one (0 = current).
    fn fs_at(&mut self, level: usize) -> &mut crate::funcstate::FuncState {
        if level == 0 {
            &mut self.fs
        } else {
            let n = self.outer.len();
            &mut self.outer[n - level]
        }
    }

    fn searchvar(&mut self, level: usize, name: &[u8]) -> Option<i32> {
        let fs = self.fs_at(level);
        let (first, nact) = (fs.firstlocal, fs.nactvar);
        for i in (0..nact).rev() {
            let idx = self.actvar[first + i as usize] as usize;
            if &*self.fs_at(level).f.loc_vars[idx].name == name {
                return Some(i);
            }
        }
        None
    }

    fn searchupvalue(&mut self, level: usize, name: &[u8]) -> Option<i32> {
        self.fs_at(level)
            .f
            .upvalues
            .iter()
            .position(|u| u.name.as_deref() == Some(name))
            .map(|i| i as i32)
    }

    /// Marks the block of function `level` where local `var` was declared as having
    /// a captured variable.
    fn markupval(&mut self, level: usize, var: i32) {
        let fs = self.fs_at(level);
        for bl in fs.blocks.iter_mut().rev() {
            if bl.nactvar <= var {
                bl.upval = true;
                return;
            }
        }
    }

    pub(crate) fn newupvalue(&mut self, level: usize, name: &[u8], v: &ExpDesc) -> PResult<i32> {
        let nups = self.fs_at(level).f.upvalues.len();
        if nups + 1 > MAXUPVAL {
            let line = self.fs_at(level).f.line_defined;
            return Err(self.errorlimit_at(line, MAXUPVAL, "upvalues"));
        }
        let (in_stack, index) = match v.k {
            ExpKind::Local(r) => (true, r),
            _ => (false, v.info()),
        };
        self.fs_at(level).f.upvalues.push(UpvalDesc {
            name: Some(Box::from(name)),
            in_stack,
            index: index as u8,
        });
        Ok(nups as i32)
    }

    /// Resolves `name` as a local, an upvalue (creating it in every intermediate
    /// function) or `Void` for a global (PUC's `singlevaraux`).
    fn singlevaraux(&mut self, name: &[u8]) -> PResult<ExpDesc> {
        let depth = self.outer.len();
        let mut found: Option<(usize, ExpDesc)> = None;
        for level in 0..=depth {
            if let Some(v) = self.searchvar(level, name) {
                if level > 0 {
                    self.markupval(level, v);
                }
                found = Some((level, ExpDesc::new(ExpKind::Local(v))));
                break;
            }
            if let Some(idx) = self.searchupvalue(level, name) {
                found = Some((level, ExpDesc::new(ExpKind::Upval(idx))));
                break;
            }
        }
        let Some((level, mut var)) = found else {
            return Ok(ExpDesc::void());
        };
        for l in (0..level).rev() {
            let idx = self.newupvalue(l, name, &var)?;
            var = ExpDesc::new(ExpKind::Upval(idx));
        }
        Ok(var)
    }

    /// A variable reference: local, upvalue, or `_ENV.name`.
    pub(crate) fn singlevar(&mut self, name: &Rc<[u8]>) -> PResult<ExpDesc> {
        let mut var = self.singlevaraux(name)?;
        if var.k == ExpKind::Void {
            var = self.singlevaraux(b"_ENV")?;
            let k = self.string_k(name)?;
            let mut key = ExpDesc::new(ExpKind::K(k));
            self.indexed(&mut var, &mut key)?;
        }
        Ok(var)
    }

    // ---------------------------------------------------------------- blocks

    pub(crate) fn enterblock(&mut self, isloop: bool) {
        let bl = BlockCnt {
            firstlabel: self.label.len(),
            firstgoto: self.gt.len(),
            nactvar: self.fs.nactvar,
            upval: false,
            isloop,
        };
        self.fs.blocks.push(bl);
        debug_assert_eq!(self.fs.freereg, self.fs.nactvar);
    }

    pub(crate) fn leaveblock(&mut self) -> PResult<()> {
        let Some(&bl) = self.fs.blocks.last() else {
            return Ok(()); // no open block: nothing to leave (cannot happen)
        };
        let has_previous = self.fs.blocks.len() > 1;
        if has_previous && bl.upval {
            // a 'jump to here' that closes the upvalues
            let j = self.jump()?;
            self.patchclose(j, bl.nactvar);
            self.patchtohere(j)?;
        }
        if bl.isloop {
            self.breaklabel()?;
        }
        self.fs.blocks.pop();
        self.removevars(bl.nactvar);
        self.fs.freereg = self.fs.nactvar;
        self.label.truncate(bl.firstlabel);
        if has_previous {
            self.movegotosout(&bl)?;
        } else if bl.firstgoto < self.gt.len() {
            return Err(self.undefgoto(bl.firstgoto));
        }
        Ok(())
    }

    /// Whether the innermost block has captured variables.
    pub(crate) fn block_upval(&self) -> Option<i32> {
        self.fs.blocks.last().filter(|b| b.upval).map(|b| b.nactvar)
    }

    fn current_block(&self) -> BlockCnt {
        // there is always an open block while parsing; the fallback is never used
        self.fs.blocks.last().copied().unwrap_or(BlockCnt {
            firstlabel: self.label.len(),
            firstgoto: self.gt.len(),
            nactvar: 0,
            upval: false,
            isloop: false,
        })
    }

    // ---------------------------------------------------------------- labels

    pub(crate) fn newlabelentry(
        &mut self,
        which: LabelList,
        name: Rc<[u8]>,
        line: u32,
        pc: i32,
    ) -> PResult<usize> {
        let nactvar = self.fs.nactvar;
        let list = if which == LabelList::Gotos {
            &mut self.gt
        } else {
            &mut self.label
        };
        if list.len() >= SHRT_MAX {
            return Err(self.limit_error("labels/gotos", SHRT_MAX));
        }
        let list = if which == LabelList::Gotos {
            &mut self.gt
        } else {
            &mut self.label
        };
        list.push(LabelDesc {
            name,
            pc,
            line,
            nactvar,
        });
        Ok(list.len() - 1)
    }

    fn closegoto(&mut self, g: usize, label: &LabelDesc) -> PResult<()> {
        let gt = self.gt[g].clone();
        if gt.nactvar < label.nactvar {
            let vname = self.getlocvar(gt.nactvar).name.clone();
            let msg = format!(
                "<goto {}> at line {} jumps into the scope of local '{}'",
                String::from_utf8_lossy(&gt.name),
                gt.line,
                String::from_utf8_lossy(&vname)
            );
            return Err(self.sem_error(&msg));
        }
        self.patchlist(gt.pc, label.pc)?;
        self.gt.remove(g);
        Ok(())
    }

    /// Tries to close goto `g` with a label of the current block (backward jumps).
    pub(crate) fn findlabel(&mut self, g: usize) -> PResult<bool> {
        let bl = self.current_block();
        for i in bl.firstlabel..self.label.len() {
            if self.label[i].name == self.gt[g].name {
                let lb = self.label[i].clone();
                let gnact = self.gt[g].nactvar;
                if gnact > lb.nactvar && (bl.upval || self.label.len() > bl.firstlabel) {
                    let pc = self.gt[g].pc;
                    self.patchclose(pc, lb.nactvar);
                }
                self.closegoto(g, &lb)?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Closes the pending gotos of the current block that go to label `l` (forward jumps).
    pub(crate) fn findgotos(&mut self, l: usize) -> PResult<()> {
        let lb = self.label[l].clone();
        let mut i = self.current_block().firstgoto;
        while i < self.gt.len() {
            if self.gt[i].name == lb.name {
                self.closegoto(i, &lb)?;
            } else {
                i += 1;
            }
        }
        Ok(())
    }

    fn movegotosout(&mut self, bl: &BlockCnt) -> PResult<()> {
        let mut i = bl.firstgoto;
        while i < self.gt.len() {
            if self.gt[i].nactvar > bl.nactvar {
                if bl.upval {
                    let pc = self.gt[i].pc;
                    self.patchclose(pc, bl.nactvar);
                }
                self.gt[i].nactvar = bl.nactvar;
            }
            if !self.findlabel(i)? {
                i += 1;
            }
        }
        Ok(())
    }

    fn breaklabel(&mut self) -> PResult<()> {
        let pc = self.fs.pc();
        let l = self.newlabelentry(LabelList::Labels, Rc::from(&b"break"[..]), 0, pc)?;
        self.findgotos(l)
    }

    #[cold]
    fn undefgoto(&mut self, g: usize) -> crate::parser::PError {
        let gt = &self.gt[g];
        let name = String::from_utf8_lossy(&gt.name).into_owned();
        let msg = if &*gt.name == b"break" {
            format!("<{}> at line {} not inside a loop", name, gt.line)
        } else {
            format!("no visible label '{}' for <goto> at line {}", name, gt.line)
        };
        self.sem_error(&msg)
    }

    /// Errors when a label with this name already exists in the current block.
    pub(crate) fn checkrepeated(&mut self, name: &[u8]) -> PResult<()> {
        let bl = self.current_block();
        for i in bl.firstlabel..self.label.len() {
            if &*self.label[i].name == name {
                let msg = format!(
                    "label '{}' already defined on line {}",
                    String::from_utf8_lossy(name),
                    self.label[i].line
                );
                return Err(self.sem_error(&msg));
            }
        }
        Ok(())
    }
}
