//! Calls, returns, protected calls and error recovery.
//!
//! - `precall` starts a call: a Lua function gets a frame (the loop runs it); a Rust
//!   function runs at once and its results are moved into place by `poscall`.
//! - `call` is the re-entrant call used by Rust code (not yieldable, counts a C level).
//! - `call_k` is the continuation-style call used by `pcall`/`xpcall` (yieldable).
//! - `execute` runs frames and, when an error reaches it, unwinds to the nearest
//!   protected frame (`YPCALL`) at or above its entry frame and runs that frame's
//!   continuation with the error.
//!
//! Invariant: a Rust function's frame is popped only when it returns `Ok`; when it returns
//! `Err(Continue)` or `Err(Yield)` its frame stays, waiting for its continuation.

use crate::error::{LuaError, LuaResult};
use crate::meta::Tm;
use crate::state::{State, EXTRA_STACK, MAX_CCALLS, MIN_STACK};
use crate::thread::{cist, CallInfo, ContFn, Status};
use crate::value::Value;

/// What `poscall` returns of the frame it popped.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Returned {
    pub func: usize,
    pub nresults: i32,
    pub status: u16,
    pub extra: usize,
}

/// Ask for all results.
pub const MULTRET: i32 = -1;

impl State {
    /// Start calling `stack[func]` with arguments `func+1..top`. Returns `true` when a Lua
    /// frame was pushed (the loop must run it), `false` when a Rust function already ran.
    #[inline(never)]
    pub(crate) fn precall(&mut self, func: usize, nresults: i32) -> LuaResult<bool> {
        match self.stack[func] {
            Value::LuaFn(cl) => {
                self.push_lua_frame(cl, func, nresults)?;
                if self.hook.mask & crate::debug::hookmask::CALL != 0 {
                    self.call_hook(false)?;
                }
                Ok(true)
            }
            Value::NativeFn(f) => {
                self.call_native(func, nresults, f)?;
                Ok(false)
            }
            Value::NativeClosure(c) => {
                self.call_native(func, nresults, c.f)?;
                Ok(false)
            }
            _ => {
                self.prepare_call_tm(func)?;
                self.precall(func, nresults)
            }
        }
    }

    /// Push the frame of Lua closure `cl` at `func` (arguments `func+1..top`); returns the
    /// new frame's base.
    #[inline(always)]
    pub(crate) fn push_lua_frame(
        &mut self,
        cl: luavm_gc::Gc<crate::function::LuaClosure>,
        func: usize,
        nresults: i32,
    ) -> LuaResult<usize> {
        let nparams = cl.num_params as usize;
        let fsize = cl.max_stack as usize;
        let mut nargs = self.top - func - 1;
        let needed = self.top + fsize + nparams + EXTRA_STACK;
        if needed > self.stack.len() {
            self.grow_stack(needed)?;
        }
        while nargs < nparams {
            self.stack[self.top] = Value::Nil;
            self.top += 1;
            nargs += 1;
        }
        let base = if !cl.is_vararg {
            func + 1
        } else {
            // move the fixed parameters above the varargs
            let base = self.top;
            let fixed = base - nargs;
            for j in 0..nparams {
                self.stack[base + j] = self.stack[fixed + j];
                self.stack[fixed + j] = Value::Nil;
            }
            base
        };
        // SAFETY: the frame stack always holds the thread's base frame.
        let clevel = unsafe { self.ci.last().unwrap_unchecked().clevel };
        self.ci.push(CallInfo {
            func: func as u32,
            base: base as u32,
            top: (base + fsize) as u32,
            pc: 0,
            savedpc: std::ptr::null(),
            nresults,
            status: cist::LUA,
            k: None,
            ctx: 0,
            extra: 0,
            clevel,
        });
        Ok(base)
    }

    #[inline(never)]
    pub(crate) fn call_native(
        &mut self,
        func: usize,
        nresults: i32,
        f: crate::function::NativeFn,
    ) -> LuaResult<()> {
        if self.top + MIN_STACK + EXTRA_STACK > self.stack.len() {
            self.grow_stack(self.top + MIN_STACK + EXTRA_STACK)?;
        }
        if self.ci.len() >= crate::state::MAX_STACK {
            return Err(self.runtime_error("stack overflow"));
        }
        let clevel = self.ci.last().map_or(0, |c| c.clevel);
        self.ci.push(CallInfo {
            func: func as u32,
            base: func as u32 + 1,
            top: (self.top + MIN_STACK) as u32,
            pc: 0,
            savedpc: std::ptr::null(),
            nresults,
            status: 0,
            k: None,
            ctx: 0,
            extra: 0,
            clevel,
        });
        if self.hook.mask != 0 {
            self.call_hook(false)?;
        }
        let n = f(self)?;
        self.native_return(n)
    }

    /// A Rust function (or its continuation) returned its `n` results on top of the
    /// stack: run the return hook, then pop its frame and move the results into place.
    fn native_return(&mut self, n: usize) -> LuaResult<()> {
        let first = self.top - n;
        if self.hook.mask != 0 {
            // the hook may move the stack's top: keep the results by position
            self.ret_hook()?;
            self.top = first + n;
        }
        self.poscall(first, n);
        Ok(())
    }

