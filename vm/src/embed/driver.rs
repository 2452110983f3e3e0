//! Async host calls driven by a scheduler outside this crate (the dispatcher's worker
//! loop), which keeps many coroutines of one state suspended at once and resumes each
//! when its host future is done — where `execute_async` drives a single chain.
//!
//! The protocol, for a driver that resumes coroutines itself (`State::resume`):
//! 1. [`attach`] once, before any Lua runs: async host functions may then suspend, and
//!    the driver owns the state's executions (host entries inside it never reset the
//!    limits; the driver calls `State::reset_limits` itself);
//! 2. when a resume ends in a pass-through yield (`State::is_pass_through_yield`),
//!    [`take_pending_call`] takes the host future that coroutine waits for;
//! 3. the driver polls the [`PendingCall`] (same thread: it is `!Send`) and, once it is
//!    ready, calls [`set_async_result`] right before it resumes that coroutine with no
//!    argument: the async function's continuation returns the values or raises the error.
//!    Dropping a `PendingCall` instead abandons the call (the coroutine is never resumed).
//!
//! [`Lua::from_state`] gives code holding a raw `State` (init callbacks of worker VMs)
//! the embedding API, `register_async` included.
//!
//! Invariant: the state's single pending-call and result slots are filled and emptied
//! back to back (a yield and the take after it; a set and the resume after it), so one
//! state can have any number of coroutines waiting on host futures.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::state::State;

use super::context::Lua;
use super::error::{Error, Result};
use super::roots::HostFuture;
use super::value::LuaValue;

impl<'a> Lua<'a> {
    /// The embedding API over a raw state (for library crates and init callbacks that are
    /// given a `State`).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, Lua};
    /// let mut s = luavm_vm::State::new();
    /// let mut lua = Lua::from_state(&mut s);
    /// lua.register("add", |a: i64, b: i64| a + b).unwrap();
    /// assert_eq!(format!("{:?}", lua.execute_string("return add(1, 2)").unwrap()), "[3]");
    /// ```
    pub fn from_state(state: &'a mut State) -> Lua<'a> {
        Lua::new(state)
    }
}

/// A host future a suspended coroutine waits for. Polling it never panics: a panicking
/// future ends with an error.
pub struct PendingCall(HostFuture);

impl Future for PendingCall {
    type Output = Result<Vec<LuaValue>>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(p) => p,
            Err(_) => Poll::Ready(Err(Error::runtime("async host function panicked"))),
        }
    }
}

/// Hand the state's executions to an outside driver (see the module documentation).
pub fn attach(state: &mut State) {
    state.host.driver_active = true;
    // the driver is the outermost entry: nested host entries do not reset the limits
    state.host.depth = state.host.depth.max(1);
}

/// The host future of the async call that just suspended a coroutine, if any.
pub fn take_pending_call(state: &mut State) -> Option<PendingCall> {
    state.host.pending.take().map(PendingCall)
}

/// The outcome of the call the coroutine about to be resumed waits for.
pub fn set_async_result(state: &mut State, result: Result<Vec<LuaValue>>) {
    state.host.async_result = Some(result);
}
