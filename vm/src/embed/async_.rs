//! Async host functions and the `execute_async` driver.
//!
//! A Lua call to an async host function starts the host future, parks it in the state
//! (`HostData::pending`) and yields the running coroutine with the *pass-through* marker
//! (`State::yield_k`, continuation `async_k`). `coroutine.resume`/`wrap` pass that yield
//! on to their own resumer, so the whole chain of coroutines suspends up to the driver.
//! The driver (`drive`, behind `LuaVM::execute_async`/`call_async`) runs the chunk as a
//! coroutine; on the marker it awaits the parked future (returning `Pending` to the
//! executor: the thread is free for other tasks), stores its outcome in
//! `HostData::async_result` and resumes: each coroutine of the chain resumes the one it
//! was resuming, and the innermost one's `async_k` returns the future's values (or raises
//! its error) to the Lua code that called the async function.
//!
//! Runtime-agnostic: only `std::future`/`std::task` are used; `block_on` is a minimal
//! executor for tests and simple programs.
//!
//! Invariants:
//! - at most one host future is parked at a time (one chain of control per VM);
//! - the driver's coroutine is rooted by a handle while it is suspended;
//! - dropping the `execute_async` future mid-await abandons the coroutine (it becomes
//!   garbage) and clears the driver's state (`Driver::drop`): the VM stays usable.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use crate::coroutine::pass_through_marker;
use crate::error::LuaResult;
use crate::state::State;
use crate::thread::Status;
use crate::value::Value;
use crate::ResumeOutcome;

use super::context::{error_from_value, from_raw, to_raw};
use super::error::{Error, ErrorKind, Result};
use super::host_fn::{args_of, push_results, raise, raise_panic, static_name};
use super::roots::HostFuture;
use super::value::{LuaFunction, LuaValue};

type DynAsyncFn = dyn Fn(Vec<LuaValue>) -> HostFuture;

/// What upvalue 0 of an async host function's closure owns.
struct AsyncFnBox(Rc<DynAsyncFn>);

pub(crate) fn make_async_function<F, Fut>(s: &mut State, name: &str, f: F) -> LuaFunction
where
    F: Fn(Vec<LuaValue>) -> Fut + 'static,
    Fut: Future<Output = Result<Vec<LuaValue>>> + 'static,
{
    let f: Rc<DynAsyncFn> = Rc::new(move |args| Box::pin(f(args)) as HostFuture);
    let ud = s.new_userdata(Box::new(AsyncFnBox(f)), None);
    let c = s.new_native_closure(
        async_trampoline,
        static_name(name),
        vec![Value::UserData(ud)],
    );
    LuaFunction(s.host.root(c))
}

fn async_trampoline(s: &mut State) -> LuaResult<usize> {
    let f = match s.native_upvalue(0) {
        Value::UserData(u) => match u.data.try_borrow() {
            Ok(d) => d.downcast_ref::<AsyncFnBox>().map(|b| b.0.clone()),
            Err(_) => None,
        },
        _ => None,
    };
    let Some(f) = f else {
        return Err(s.lib_error("async host function is missing"));
    };
    if !s.host.driver_active {
        return Err(s.lib_error("attempt to call an async function outside execute_async"));
    }
    if !s.is_yieldable() {
        return Err(s.lib_error("attempt to yield across a C-call boundary"));
    }
    let args = args_of(s);
    let fut = match catch_unwind(AssertUnwindSafe(|| f(args))) {
        Ok(fut) => fut,
        Err(p) => return Err(raise_panic(s, p)),
    };
    s.host.pending = Some(fut);
    s.push(pass_through_marker());
    Err(s.yield_k(1, async_k, 0))
}

/// Continuation of an async call: the driver has put the future's outcome in the state.
fn async_k(s: &mut State, _status: Status, _ctx: usize) -> LuaResult<usize> {
    match s.host.async_result.take() {
        Some(Ok(values)) => push_results(s, values),
        Some(Err(e)) => Err(raise(s, e)),
        None => Err(s.lib_error("async call resumed without a result")),
    }
}

/// The driver's hold on the state; restores it however the driver ends.
struct Driver<'a> {
    s: &'a mut State,
}

