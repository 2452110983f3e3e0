//! Coroutines: `resume` switches the running thread, runs it until it yields, returns or
//! fails, and switches back.
//!
//! `resume` is a Rust-level call (like PUC's `lua_resume`): it counts one C level. A yield
//! never needs the Rust stack of the coroutine: every frame it leaves is a Lua frame or a
//! Rust frame with a continuation, so the next `resume` rebuilds the run from `ci` alone.
//!
//! Invariants:
//! - a thread is `Running` only while its data is in `State`; `Normal` while it resumed
//!   another; the thread chain of resumers is kept in `resumers` (rooted);
//! - the values passed in and out are copied from one thread's stack to the other's
//!   right after the switch, before anything can allocate.

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
    fn swap_thread_data(&mut self, out: Gc<Thread>, into: Gc<Thread>) {
        use std::mem::swap;
        // the running fields go into `into`'s cell (which holds `into`'s state) ...
        let mut din = into.data.borrow_mut();
        swap(&mut self.stack, &mut din.stack);
        swap(&mut self.ci, &mut din.ci);
        swap(&mut self.open_upvals, &mut din.open_upvals);
        swap(&mut self.top, &mut din.top);
        swap(&mut self.nny, &mut din.nny);
        swap(&mut self.errfunc, &mut din.errfunc);
        swap(&mut self.hook, &mut din.hook);
        // ... and then that cell's content (now `out`'s state) moves to `out`'s cell,
        // whose content (left over from when `out` was switched in) goes back to `into`
        swap(&mut *out.data.borrow_mut(), &mut *din);
        self.current = into;
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
            self.top -= nargs;
            self.push_str(msg);
            return Ok((ResumeOutcome::Failed, 1));
        }
        // the coroutine runs one C level above its resumer (PUC's `lua_resume`)
        let level = self.c_level(1);
        if level >= MAX_CCALLS {
            self.top -= nargs;
            self.push_str(b"C stack overflow");
            return Ok((ResumeOutcome::Failed, 1));
        }
        let me = self.current;
        me.status.set(CoStatus::Normal);
        self.resumers.push(me);
        self.swap_thread_data(me, co);
        co.status.set(CoStatus::Running);
        let saved_ccalls = self.n_ccalls;
        self.n_ccalls = level;
        // the arguments move from the resumer's stack onto the coroutine's
        {
            let mut d = me.data.borrow_mut();
            let from = d.top - nargs;
            if self.check_stack(nargs + 1).is_err() {
                // cannot even push the arguments: `push` grows the stack regardless
            }
            for i in from..from + nargs {
                self.push(d.stack[i]);
            }
            d.top = from;
        }
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
                self.execute(1)
            } else {
                // the yielding Rust function returns the resume arguments
                let first = self.top - nargs;
                self.poscall(first, nargs);
                self.execute(1)
            }
        };
        self.n_ccalls = saved_ccalls;
        // where the outcome's values are on the coroutine's stack
        let (outcome, first, n) = match r {
            Ok(()) => {
                co.status.set(CoStatus::Dead);
                (ResumeOutcome::Returned, 1, self.top.saturating_sub(1))
            }
            Err(LuaError::Yield) => {
                co.status.set(CoStatus::Suspended);
                let ci = self.ci[self.ci.len() - 1];
                let base = if ci.status & cist::YIELDK != 0 {
                    self.top.saturating_sub(ci.extra as usize)
                } else {
                    (ci.base as usize).min(self.top)
                };
                (ResumeOutcome::Yielded, base, self.top - base)
            }
            Err(_) => {
                co.status.set(CoStatus::Dead);
                (ResumeOutcome::Failed, 0, 0)
            }
        };
        let err = self.error_value;
        self.swap_thread_data(co, me);
        self.resumers.pop();
        me.status.set(CoStatus::Running);
        if outcome == ResumeOutcome::Failed {
            self.push(err);
            return Ok((outcome, 1));
        }
        let mut d = co.data.borrow_mut();
        // the values move out of the coroutine (as PUC's `lua_xmove`): a yielding frame
        // keeps no slots that the debug library could see
        d.top = first;
        if self.top + crate::state::EXTRA_STACK + n + 1 > crate::state::MAX_STACK {
            // as PUC's auxresume when `lua_checkstack` fails: the results are dropped
            drop(d);
            self.push_str(b"too many results to resume");
            return Ok((ResumeOutcome::Failed, 1));
        }
        self.check_stack(n)?;
        for i in first..first + n {
            self.push(d.stack[i]);
        }
        Ok((outcome, n))
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
    pub fn is_pass_through_yield(&self, n: usize) -> bool {
        n == 1 && self.top >= 1 && self.stack[self.top - 1].raw_equal(pass_through_marker())
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
