//! Threads (coroutines) and call frames.
//!
//! The running thread's stack, frames and open upvalues live in `State` itself (no
//! indirection on the hot path); a `Thread` object holds them while its coroutine is
//! suspended, and `State` swaps them in and out on `resume`/`yield`: one swap with the
//! resumed thread's cell, so while a coroutine runs its cell holds its resumer's data
//! (see `coroutine.rs`; `State::data_holder` says whose cell holds a thread's data).
//! Whatever data a cell holds, the `Trace` impl marks it.
//!
//! Invariants:
//! - `ci[0]` is the base frame of the thread (no function);
//! - `open_upvals` is sorted by stack index, all of them below the live top;
//! - a yielded thread's top frame is the native frame of the function that yielded.

use std::cell::{Cell, RefCell};

use luavm_gc::{Gc, Marker, Trace};

use crate::debug::Hook;
use crate::error::LuaError;
use crate::function::UpVal;
use crate::state::State;
use crate::table::mark_value;
use crate::value::Value;

/// Continuation of a Rust function that called Lua code in continuation style
/// (`State::call_k`): run when the callee returns (or, for protected calls, fails).
pub type ContFn = fn(&mut State, Status, usize) -> Result<usize, LuaError>;

/// Outcome passed to a continuation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// The protected call failed; the error value is on the top of the stack.
    Error,
}

/// Frame flags.
pub mod cist {
    /// A Lua function.
    pub const LUA: u16 = 1;
    /// Protected call boundary (`pcall`/`xpcall`).
    pub const YPCALL: u16 = 2;
    /// Called by a tail call.
    pub const TAIL: u16 = 4;
    /// A metamethod called by an instruction: finish that instruction when it returns.
    pub const FINISHOP: u16 = 8;
    /// `__le` emulated with `not __lt(b, a)`: negate the result when finishing.
    pub const LEQ: u16 = 16;
    /// The native function asked for a continuation.
    pub const HAS_K: u16 = 32;
    /// A hook is running for this frame (its hook function is named "hook").
    pub const HOOKED: u16 = 64;
    /// A finalizer is running on top of this frame (PUC's `CIST_FIN`: the frame is then
    /// described as the metamethod `__gc`).
    pub const FIN: u16 = 128;
    /// The native function yielded with a continuation (`State::yield_k`): `extra` is the
    /// number of values it yielded (the rest of its frame stays), and `resume` runs `k`.
    pub const YIELDK: u16 = 256;
}

/// A call frame.
#[derive(Clone, Copy, Debug)]
pub struct CallInfo {
    /// Stack index of the called function.
    pub func: u32,
    /// First register (Lua) / first argument (native).
    pub base: u32,
    /// Top of the frame's registers (Lua) / limit of guaranteed stack (native).
    pub top: u32,
    /// Saved program counter (Lua): the index of the next instruction.
    pub pc: u32,
    /// The same as a pointer into the code (Lua frames, written with `pc` by the loop
    /// when a frame calls out): the loop's inline returns resume the caller from it
    /// without loading the caller's code through its closure. Null until then.
    pub savedpc: *const u32,
    /// Results wanted by the caller (-1: all).
    pub nresults: i32,
    pub status: u16,
    /// Continuation of a native frame.
    pub k: Option<ContFn>,
    pub ctx: u32,
    /// Per-kind extra: saved error handler (pcall/xpcall), concat position (FINISHOP).
    pub extra: u32,
    /// Nesting levels PUC would have on the C stack at this frame (a metamethod frame,
    /// a frame below a `pcall`...): counted toward the limit of 200 C levels.
    pub clevel: u16,
}

const _: () = assert!(std::mem::size_of::<CallInfo>() == 48);

impl CallInfo {
    pub fn base_frame() -> CallInfo {
        CallInfo {
            func: 0,
            base: 1,
            top: 1,
            pc: 0,
            savedpc: std::ptr::null(),
            nresults: 0,
            status: 0,
            k: None,
            ctx: 0,
            extra: 0,
            clevel: 0,
        }
    }
    #[inline(always)]
    pub fn is_lua(&self) -> bool {
        self.status & cist::LUA != 0
    }
}

/// Coroutine status, as `coroutine.status` reports it (plus `Fresh`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoStatus {
    /// Created, not started yet: the body is at stack slot 1.
    Fresh,
    Suspended,
    Running,
    /// Resumed another coroutine.
    Normal,
    Dead,
}

/// The saved execution state of a thread that is not running (kept in the cell of the
/// thread itself, or, for a resumer, of the thread it resumed).
#[derive(Default)]
pub struct ThreadData {
    pub stack: Vec<Value>,
    pub ci: Vec<CallInfo>,
    pub open_upvals: Vec<Gc<UpVal>>,
    pub top: usize,
    /// Number of non-yieldable calls in the thread's Rust stack.
    pub nny: u32,
    pub errfunc: usize,
    /// The thread's hook (`debug.sethook`).
    pub hook: Hook,
}

/// A Lua thread (coroutine) object.
pub struct Thread {
    pub data: RefCell<ThreadData>,
    pub status: Cell<CoStatus>,
    /// In `State::twups`, the list of threads that may have open upvalues.
    pub(crate) in_twups: Cell<bool>,
}

impl Trace for Thread {
    fn trace(&self, m: &mut Marker) {
        // a stack changes without write barriers: it is traced again in the atomic phase
        m.keep_gray();
        // the slots above a suspended thread's top are dead: clear them rather than
        // keep their values alive (they would dangle once those are collected), and
        // mark only the live part (a generational minor traces every thread: most of a
        // suspended coroutine's stack is its dead part)
        let live = match self.data.try_borrow_mut() {
            Ok(mut d) => {
                let top = d.top.min(d.stack.len());
                d.stack[top..].fill(Value::Nil);
                top
            }
            Err(_) => usize::MAX,
        };
        let d = self.data.borrow();
        for v in &d.stack[..live.min(d.stack.len())] {
            mark_value(m, *v);
        }
        for u in &d.open_upvals {
            m.mark(*u);
        }
        mark_value(m, d.hook.func);
    }
    fn extra_size(&self) -> usize {
        let d = self.data.borrow();
        d.stack.capacity() * 16 + d.ci.capacity() * std::mem::size_of::<CallInfo>()
    }
}