    /// `stack[func]` is not a function: insert its `__call` metamethod before it.
    pub(crate) fn prepare_call_tm(&mut self, func: usize) -> LuaResult<()> {
        let v = self.stack[func];
        let tm = self.get_tm(v, Tm::Call);
        if !tm.is_function() {
            return Err(self.call_error(func));
        }
        self.check_stack(1)?;
        let top = self.top;
        self.stack.copy_within(func..top, func + 1);
        self.top += 1;
        self.stack[func] = tm;
        Ok(())
    }

    /// Pop the running frame and move its `n` results from `first` to its function slot,
    /// adjusted to the number the caller wants. Returns what the caller may still need
    /// of the popped frame.
    #[inline(always)]
    pub(crate) fn poscall(&mut self, first: usize, n: usize) -> Returned {
        let Some(ci) = self.ci.last() else {
            return Returned {
                func: 0,
                nresults: 0,
                status: 0,
                extra: 0,
            };
        };
        // read the fields one by one: copying the whole frame out is slower
        let r = Returned {
            func: (ci.func as usize),
            nresults: ci.nresults,
            status: ci.status,
            extra: (ci.extra as usize),
        };
        // SAFETY: the frame stack is not empty (checked above).
        unsafe { self.ci.set_len(self.ci.len() - 1) };
        let res = r.func;
        if r.nresults == 1 && n >= 1 {
            self.stack[res] = self.stack[first];
            self.top = res + 1;
        } else if r.nresults < 0 {
            if first != res {
                self.stack.copy_within(first..first + n, res);
            }
            self.top = res + n;
        } else {
            let wanted = r.nresults as usize;
            let m = n.min(wanted);
            for j in 0..m {
                self.stack[res + j] = self.stack[first + j];
            }
            for j in m..wanted {
                self.stack[res + j] = Value::Nil;
            }
            self.top = res + wanted;
        }
        r
    }

    /// Run frames until the frame at index `entry` has returned, recovering from errors
    /// at protected frames at or above `entry`.
    pub(crate) fn execute(&mut self, entry: usize) -> LuaResult<()> {
        loop {
            let r = match (self.hooks_on(), self.limits_active()) {
                (false, false) => self.run::<false, false>(entry),
                (false, true) => self.run::<false, true>(entry),
                (true, false) => self.run::<true, false>(entry),
                (true, true) => self.run::<true, true>(entry),
            };
            match r {
                Ok(()) => return Ok(()),
                Err(LuaError::Error) => {
                    let found = (entry..self.ci.len())
                        .rev()
                        .find(|&i| self.ci[i].status & cist::YPCALL != 0);
                    match found {
                        Some(i) => self.recover(i)?,
                        None => return Err(LuaError::Error),
                    }
                }
                Err(LuaError::Continue) => continue,
                Err(LuaError::Yield) => return Err(LuaError::Yield),
            }
        }
    }

    /// Unwind to the protected frame `i` and run its continuation with the error.
    fn recover(&mut self, i: usize) -> LuaResult<()> {
        let ci = self.ci[i];
        let err = self.error_value;
        self.close_upvals(ci.base as usize);
        self.ci.truncate(i + 1);
        self.errfunc = ci.extra as usize;
        self.in_overflow = false;
        self.shrink_stack();
        self.ci[i].status &= !cist::YPCALL;
        self.top = ci.base as usize;
        self.push(err);
        let k = ci.k.expect("protected frame has a continuation");
        let n = k(self, Status::Error, ci.ctx as usize)?;
        self.native_return(n)
    }

    /// The running frame is a Rust function whose Lua callee returned: run its continuation.
    pub(crate) fn finish_ccall(&mut self) -> LuaResult<()> {
        let ci_idx = self.ci.len() - 1;
        let ci = self.ci[ci_idx];
        if ci.status & cist::YPCALL != 0 {
            self.errfunc = ci.extra as usize;
            self.ci[ci_idx].status &= !cist::YPCALL;
        }
        let n = match ci.k {
            Some(k) => k(self, Status::Ok, ci.ctx as usize)?,
            None => self.top - ((ci.func as usize) + 1),
        };
        self.native_return(n)
    }

    /// Re-entrant call from Rust: call `stack[func]` with arguments `func+1..top`; results
    /// end at the new `top`. Not yieldable; counts one C level.
    pub fn call(&mut self, func: usize, nresults: i32) -> LuaResult<()> {
        self.n_ccalls += 1;
        if let Err(e) = self.check_c_level(0) {
            self.n_ccalls -= 1;
            return Err(e);
        }
        self.nny += 1;
        let depth = self.ci.len();
        let r = match self.precall(func, nresults) {
            Ok(true) | Err(LuaError::Continue) => self.execute(depth),
            Ok(false) => Ok(()),
            Err(e) => Err(e),
        };
        self.nny -= 1;
        self.n_ccalls -= 1;
        r
    }