impl Drop for Driver<'_> {
    fn drop(&mut self) {
        let h = &mut self.s.host;
        h.driver_active = false;
        h.depth = h.depth.saturating_sub(1);
        h.pending = None;
        h.async_result = None;
        self.s.interrupt_shared().clear_waker();
        self.s.reset_limits();
    }
}

/// Run `func(args)` as a coroutine, awaiting the host futures of the async functions it
/// calls; its results.
pub(crate) async fn drive(
    s: &mut State,
    func: Value,
    args: Vec<LuaValue>,
) -> Result<Vec<LuaValue>> {
    if s.host.driver_active || s.host.depth != 0 {
        return Err(Error::new(
            ErrorKind::Usage,
            "execute_async cannot run inside another execution",
        ));
    }
    s.reset_limits();
    let co = s.new_thread(func);
    let co_handle = s.host.root(Value::Thread(co));
    s.host.driver_active = true;
    s.host.depth += 1;
    let d = Driver { s };
    let mut pending_args = Some(args);
    loop {
        let Value::Thread(co) = co_handle.raw() else {
            return Err(Error::new(ErrorKind::Usage, "driver lost its coroutine"));
        };
        let base = d.s.top;
        let mut nargs = 0;
        if let Some(args) = pending_args.take() {
            let mut raw = Vec::with_capacity(args.len());
            for a in &args {
                raw.push(to_raw(d.s, a)?);
            }
            if d.s.check_stack(raw.len()).is_err() {
                return Err(Error::runtime("stack overflow"));
            }
            for v in raw {
                d.s.push(v);
            }
            nargs = args.len();
        }
        let (outcome, n) = match d.s.resume(co, nargs) {
            Ok(r) => r,
            Err(_) => {
                let v = d.s.error_value;
                d.s.top = base;
                return Err(error_from_value(d.s, v, None));
            }
        };
        match outcome {
            ResumeOutcome::Returned => {
                let top = d.s.top;
                let mut out = Vec::with_capacity(n);
                for i in top - n..top {
                    let v = d.s.stack[i];
                    out.push(from_raw(d.s, v));
                }
                d.s.top = base;
                return Ok(out);
            }
            ResumeOutcome::Failed => {
                let v = d.s.stack[d.s.top - 1];
                let msg = super::context::error_message(d.s, v);
                let tb = d.s.traceback_of(Some(co), None, 0);
                let tb = String::from_utf8_lossy(&tb).into_owned();
                let e = error_from_value(d.s, v, Some(tb));
                debug_assert_eq!(e.message(), msg);
                d.s.top = base;
                return Err(e);
            }
            ResumeOutcome::Yielded => {
                let pass = d.s.is_pass_through_yield(n);
                d.s.top = base;
                if !pass {
                    return Err(Error::runtime("attempt to yield from outside a coroutine"));
                }
                let Some(mut fut) = d.s.host.pending.take() else {
                    return Err(Error::new(ErrorKind::Usage, "no pending async call"));
                };
                let interrupt = d.s.interrupt_shared();
                let r = std::future::poll_fn(|cx| {
                    if interrupt.is_requested() {
                        return Poll::Ready(None);
                    }
                    interrupt.set_waker(cx.waker());
                    match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
                        Ok(Poll::Ready(r)) => Poll::Ready(Some(r)),
                        Ok(Poll::Pending) if interrupt.is_requested() => Poll::Ready(None),
                        Ok(Poll::Pending) => Poll::Pending,
                        Err(_) => {
                            Poll::Ready(Some(Err(Error::runtime("async host function panicked"))))
                        }
                    }
                })
                .await;
                interrupt.clear_waker();
                match r {
                    Some(res) => d.s.host.async_result = Some(res),
                    None => {
                        return Err(Error::new(
                            ErrorKind::Interrupted,
                            crate::limits::Abort::Interrupted.message(),
                        ))
                    }
                }
            }
        }
    }
}

struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Run a future to completion on the current thread (a minimal executor, for tests and
/// programs without an async runtime; with tokio, just `.await`).
///
/// ```
/// let v = luavm_vm::embed::block_on(async { 40 + 2 });
/// assert_eq!(v, 42);
/// ```
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}
