//! Coroutines: `resume` switches the running thread, runs it until it yields, returns or
//! fails, and switches back.
//!
//! `resume` is a Rust-level call (like PUC's `lua_resume`): it counts one C level. A yield
//! never needs the Rust stack of the coroutine: every frame it leaves is a Lua frame or a
//! Rust frame with a continuation, so the next `resume` rebuilds the run from `ci` alone.
//!
//! A switch is one swap: the resumed thread's saved data (in its cell) and the running
//! thread's (in `State`) trade places. So while a coroutine runs, its cell holds the data
//! of its resumer; since a coroutine only ever yields back to its resumer, the swap back
//! restores both. `State::data_holder` finds where a thread's saved data is.
//!
//! Invariants:
//! - a thread is `Running` only while its data is in `State`; `Normal` while it resumed
//!   another; the chain of resumers is kept in `resumers` (rooted), innermost last;
//! - the saved data of a `Normal` thread `resumers[i]` is in the cell of the thread it
//!   resumed (`resumers[i + 1]`, or `current` for the last); every other thread's is in
//!   its own cell (the main thread's cell is empty while it runs). Every saved data is
//!   thus traced through a marked thread: `current` and `resumers` are roots;
//! - the values passed in and out are copied from one thread's stack to the other's
//!   right at the switch, before anything can allocate.

use luavm_gc::Gc;

use crate::call::MULTRET;
use crate::error::{LuaError, LuaResult};
use crate::state::{State, MAX_CCALLS};
use crate::thread::{cist, CoStatus, ContFn, Thread};
use crate::value::Value;

/// How a resume ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResumeOutcome {
    /// The coroutine yielded; the yielded values were pushed.
    Yielded,
    /// The coroutine's body returned; its results were pushed.
    Returned,
    /// The coroutine failed; the error value was pushed.
    Failed,
}

static PASS_THROUGH: u8 = 0;

/// The value an async host call yields (see `State::is_pass_through_yield`): a light
/// userdata no Lua code can make.
pub fn pass_through_marker() -> Value {
    Value::LightUserData(std::ptr::addr_of!(PASS_THROUGH) as usize)
}

impl State {
    /// Swap the running thread's fields in `State` with the saved data in `cell`, then
    /// move the top `n` values of the data now in `cell` onto the running stack if it has
    /// room for them (and `EXTRA_STACK`) below `MAX_STACK`: returns whether it had.
    #[inline(always)]
    fn swap_thread_data(&mut self, cell: Gc<Thread>, n: usize) -> bool {
        use std::mem::swap;
        let mut d = cell.data.borrow_mut();
        let d = &mut *d;
        swap(&mut self.stack, &mut d.stack);
        swap(&mut self.ci, &mut d.ci);
        swap(&mut self.open_upvals, &mut d.open_upvals);
        swap(&mut self.top, &mut d.top);
        swap(&mut self.nny, &mut d.nny);
        swap(&mut self.errfunc, &mut d.errfunc);
        swap(&mut self.hook, &mut d.hook);
        let top = self.top;
        let room = self.stack.len().min(crate::state::MAX_STACK);
        if top + n + 1 + crate::state::EXTRA_STACK > room {
            return false;
        }
        let first = d.top - n;
        d.top = first;
        let (to, from) = (&mut self.stack[top..top + n], &d.stack[first..first + n]);
        match n {
            // the usual counts, without a call to `memcpy`
            0 => {}
            1 => to[0] = from[0],
            2 => to.copy_from_slice(&from[..2]),
            _ => to.copy_from_slice(from),
        }
        self.top = top + n;
        true
    }

    /// Move the top `n` values of `from`'s saved data onto the running stack, growing it
    /// (`push` grows it even past the limit: the arguments must reach the coroutine; its
    /// first call raises the overflow).
    #[cold]
    #[inline(never)]
    fn push_args_from(&mut self, from: Gc<Thread>, n: usize) {
        let _ = self.check_stack(n + 1);
        let mut d = from.data.borrow_mut();
        let first = d.top - n;
        for i in first..first + n {
            self.push(d.stack[i]);
        }
        d.top = first;
    }

