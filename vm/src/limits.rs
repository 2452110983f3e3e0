//! Execution limits of a state: the instruction budget, interrupt requests from other
//! threads, the call-depth limit and the binary-chunk switch (the memory limit is the
//! collector's: `State::set_memory_limit`).
//!
//! How the interpreter loop uses this: while limits are active (`limits_active`) it runs
//! its `LIMITED` instantiation, which at every back-edge (a `JMP` with a negative offset, `FORLOOP` and
//! `TFORLOOP` when they jump back) it calls [`State::hook_count`] with the number of
//! instructions the jump spans (and saves its pc only when that asks for the slow path),
//! and before every call (`CALL`, `TAILCALL`, `TFORCALL`) it
//! calls [`State::hook_call`]. Both only decrement `ticks`; when it goes negative (or the
//! call depth passes the limit) the cold [`State::on_budget_exhausted`] runs: it polls the
//! interrupt flag, refills `ticks` from the budget, or raises. Without limits the loop
//! has no hooks at all.
//!
//! Invariants:
//! - an *abort* (budget exhausted, interrupt) is sticky: once raised, every later hook
//!   raises it again (and `pcall` re-raises it, see `State::is_aborting`), so Lua code
//!   cannot catch it and go on; the embedding layer clears it when the execution that
//!   started at top level ends ([`State::reset_limits`]);
//! - `ticks` never exceeds `SLICE`, so an interrupt is seen within `SLICE` ticks;
//! - the hooks are called between instructions, with the pc saved.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Waker;

use crate::error::{LuaError, LuaResult};
use crate::state::State;

/// Ticks between two polls of the interrupt flag.
const SLICE: i64 = 1 << 12;

/// Why a running execution was stopped (sticky until [`State::reset_limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abort {
    /// The instruction budget ran out.
    Budget,
    /// Another thread called `InterruptHandle::interrupt`.
    Interrupted,
}

impl Abort {
    /// The message raised in Lua.
    pub fn message(self) -> &'static str {
        match self {
            Abort::Budget => "instruction limit exceeded",
            Abort::Interrupted => "interrupted",
        }
    }
}

/// The part of an interrupt request shared with other threads.
#[derive(Default)]
pub struct InterruptShared {
    /// Set to request an interrupt. Shared on its own (`flag`) with signal handlers,
    /// which may do nothing but store to an atomic.
    flag: Arc<AtomicBool>,
    /// The waker of an `execute_async` future awaiting a host future, so that an
    /// interrupt also ends an await.
    waker: Mutex<Option<Waker>>,
}

impl InterruptShared {
    /// Ask the state to stop (see [`State::on_budget_exhausted`]).
    pub fn request(&self) {
        self.flag.store(true, Ordering::Release);
        let w = match self.waker.lock() {
            Ok(mut g) => g.take(),
            Err(p) => p.into_inner().take(),
        };
        if let Some(w) = w {
            w.wake();
        }
    }
    /// The request flag alone: storing `true` into it requests an interrupt (without
    /// waking an await, which takes a lock), the one thing a signal handler may do (the
    /// `luavm` command's Ctrl-C).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }
    /// Whether an interrupt is pending.
    pub fn is_requested(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }
    /// Consume a pending interrupt.
    pub fn take(&self) -> bool {
        self.flag.swap(false, Ordering::AcqRel)
    }
    /// Remember the waker to wake on the next interrupt.
    pub fn set_waker(&self, w: &Waker) {
        let mut g = match self.waker.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = Some(w.clone());
    }
    /// Forget the waker.
    pub fn clear_waker(&self) {
        let mut g = match self.waker.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = None;
    }
}

/// Per-state limits (see the module documentation).
pub struct Limits {
    /// Countdown decremented by the loop's hooks; the slow path runs when it is negative.
    pub(crate) ticks: i64,
    /// The configured budget of one top-level execution (`None`: unlimited).
    budget: Option<u64>,
    /// Budget not yet moved into `ticks`.
    remaining: u64,
    /// Most frames (Lua and Rust) a thread may have.
    max_depth: usize,
    /// Whether `State::load` accepts precompiled chunks.
    pub(crate) allow_binary: bool,
    abort: Option<Abort>,
    /// The flag shared with interrupt handles, made with the first one (a new state
    /// allocates nothing for it); once made, the loop polls it.
    interrupt: std::cell::OnceCell<Arc<InterruptShared>>,
    /// What an interrupt raises: `None`, the sticky abort; `Some(msg)`, a plain error
    /// (`set_interrupt_error`).
    interrupt_error: Option<&'static str>,
}

impl Limits {
    /// Consume a pending interrupt request.
    fn take_interrupt(&self) -> bool {
        self.interrupt.get().is_some_and(|i| i.take())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            ticks: SLICE,
            budget: None,
            remaining: 0,
            max_depth: usize::MAX,
            allow_binary: true,
            abort: None,
            interrupt: std::cell::OnceCell::new(),
            interrupt_error: None,
        }
    }
}

impl State {
    // ---- configuration -------------------------------------------------------------------