    /// Call `f(args...)` re-entrantly; results are pushed (`nresults`, or all if negative)
    /// and their count returned.
    pub fn call_value(&mut self, f: Value, args: &[Value], nresults: i32) -> LuaResult<usize> {
        self.check_stack(args.len() + 1)?;
        let func = self.top;
        self.push(f);
        for a in args {
            self.push(*a);
        }
        self.call(func, nresults)?;
        Ok(self.top - func)
    }

    /// Call `f(args...)` re-entrantly and return its first result (stack unchanged after).
    pub fn call_value1(&mut self, f: Value, args: &[Value]) -> LuaResult<Value> {
        let top = self.top;
        self.call_value(f, args, 1)?;
        let r = self.stack[top];
        self.top = top;
        Ok(r)
    }

    /// Nesting levels that PUC would have on the C stack: Rust re-entry (`call`,
    /// `resume`) plus the running frame's `clevel`, plus `extra`.
    pub(crate) fn c_level(&self, extra: u32) -> u32 {
        self.n_ccalls + self.ci.last().map_or(0, |c| c.clevel as u32) + extra
    }

    /// Raise "C stack overflow" at PUC's limit of 200 levels (and "error in error
    /// handling" past the room left for message handlers), as `luaD_call`.
    pub(crate) fn check_c_level(&mut self, extra: u32) -> LuaResult<()> {
        let level = self.c_level(extra);
        if level < MAX_CCALLS {
            return Ok(());
        }
        if level >= MAX_CCALLS + (MAX_CCALLS >> 3) {
            let m = self.str_value(b"error in error handling");
            return Err(self.set_error(m));
        }
        if level == MAX_CCALLS {
            return Err(self.runtime_error("C stack overflow"));
        }
        Ok(())
    }

    /// Continuation-style call from a Rust function (yieldable): call `stack[func]` with
    /// `func+1..top`. If it is a Rust function, it runs now and `k(Ok)` is returned; if it
    /// is a Lua function, its frame is pushed and `Err(Continue)` returned: the loop runs
    /// it and then calls `k`. With `protected`, errors in the callee also end in `k(Error)`.
    /// `protect`: `Some(handler)` makes the call protected, with the message handler at
    /// stack slot `handler` (0: none).
    pub fn call_k(
        &mut self,
        func: usize,
        nresults: i32,
        ctx: usize,
        k: ContFn,
        protect: Option<usize>,
    ) -> LuaResult<usize> {
        let me = self.ci.len() - 1;
        // the callee runs "inside" this Rust function, one C level deeper (as
        // `lua_callk`/`lua_pcallk` in PUC)
        self.ci[me].clevel += 1;
        self.ci[me].k = Some(k);
        self.ci[me].ctx = ctx as u32;
        self.ci[me].status |= cist::HAS_K;
        let protected = protect.is_some();
        if let Some(h) = protect {
            self.ci[me].status |= cist::YPCALL;
            self.ci[me].extra = self.errfunc as u32;
            self.errfunc = h;
        }
        // past the limit the error is this call's own (a `pcall` catches it)
        let started = match self.check_c_level(0) {
            Ok(()) => self.precall(func, nresults),
            Err(e) => Err(e),
        };
        match started {
            Ok(true) => Err(LuaError::Continue),
            Ok(false) => {
                if protected {
                    self.errfunc = self.ci[me].extra as usize;
                    self.ci[me].status &= !cist::YPCALL;
                }
                k(self, Status::Ok, ctx)
            }
            Err(LuaError::Error) if protected && self.ci.len() > me => {
                // the callee (a Rust function) failed before any Lua frame ran
                let ci = self.ci[me];
                let err = self.error_value;
                self.close_upvals(ci.base as usize);
                self.ci.truncate(me + 1);
                self.errfunc = ci.extra as usize;
                self.ci[me].status &= !cist::YPCALL;
                self.top = ci.base as usize;
                self.push(err);
                k(self, Status::Error, ctx)
            }
            Err(e) => Err(e),
        }
    }

    /// Protected call from Rust (as `lua_pcall`): on error, the stack is unwound to `func`,
    /// the error value is left at `func` (top = func + 1) and `Err` is returned.
    pub fn pcall(&mut self, func: usize, nresults: i32, errfunc: usize) -> LuaResult<()> {
        let depth = self.ci.len();
        let old_errfunc = self.errfunc;
        let old_nny = self.nny;
        let old_ccalls = self.n_ccalls;
        self.errfunc = errfunc;
        let r = self.call(func, nresults);
        self.errfunc = old_errfunc;
        match r {
            Ok(()) => Ok(()),
            Err(e) => {
                let err = self.error_value;
                self.close_upvals(func);
                self.ci.truncate(depth);
                self.nny = old_nny;
                self.n_ccalls = old_ccalls;
                self.in_overflow = false;
                self.shrink_stack();
                self.top = func;
                self.push(err);
                Err(e)
            }
        }
    }
}