    /// The thread whose cell holds the saved data of `t` (not the running thread): `t`
    /// itself, or for a resumer the thread it resumed (see the module's invariants).
    pub(crate) fn data_holder(&self, t: Gc<Thread>) -> Gc<Thread> {
        if t.status.get() != CoStatus::Normal {
            return t;
        }
        match self.resumers.iter().position(|r| Gc::ptr_eq(*r, t)) {
            Some(i) => self.resumers.get(i + 1).copied().unwrap_or(self.current),
            None => t,
        }
    }

    /// Whether the running code may yield (`coroutine.isyieldable`).
    pub fn is_yieldable(&self) -> bool {
        !Gc::ptr_eq(self.current, self.main_thread) && self.nny == 0
    }

    /// Resume `co` with the `nargs` values on top of the stack (they are popped). The
    /// outcome's values are pushed; returns the outcome and how many values were pushed.
    pub fn resume(&mut self, co: Gc<Thread>, nargs: usize) -> LuaResult<(ResumeOutcome, usize)> {
        let status = co.status.get();
        if status != CoStatus::Fresh && status != CoStatus::Suspended {
            let msg: &[u8] = if status == CoStatus::Dead {
                b"cannot resume dead coroutine"
            } else {
                b"cannot resume non-suspended coroutine"
            };
            return Ok(self.resume_refused(msg, nargs));
        }
        // the coroutine runs one C level above its resumer (PUC's `lua_resume`)
        let level = self.c_level(1);
        if level >= MAX_CCALLS {
            return Ok(self.resume_refused(b"C stack overflow", nargs));
        }
        let me = self.current;
        me.status.set(CoStatus::Normal);
        self.resumers.push(me);
        co.status.set(CoStatus::Running);
        // switch, moving the arguments from the resumer's stack onto the coroutine's
        if !self.swap_thread_data(co, nargs) {
            self.push_args_from(co, nargs);
        }
        self.current = co;
        let saved_ccalls = std::mem::replace(&mut self.n_ccalls, level);
        let r = if status == CoStatus::Fresh {
            match self.precall(1, MULTRET) {
                Ok(true) | Err(LuaError::Continue) => self.execute(1),
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            }
        } else {
            let last = self.ci.len() - 1;
            if self.ci[last].status & cist::YIELDK != 0 {
                // `yield_k`: the loop runs the continuation (with the resume arguments on
                // top of what the frame kept), so errors in it unwind as usual
                self.ci[last].status &= !cist::YIELDK;
            } else {
                // the yielding Rust function returns the resume arguments
                let first = self.top - nargs;
                self.poscall(first, nargs);
            }
            self.execute(1)
        };
        self.n_ccalls = saved_ccalls;
        // where the outcome's values are on the coroutine's stack
        let (outcome, first) = match r {
            Ok(()) => {
                co.status.set(CoStatus::Dead);
                (ResumeOutcome::Returned, 1.min(self.top))
            }
            Err(LuaError::Yield) => {
                co.status.set(CoStatus::Suspended);
                let ci = &self.ci[self.ci.len() - 1];
                let base = if ci.status & cist::YIELDK != 0 {
                    self.top.saturating_sub(ci.extra as usize)
                } else {
                    (ci.base as usize).min(self.top)
                };
                (ResumeOutcome::Yielded, base)
            }
            Err(_) => {
                co.status.set(CoStatus::Dead);
                (ResumeOutcome::Failed, self.top)
            }
        };
        let n = self.top - first;
        if outcome == ResumeOutcome::Failed {
            let err = self.error_value;
            self.swap_thread_data(co, 0);
            self.current = me;
            self.resumers.pop();
            me.status.set(CoStatus::Running);
            self.push(err);
            return Ok((outcome, 1));
        }
        // the values move out of the coroutine (as PUC's `lua_xmove`): a yielding frame
        // keeps no slots that the debug library could see
        let moved = self.swap_thread_data(co, n);
        self.current = me;
        self.resumers.pop();
        me.status.set(CoStatus::Running);
        if !moved {
            return self.resume_grow_results(co, outcome, first, n);
        }
        Ok((outcome, n))
    }

