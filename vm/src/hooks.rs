//! Debug hooks (`debug.sethook`): call, return, line and count events, as PUC's
//! `luaD_hook`, `luaG_traceexec`, `callhook` and `rethook`.
//!
//! Hooks cost nothing when off: the interpreter loop has a second instantiation
//! (`run::<true>`) that traces every instruction, chosen by `execute` while
//! `hooks_on()`; the plain loop hands over (returns `Continue`) at its next call safe
//! point once a hook is set.
//!
//! Invariants: a hook runs as a re-entrant, non-yieldable call on top of the hooked frame,
//! which carries `cist::HOOKED` meanwhile; hooks do not nest (`allow_hook`); the hooked
//! frame's registers are protected by raising `top` to the frame's top first.

use crate::debug::hookmask;
use crate::error::LuaResult;
use crate::function::LuaClosure;
use crate::state::State;
use crate::thread::cist;
use crate::value::Value;

impl State {
    /// Is a hook set on the running thread?
    #[inline(always)]
    pub(crate) fn hooks_on(&self) -> bool {
        self.hook.mask != 0 && !self.hook.func.is_nil()
    }

    /// Run the hook for `event` (`line`: the line for line events) with the running frame
    /// as the hooked one.
    #[cold]
    pub(crate) fn run_hook(&mut self, event: &'static str, line: Option<i64>) -> LuaResult<()> {
        if !self.allow_hook || !self.hooks_on() {
            return Ok(());
        }
        let f = self.hook.func;
        let me = self.ci.len() - 1;
        let ci = self.ci[me];
        let saved_top = self.top;
        if ci.status & cist::LUA != 0 && self.top < ci.top as usize {
            self.top = ci.top as usize;
        }
        self.ci[me].status |= cist::HOOKED;
        self.allow_hook = false;
        let ev = self.str_value(event.as_bytes());
        let ln = line.map_or(Value::Nil, Value::Int);
        let r = self.call_value(f, &[ev, ln], 0);
        self.allow_hook = true;
        if let Some(c) = self.ci.get_mut(me) {
            c.status &= !cist::HOOKED;
        }
        self.top = saved_top;
        r.map(|_| ())
    }

    /// The call hook for the frame just pushed (`tail`: called by a tail call).
    #[cold]
    pub(crate) fn call_hook(&mut self, tail: bool) -> LuaResult<()> {
        if self.hook.mask & hookmask::CALL == 0 {
            return Ok(());
        }
        let me = self.ci.len() - 1;
        let lua = self.ci[me].status & cist::LUA != 0;
        // hooks see the pc already moved past the first instruction (as PUC's callhook)
        if lua {
            self.ci[me].pc += 1;
        }
        let r = self.run_hook(if tail { "tail call" } else { "call" }, None);
        if lua {
            if let Some(c) = self.ci.get_mut(me) {
                c.pc -= 1;
            }
        }
        r
    }

    /// The return hook of the running frame, before its results are moved; then
    /// `oldpc` for the caller (as PUC's `luaD_poscall`).
    #[cold]
    pub(crate) fn ret_hook(&mut self) -> LuaResult<()> {
        if self.hook.mask & hookmask::RET != 0 {
            self.run_hook("return", None)?;
        }
        let n = self.ci.len();
        if n >= 2 {
            self.hook.oldpc = self.ci[n - 2].pc;
        }
        Ok(())
    }

    /// Count and line events before the instruction the running Lua frame's saved pc
    /// points after (PUC's `luaG_traceexec`; `ci.pc` is already incremented).
    #[cold]
    pub(crate) fn trace_exec(&mut self, cl: crate::Gc<LuaClosure>) -> LuaResult<()> {
        let mask = self.hook.mask;
        if mask & hookmask::COUNT != 0 {
            self.hook.hookcount -= 1;
            if self.hook.hookcount == 0 {
                self.hook.hookcount = self.hook.count;
                self.run_hook("count", None)?;
            }
        }
        if mask & hookmask::LINE != 0 {
            let me = self.ci.len() - 1;
            let pc = self.ci[me].pc; // index of the next instruction
            let npc = pc.saturating_sub(1) as usize;
            let p = &cl.p.proto;
            let newline = p.line_at(npc);
            let oldpc = self.hook.oldpc;
            if npc == 0 || pc <= oldpc || newline != p.line_at(oldpc.saturating_sub(1) as usize) {
                self.run_hook("line", Some(newline as i64))?;
            }
        }
        if let Some(c) = self.ci.last() {
            self.hook.oldpc = c.pc;
        }
        Ok(())
    }
}