    /// Limit each top-level execution to about `budget` instructions (`None`: no limit).
    /// Loops are charged the instructions of each iteration, calls one each.
    pub fn set_instruction_budget(&mut self, budget: Option<u64>) {
        self.limits.budget = budget;
        self.reset_limits();
    }
    /// Limit the number of nested calls of a thread (`None`: only the stack size limits).
    pub fn set_max_call_depth(&mut self, depth: Option<usize>) {
        // the base frame is not a call
        self.limits.max_depth = depth.map_or(usize::MAX, |d| d.saturating_add(1));
    }
    /// Whether `load` accepts binary (precompiled) chunks.
    pub fn set_allow_binary_chunks(&mut self, allow: bool) {
        self.limits.allow_binary = allow;
    }
    /// Whether `load` accepts binary (precompiled) chunks.
    pub fn allows_binary_chunks(&self) -> bool {
        self.limits.allow_binary
    }
    /// Whether the loop must run its limit hooks: a budget or a depth limit is set, or an
    /// `InterruptHandle` was ever made.
    #[inline]
    pub(crate) fn limits_active(&self) -> bool {
        self.limits.budget.is_some()
            || self.limits.max_depth != usize::MAX
            || self.limits.interrupt.get().is_some()
    }

    /// The flag other threads set to interrupt this state.
    pub fn interrupt_shared(&self) -> Arc<InterruptShared> {
        // from now on the loop polls the flag (even after the handle is dropped: it may
        // have interrupted just before)
        self.limits.interrupt.get_or_init(Arc::default).clone()
    }

    /// Make an interrupt raise a plain error with message `msg`, positioned as
    /// `luaL_error` (at the caller of the running function) — which `pcall` catches and
    /// which is not sticky — instead of the abort; `None` restores the abort. This is
    /// `lua.c`'s Ctrl-C ("interrupted!", raised by a hook at the next instruction).
    pub fn set_interrupt_error(&mut self, msg: Option<&'static str>) {
        self.limits.interrupt_error = msg;
    }

    /// Start a new top-level execution: refill the budget, forget a previous abort and any
    /// interrupt requested before now.
    pub fn reset_limits(&mut self) {
        let l = &mut self.limits;
        l.abort = None;
        l.take_interrupt();
        l.remaining = l.budget.unwrap_or(0);
        l.ticks = 0;
        self.refill();
    }

    /// Move up to one slice of budget into `ticks`; false when the budget is spent.
    fn refill(&mut self) -> bool {
        let l = &mut self.limits;
        match l.budget {
            None => {
                l.ticks = SLICE;
                true
            }
            Some(_) => {
                if l.remaining == 0 {
                    return false;
                }
                let n = l.remaining.min(SLICE as u64);
                l.remaining -= n;
                l.ticks = n as i64;
                true
            }
        }
    }

    // ---- the loop's hooks ---------------------------------------------------------------

    /// Back-edge hook of the interpreter loop: charge `n` instructions. True when the
    /// cold [`State::on_budget_exhausted`] must run, which the loop calls after saving
    /// its pc: saving it only then keeps a tight loop as fast as without limits (a store
    /// of the pc at every iteration cost `loops.lua` 40%).
    #[inline(always)]
    pub fn hook_count(&mut self, n: i64) -> bool {
        self.limits.ticks -= n;
        self.limits.ticks < 0
    }

    /// Call hook of the interpreter loop: charge one instruction and check the call depth
    /// (call it before the callee's frame is pushed).
    #[inline(always)]
    pub fn hook_call(&mut self) -> LuaResult<()> {
        self.limits.ticks -= 1;
        if self.limits.ticks < 0 || self.ci.len() >= self.limits.max_depth {
            return self.on_call_limit();
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn on_call_limit(&mut self) -> LuaResult<()> {
        if self.ci.len() >= self.limits.max_depth {
            return Err(self.runtime_error("stack overflow (call depth limit)"));
        }
        self.on_budget_exhausted()
    }

    /// The slow path of the hooks: poll the interrupt flag,
    /// refill `ticks` from the budget, or raise the (sticky) abort error.
    #[cold]
    #[inline(never)]
    pub fn on_budget_exhausted(&mut self) -> LuaResult<()> {
        if let Some(a) = self.limits.abort {
            self.limits.ticks = 0;
            return Err(self.runtime_error(a.message()));
        }
        if self.limits.take_interrupt() {
            if let Some(msg) = self.limits.interrupt_error {
                return Err(self.lib_error(msg));
            }
            return Err(self.abort(Abort::Interrupted));
        }
        if !self.refill() {
            return Err(self.abort(Abort::Budget));
        }
        Ok(())
    }

    /// Stop the running execution with `a` (sticky until `reset_limits`).
    pub fn abort(&mut self, a: Abort) -> LuaError {
        self.limits.abort = Some(a);
        self.limits.ticks = 0;
        self.runtime_error(a.message())
    }

    /// The abort in force, if any: `pcall` and `coroutine.resume` must not catch errors
    /// while this is `Some`.
    pub fn is_aborting(&self) -> Option<Abort> {
        self.limits.abort
    }

    /// Poll the interrupt flag from outside the loop (e.g. between awaits): raises the
    /// abort if an interrupt is pending.
    pub fn check_interrupt(&mut self) -> LuaResult<()> {
        if self.limits.abort.is_none() && self.limits.take_interrupt() {
            return Err(self.abort(Abort::Interrupted));
        }
        Ok(())
    }
}