    /// The end of a resume whose `n` results (at `first` on the coroutine's stack) did
    /// not fit in the resumer's stack: grow it (or fail as PUC's `auxresume` when
    /// `lua_checkstack` fails), then move them.
    #[cold]
    #[inline(never)]
    fn resume_grow_results(
        &mut self,
        co: Gc<Thread>,
        outcome: ResumeOutcome,
        first: usize,
        n: usize,
    ) -> LuaResult<(ResumeOutcome, usize)> {
        if self.top + crate::state::EXTRA_STACK + n + 1 > crate::state::MAX_STACK {
            // the results are dropped
            co.data.borrow_mut().top = first;
            self.push_str(b"too many results to resume");
            return Ok((ResumeOutcome::Failed, 1));
        }
        if let Err(e) = self.check_stack(n) {
            co.data.borrow_mut().top = first;
            return Err(e);
        }
        let mut d = co.data.borrow_mut();
        for i in first..first + n {
            self.push(d.stack[i]);
        }
        d.top = first;
        Ok((outcome, n))
    }

    /// A resume that cannot start: drop the arguments, push the message.
    #[cold]
    #[inline(never)]
    fn resume_refused(&mut self, msg: &[u8], nargs: usize) -> (ResumeOutcome, usize) {
        self.top -= nargs;
        self.push_str(msg);
        (ResumeOutcome::Failed, 1)
    }

    /// Yield the values on top of the stack (from a Rust function: `return Err(s.yield_values())`
    /// style — returns the error to propagate).
    pub fn yield_now(&mut self) -> LuaError {
        if Gc::ptr_eq(self.current, self.main_thread) {
            return self.runtime_error("attempt to yield from outside a coroutine");
        }
        if self.nny > 0 {
            return self.runtime_error("attempt to yield across a C-call boundary");
        }
        LuaError::Yield
    }

    /// Yield the `nvalues` values on top of the stack from a Rust function, keeping the
    /// rest of its frame; when the coroutine is resumed, `k(state, Status::Ok, ctx)` runs
    /// with the resume arguments pushed on top of what the frame kept, and its results
    /// are the function's results (PUC's `lua_yieldk`). Returns the error to propagate
    /// (`Yield`, or the error when the running code cannot yield).
    pub fn yield_k(&mut self, nvalues: usize, k: ContFn, ctx: usize) -> LuaError {
        let e = self.yield_now();
        if e != LuaError::Yield {
            return e;
        }
        let last = self.ci.len() - 1;
        let ci = &mut self.ci[last];
        ci.k = Some(k);
        ci.ctx = ctx as u32;
        ci.status |= cist::YIELDK;
        ci.extra = nvalues as u32;
        LuaError::Yield
    }

    /// Whether the `n` values a resume just pushed are a pass-through yield: a coroutine
    /// suspended by an async host function, which every resumer up the chain must pass on
    /// (by yielding it again with `yield_k`) instead of receiving it.
    #[inline]
    pub fn is_pass_through_yield(&self, n: usize) -> bool {
        n == 1
            && self.top >= 1
            && matches!(self.stack[self.top - 1],
                        Value::LightUserData(p) if p == std::ptr::addr_of!(PASS_THROUGH) as usize)
    }

    /// Status of `co` as seen from the running thread.
    pub fn co_status(&self, co: Gc<Thread>) -> &'static str {
        if Gc::ptr_eq(co, self.current) {
            return "running";
        }
        match co.status.get() {
            CoStatus::Fresh | CoStatus::Suspended => "suspended",
            CoStatus::Running => "running",
            CoStatus::Normal => "normal",
            CoStatus::Dead => "dead",
        }
    }
}
