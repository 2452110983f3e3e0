//! One worker thread: its VM, its queues, and the loop that runs tasks as coroutines.
//!
//! Every task runs as a coroutine of the worker's VM, so a task that waits for others
//! (`join`, `map`, `RunSync` inside a task) yields to this loop with a wait request
//! (`Ctx::wait`) instead of blocking the thread: the loop registers itself as a waiter on
//! those slots, runs other tasks meanwhile, and resumes the task when its wake-ups have
//! all arrived. Globals are per VM and shared by the tasks that run on it.
//!
//! Where a task cannot yield (inside a Rust function that called Lua, or inside a
//! coroutine of its own), a wait blocks *with help* ([`WorkerRt::block_on`]): the thread
//! runs the awaited task itself if it has not started, or other work, until it is done —
//! so nested parallelism does not deadlock even with one worker.
//!
//! A panic inside a task (a host function's) is caught here: every task that was running
//! or suspended on this VM ends as "worker failed", the VM is rebuilt (stdlib, `workers`,
//! init callbacks) and the loop goes on.
//!
//! Async host functions (`register_async` in an init callback, see `PoolBuilder::init_lua`):
//! each worker thread owns a tokio `current_thread` runtime (timers and I/O enabled) and
//! has it entered, and the VM is attached to this loop as its driver
//! (`luavm_vm::embed::driver`). A task calling an async host function yields the
//! pass-through marker; the loop takes the host future (`calls`), suspends the task like a
//! waiting one and polls the future with a waker that sends [`Wake::Poll`] to this worker.
//! When it is ready the task is resumed with its outcome. Meanwhile the worker runs other
//! tasks; when it has nothing else to do it waits *inside* the runtime (`wait_for_work`),
//! which drives the futures' timers and I/O, instead of parking, and while it is busy it
//! turns the runtime's driver at least every `TURN_EVERY`.
//!
//! Invariants:
//! - the loop never holds a `RefCell` borrow (of `sched` or the VM's `Ctx`) while Lua runs
//!   or a host future is polled;
//! - a suspended task's coroutine is rooted in the registry table `TASKS_KEY` until the
//!   task ends; `suspended` holds its slot, how many wake-ups it still waits for, and the
//!   outcome of its host call once known; `calls` holds the host futures not ready yet, by
//!   task (a task is in `calls` only while it is in `suspended`).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crossbeam_deque::{Steal, Worker};
use crossbeam_utils::sync::Parker;
use luavm_vm::embed::driver::{self, PendingCall};
use luavm_vm::embed::LuaValue;
use luavm_vm::{Gc, ResumeOutcome, State, Table, Thread, Value};

use crate::lworkers::{self, Ctx};
use crate::pool::{lock, Shared, Wake, WorkerShared};
use crate::task::{Outcome, Slot, Waiter, Work};
use crate::transfer::{self, ExportOptions, Packet};

const TASKS_KEY: &str = "luavm.dispatcher.tasks";
/// Look at the injector first every this many jobs.
const INJECTOR_EVERY: u32 = 32;
/// How deep blocked waits may nest while helping.
const MAX_HELP_DEPTH: u32 = 16;
/// Busy spins, then how long an idle worker polls (yielding), before it parks.
const IDLE_SPINS: u32 = 64;
const IDLE_POLL: Duration = Duration::from_micros(50);
/// Task id used for a blocked wait (its wake-ups only unpark the thread).
const HELPER_TASK: u64 = 0;
/// While host calls are pending and the worker is busy, turn the runtime's driver (timers,
/// I/O) at least this often.
const TURN_EVERY: Duration = Duration::from_millis(1);
/// Longest sleep of an idle worker before it looks at the queues again.
const IDLE_SLEEP: Duration = Duration::from_millis(100);

/// The outcome of an async host call.
type CallResult = luavm_vm::embed::Result<Vec<LuaValue>>;

struct Suspended {
    slot: Arc<Slot>,
    /// Wake-ups still expected.
    remaining: usize,
    /// The outcome of the host call it awaited, once ready.
    result: Option<CallResult>,
}

pub(crate) struct Sched {
    local: Worker<Arc<Slot>>,
    pinned: VecDeque<Arc<Slot>>,
    suspended: HashMap<u64, Suspended>,
    ready: VecDeque<u64>,
    /// Host futures of suspended tasks, not ready yet.
    calls: HashMap<u64, PendingCall>,
    /// Tasks whose host future was woken (or not polled yet).
    to_poll: VecDeque<u64>,
    tick: u32,
}

/// The worker's runtime state, shared (on its thread) by the loop and the `workers`
/// functions of its VM.
pub(crate) struct WorkerRt {
    pub(crate) shared: Arc<Shared>,
    pub(crate) index: usize,
    sched: RefCell<Sched>,
    parker: Parker,
    depth: Cell<u32>,
    ctx: RefCell<Option<Rc<RefCell<Ctx>>>>,
    /// The VM's table of suspended tasks' coroutines (in its registry).
    tasks: Cell<Option<Gc<Table>>>,
    /// When the runtime's driver was last turned.
    last_turn: Cell<Instant>,
    /// The async runtime (last: dropped after the host futures in `sched`).
    rt: Option<tokio::runtime::Runtime>,
}

/// Wakes the worker that polls task `task`'s host future.
struct CallWaker {
    pool: Weak<Shared>,
    worker: usize,
    task: u64,
}

impl std::task::Wake for CallWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(p) = self.pool.upgrade() {
            p.wake(self.worker, Wake::Poll(self.task));
        }
    }
}

pub(crate) fn main(
    shared: Arc<Shared>,
    index: usize,
    local: Worker<Arc<Slot>>,
    parker: Parker,
    ready: Sender<Result<(), String>>,
) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok();
    let wrt = Rc::new(WorkerRt {
        shared,
        index,
        sched: RefCell::new(Sched {
            local,
            pinned: VecDeque::new(),
            suspended: HashMap::new(),
            ready: VecDeque::new(),
            calls: HashMap::new(),
            to_poll: VecDeque::new(),
            tick: 0,
        }),
        parker,
        depth: Cell::new(0),
        ctx: RefCell::new(None),
        tasks: Cell::new(None),
        last_turn: Cell::new(Instant::now()),
        rt,
    });
    // host functions reach the runtime through `tokio::runtime::Handle::current()`
    let _enter = wrt.rt.as_ref().map(|r| r.enter());
    let mut vm = match wrt.build_vm() {
        Ok(vm) => vm,
        Err(m) => {
            let _ = ready.send(Err(m));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    drop(ready);
    let mut broken: Option<String> = None;
    loop {
        if wrt.shared.shutdown.load(Ordering::SeqCst) {
            break;
        }
        if let Some(why) = &broken {
            // the VM could not be rebuilt: retry for each task, fail it if that fails too
            match wrt.build_vm() {
                Ok(v) => {
                    let old = std::mem::replace(&mut vm, v);
                    let _ = catch_unwind(AssertUnwindSafe(move || drop(old)));
                    broken = None;
                }
                Err(m) => {
                    let why = format!("{why}; rebuilding the VM failed: {m}");
                    match wrt.next_job() {
                        Some(slot) => {
                            if slot.start(wrt.index).is_some() {
                                slot.complete(Outcome::WorkerFailed(why));
                            }
                        }
                        None => wrt.idle(),
                    }
                    continue;
                }
            }
        }
        match catch_unwind(AssertUnwindSafe(|| wrt.step(&mut vm))) {
            Ok(true) => {}
            Ok(false) => wrt.idle(),
            Err(payload) => {
                let msg = panic_message(&*payload);
                wrt.fail_all(&msg);
                match wrt.build_vm() {
                    Ok(v) => {
                        // the old VM may be inconsistent: closing it (finalizers) must
                        // not take the thread down
                        let old = std::mem::replace(&mut vm, v);
                        let _ = catch_unwind(AssertUnwindSafe(move || drop(old)));
                    }
                    Err(m) => broken = Some(format!("{msg} ({m})")),
                }
            }
        }
    }
    wrt.drain_on_exit();
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic".to_string()
    }
}

/// The text of an error value, as `lua.c` would print it.
pub(crate) fn error_text(s: &mut State, v: Value) -> String {
    match v {
        Value::Str(m) => m.to_str_lossy().into_owned(),
        Value::Int(_) | Value::Num(_) => {
            let mut b = Vec::new();
            s.to_string_raw(v, &mut b);
            String::from_utf8_lossy(&b).into_owned()
        }
        Value::Nil => "nil".to_string(),
        other => format!("(error object is a {} value)", other.type_name()),
    }
}

fn tasks_table(s: &mut State) -> Gc<Table> {
    let reg = s.registry();
    let k = s.str_value(TASKS_KEY.as_bytes());
    match reg.get(k) {
        Value::Table(t) => t,
        _ => {
            let t = s.new_table();
            s.raw_set(reg, k, Value::Table(t));
            t
        }
    }
}

impl WorkerRt {
    fn build_vm(self: &Rc<Self>) -> Result<State, String> {
        let built = catch_unwind(AssertUnwindSafe(|| {
            let mut s = State::new();
            // this loop drives the VM: async host functions suspend their task
            driver::attach(&mut s);
            luavm_stdlib::open_all(&mut s);
            let ctx = lworkers::open_worker(&mut s, self.clone());
            *self.ctx.borrow_mut() = Some(ctx);
            // tasks are stopped through the VM's interrupt flag (this also makes its loop
            // poll the flag)
            let intr = s.interrupt_shared();
            lock(&self.shared.workers[self.index].running).interrupt = Some(intr);
            self.tasks.set(Some(tasks_table(&mut s)));
            for f in &self.shared.init {
                if f(&mut s).is_err() {
                    let e = s.error_value();
                    return Err(error_text(&mut s, e));
                }
            }
            Ok(s)
        }));
        match built {
            Ok(r) => r,
            Err(p) => Err(panic_message(&*p)),
        }
    }

    pub(crate) fn ctx(&self) -> Option<Rc<RefCell<Ctx>>> {
        self.ctx.borrow().clone()
    }

    fn tasks(&self, vm: &mut State) -> Gc<Table> {
        match self.tasks.get() {
            Some(t) => t,
            None => {
                let t = tasks_table(vm);
                self.tasks.set(Some(t));
                t
            }
        }
    }

    /// One unit of work: a suspended task that can go on, or a new task. Returns false
    /// when there was nothing to do.
    pub(crate) fn step(&self, vm: &mut State) -> bool {
        self.drain_mail();
        let polled = self.poll_calls();
        let ready = self.sched.borrow_mut().ready.pop_front();
        if let Some(id) = ready {
            self.resume_suspended(vm, id);
            return true;
        }
        match self.next_job() {
            Some(slot) => {
                self.run_job(vm, slot);
                if self.depth.get() == 0 {
                    vm.check_gc();
                    if let Some(c) = self.ctx() {
                        lworkers::flush_callbacks(vm, &c);
                    }
                }
                self.turn_driver();
                true
            }
            None => polled,
        }
    }

    /// Poll the host futures that were woken; those that are ready make their task ready.
    /// Returns whether any was polled.
    fn poll_calls(&self) -> bool {
        let mut polled = false;
        loop {
            let next = {
                let mut sc = self.sched.borrow_mut();
                let Some(id) = sc.to_poll.pop_front() else {
                    return polled;
                };
                sc.calls.remove(&id).map(|c| (id, c))
            };
            let Some((id, mut call)) = next else {
                continue;
            };
            polled = true;
            let waker = std::task::Waker::from(Arc::new(CallWaker {
                pool: Arc::downgrade(&self.shared),
                worker: self.index,
                task: id,
            }));
            // no borrow of `sched` while the future runs
            let r = std::pin::Pin::new(&mut call).poll(&mut Context::from_waker(&waker));
            let mut sc = self.sched.borrow_mut();
            match r {
                Poll::Pending => {
                    sc.calls.insert(id, call);
                }
                Poll::Ready(result) => {
                    if let Some(s) = sc.suspended.get_mut(&id) {
                        s.result = Some(result);
                        sc.ready.push_back(id);
                    }
                }
            }
        }
    }

    /// With host calls pending, let the runtime fire due timers and I/O events (and run
    /// tokio tasks) if it has not done so for `TURN_EVERY`.
    fn turn_driver(&self) {
        if self.sched.borrow().calls.is_empty() || self.last_turn.get().elapsed() < TURN_EVERY {
            return;
        }
        if let Some(rt) = &self.rt {
            // a yield makes the runtime turn its driver without blocking
            rt.block_on(tokio::task::yield_now());
        }
        self.last_turn.set(Instant::now());
    }

    fn drain_mail(&self) {
        let me = &self.shared.workers[self.index];
        if !me.has_mail.swap(false, Ordering::SeqCst) {
            return;
        }
        let (wakes, pinned) = {
            let mut inbox = lock(&me.inbox);
            (
                std::mem::take(&mut inbox.wakes),
                std::mem::take(&mut inbox.pinned),
            )
        };
        let mut sc = self.sched.borrow_mut();
        sc.pinned.extend(pinned);
        for w in wakes {
            match w {
                Wake::Ready(id) => {
                    if let Some(s) = sc.suspended.get_mut(&id) {
                        s.remaining = s.remaining.saturating_sub(1);
                        if s.remaining == 0 {
                            sc.ready.push_back(id);
                        }
                    }
                }
                Wake::Stopped(id) => {
                    if sc.suspended.contains_key(&id) {
                        sc.ready.push_back(id);
                    }
                }
                Wake::Poll(id) => {
                    if sc.calls.contains_key(&id) {
                        sc.to_poll.push_back(id);
                    }
                }
            }
        }
    }

    /// The next task to start: pinned mail, own deque, injector, other deques.
    fn next_job(&self) -> Option<Arc<Slot>> {
        let mut sc = self.sched.borrow_mut();
        if let Some(s) = sc.pinned.pop_front() {
            return Some(s);
        }
        sc.tick = sc.tick.wrapping_add(1);
        if sc.tick.is_multiple_of(INJECTOR_EVERY) {
            if let Some(s) = self.steal_injector(&sc.local) {
                return Some(s);
            }
        }
        if let Some(s) = sc.local.pop() {
            return Some(s);
        }
        if let Some(s) = self.steal_injector(&sc.local) {
            return Some(s);
        }
        let n = self.shared.stealers.len();
        for k in 1..n {
            let j = (self.index + k) % n;
            loop {
                match self.shared.stealers[j].steal_batch_and_pop(&sc.local) {
                    Steal::Success(s) => {
                        self.shared.stolen.fetch_add(1, Ordering::Relaxed);
                        return Some(s);
                    }
                    Steal::Retry => continue,
                    Steal::Empty => break,
                }
            }
        }
        None
    }

    fn steal_injector(&self, local: &Worker<Arc<Slot>>) -> Option<Arc<Slot>> {
        loop {
            match self.shared.injector.steal_batch_and_pop(local) {
                Steal::Success(s) => return Some(s),
                Steal::Retry => continue,
                Steal::Empty => return None,
            }
        }
    }

    /// Nothing to do: spin a little, then park until woken.
    fn idle(&self) {
        // a short busy spin, then yields for a while (new work usually follows soon, and
        // another thread may need this core), then park
        for _ in 0..IDLE_SPINS {
            if self.has_work() {
                return;
            }
            std::hint::spin_loop();
        }
        let until = std::time::Instant::now() + IDLE_POLL;
        while std::time::Instant::now() < until {
            if self.has_work() {
                return;
            }
            std::thread::yield_now();
        }
        self.shared.set_idle(self.index);
        if !self.has_work() {
            self.wait_for_work(IDLE_SLEEP);
        }
        self.shared.unset_idle(self.index);
    }

    /// Sleep until woken or `timeout`: parked, or, while host calls are pending, inside the
    /// runtime (whose driver fires their timers and I/O events meanwhile).
    fn wait_for_work(&self, timeout: Duration) {
        let pending = !self.sched.borrow().calls.is_empty();
        let Some(rt) = self.rt.as_ref().filter(|_| pending) else {
            self.parker.park_timeout(timeout);
            return;
        };
        let me: &WorkerShared = &self.shared.workers[self.index];
        let mut sleep = std::pin::pin!(tokio::time::sleep(timeout));
        rt.block_on(std::future::poll_fn(|cx| {
            *lock(&me.rt_waker) = Some(cx.waker().clone());
            me.in_rt.store(true, Ordering::SeqCst);
            if self.has_work() {
                return Poll::Ready(());
            }
            sleep.as_mut().poll(cx)
        }));
        me.in_rt.store(false, Ordering::SeqCst);
        *lock(&me.rt_waker) = None;
        self.last_turn.set(Instant::now());
    }

    fn has_work(&self) -> bool {
        let sc = self.sched.borrow();
        !sc.ready.is_empty()
            || !sc.to_poll.is_empty()
            || !sc.pinned.is_empty()
            || !sc.local.is_empty()
            || self.shared.has_work_for(self.index)
    }

    /// Queue a task spawned by a task of this worker (fork-join: own deque first).
    pub(crate) fn push_local(&self, slot: Arc<Slot>) {
        self.shared.count_queued();
        self.sched.borrow_mut().local.push(slot);
        self.shared.notify_one();
    }

    /// Start `slot` here, if it is still queued.
    fn run_job(&self, vm: &mut State, slot: Arc<Slot>) {
        let Some(work) = slot.start(self.index) else {
            return;
        };
        let Some(ctx) = self.ctx() else {
            slot.complete(Outcome::WorkerFailed("worker VM missing".into()));
            return;
        };
        let base = vm.top();
        let prepared = {
            let mut c = ctx.borrow_mut();
            prepare(vm, &mut c.protos, work)
        };
        let nargs = match prepared {
            Ok(n) => n,
            Err(()) => {
                let e = vm.error_value();
                let message = error_text(vm, e);
                slot.complete(Outcome::Error {
                    value: Packet::default(),
                    traceback: message.clone(),
                    message,
                });
                vm.set_top(base);
                return;
            }
        };
        // the function at `base` becomes the body of a new coroutine; the arguments
        // move down one slot
        // (no safe point until the resume, which roots it as the running thread)
        let body = vm.stack_at(base);
        let co = vm.new_thread(body);
        for i in 0..nargs {
            let v = vm.stack_at(base + 1 + i);
            vm.set_stack_at(base + i, v);
        }
        vm.set_top(base + nargs);
        self.resume(vm, &slot, co, nargs);
        vm.set_top(base);
    }

    fn resume_suspended(&self, vm: &mut State, id: u64) {
        let (sus, call) = {
            let mut sc = self.sched.borrow_mut();
            (sc.suspended.remove(&id), sc.calls.remove(&id))
        };
        // a host future still pending here belongs to a stopped task: dropping it
        // abandons the call
        drop(call);
        let Some(sus) = sus else {
            return;
        };
        let tasks = self.tasks(vm);
        let co = match tasks.get_int(id as i64) {
            Value::Thread(t) => t,
            _ => {
                sus.slot
                    .complete(Outcome::WorkerFailed("suspended task lost".into()));
                return;
            }
        };
        // running, the coroutine is rooted as the current thread; suspended again, it is
        // put back
        vm.raw_set_int(tasks, id as i64, Value::Nil);
        if sus.slot.is_done() {
            // cancelled or timed out while it waited
            return;
        }
        if let Some(result) = sus.result {
            // the async host function's continuation returns this
            driver::set_async_result(vm, result);
        }
        let base = vm.top();
        self.resume(vm, &sus.slot, co, 0);
        vm.set_top(base);
    }

    /// Resume task `slot`'s coroutine with the `nargs` values on top of the stack and
    /// deal with how it stops.
    fn resume(&self, vm: &mut State, slot: &Arc<Slot>, co: Gc<Thread>, nargs: usize) {
        let ctx = self.ctx();
        let prev_task = ctx
            .as_ref()
            .map(|c| std::mem::replace(&mut c.borrow_mut().current_task, co.addr()));
        let me = &self.shared.workers[self.index];
        // forget an interrupt meant for a task that ran before, then become the task an
        // interrupt is for (a stop that came before this is seen through the flag)
        vm.reset_limits();
        lock(&me.running).stack.push(slot.clone());
        if self.shared.shutdown.load(Ordering::SeqCst) {
            // the pool stopped between the start and now: `stop` did not see this task
            slot.cancel();
        }
        if slot.interrupt.load(Ordering::SeqCst) {
            vm.interrupt_shared().request();
        }
        let base = vm.top().saturating_sub(nargs);
        let r = vm.resume(co, nargs);
        let outer = {
            let mut run = lock(&me.running);
            run.stack.pop();
            run.stack.last().cloned()
        };
        vm.reset_limits();
        // back in an outer task (a nested resume): if it was stopped meanwhile, it stops now
        if outer.is_some_and(|o| o.interrupt.load(Ordering::SeqCst)) {
            vm.interrupt_shared().request();
        }
        let wait = match (&ctx, prev_task) {
            (Some(c), Some(p)) => {
                let mut c = c.borrow_mut();
                c.current_task = p;
                c.wait.take()
            }
            _ => None,
        };
        match r {
            Ok((ResumeOutcome::Yielded, n)) => {
                let call = match wait {
                    Some(_) => None,
                    None if vm.is_pass_through_yield(n) => driver::take_pending_call(vm),
                    None => None,
                };
                if wait.is_some() || call.is_some() {
                    let tasks = self.tasks(vm);
                    vm.raw_set_int(tasks, slot.id as i64, Value::Thread(co));
                }
                match (wait, call) {
                    (Some(slots), _) => self.suspend(slot, slots),
                    (None, Some(call)) => self.suspend_on_call(slot, call),
                    (None, None) => {
                        let message = "attempt to yield from outside a coroutine".to_string();
                        slot.complete(Outcome::Error {
                            value: Packet::default(),
                            traceback: message.clone(),
                            message,
                        });
                    }
                }
            }
            Ok((ResumeOutcome::Returned, n)) => {
                let top = vm.top();
                let vals: Vec<Value> = (top - n..top).map(|i| vm.stack_at(i)).collect();
                let opts = ExportOptions {
                    to: "from a worker",
                    metatables: slot.metatables.load(Ordering::Relaxed),
                };
                let outcome =
                    match transfer::export(vm, &vals, &|i| format!("result #{}", i + 1), opts) {
                        Ok(p) => Outcome::Values(p),
                        Err(message) => Outcome::Error {
                            value: Packet::default(),
                            traceback: message.clone(),
                            message,
                        },
                    };
                slot.complete(outcome);
            }
            Ok((ResumeOutcome::Failed, _)) | Err(_) => {
                let e = match r {
                    Ok(_) => vm.stack_at(vm.top().saturating_sub(1)),
                    Err(_) => vm.error_value(),
                };
                if slot.interrupt.load(Ordering::SeqCst) {
                    // cancelled or timed out: the slot already has its outcome
                    slot.complete(Outcome::Cancelled);
                } else {
                    let message = error_text(vm, e);
                    let traceback = String::from_utf8_lossy(&vm.traceback_of(
                        Some(co),
                        Some(message.as_bytes()),
                        0,
                    ))
                    .into_owned();
                    let value = transfer::export(
                        vm,
                        &[e],
                        &|_| "error value".to_string(),
                        ExportOptions {
                            to: "from a worker",
                            ..ExportOptions::default()
                        },
                    )
                    .unwrap_or_default();
                    slot.complete(Outcome::Error {
                        value,
                        message,
                        traceback,
                    });
                }
            }
        }
        vm.set_top(base);
        luavm_stdlib::lio_stream::flush_stdout();
    }

    /// Task `slot` yielded to wait for `waits`.
    fn suspend(&self, slot: &Arc<Slot>, waits: Vec<Arc<Slot>>) {
        let mut remaining = 0;
        for w in &waits {
            let waiter = Waiter::Worker {
                pool: Arc::downgrade(&self.shared),
                worker: self.index,
                task: slot.id,
            };
            if w.add_waiter(waiter) {
                remaining += 1;
            }
        }
        let mut sc = self.sched.borrow_mut();
        sc.suspended.insert(
            slot.id,
            Suspended {
                slot: slot.clone(),
                remaining,
                result: None,
            },
        );
        if remaining == 0 || slot.is_done() {
            sc.ready.push_back(slot.id);
        }
    }

    /// Task `slot` called an async host function: it waits for `call` (polled at the next
    /// step, then whenever its waker fires).
    fn suspend_on_call(&self, slot: &Arc<Slot>, call: PendingCall) {
        let mut sc = self.sched.borrow_mut();
        sc.suspended.insert(
            slot.id,
            Suspended {
                slot: slot.clone(),
                remaining: 0,
                result: None,
            },
        );
        if slot.is_done() {
            // stopped meanwhile: drop it at the next step
            sc.ready.push_back(slot.id);
            return;
        }
        sc.calls.insert(slot.id, call);
        sc.to_poll.push_back(slot.id);
    }

    /// Block until every slot in `slots` is done, running other work meanwhile (the
    /// caller cannot yield). Returns false if the running task was interrupted.
    pub(crate) fn block_on(&self, vm: &mut State, slots: &[Arc<Slot>]) -> bool {
        let depth = self.depth.get();
        self.depth.set(depth + 1);
        let ok = self.block_on_inner(vm, slots, depth < MAX_HELP_DEPTH);
        self.depth.set(depth);
        ok
    }

    fn block_on_inner(&self, vm: &mut State, slots: &[Arc<Slot>], help: bool) -> bool {
        for slot in slots {
            if slot.is_done() {
                continue;
            }
            slot.add_waiter(Waiter::Worker {
                pool: Arc::downgrade(&self.shared),
                worker: self.index,
                task: HELPER_TASK,
            });
            while !slot.is_done() {
                if self.current_stopped() || self.shared.shutdown.load(Ordering::SeqCst) {
                    return false;
                }
                if help && slot.startable_by(self.index) {
                    let base = vm.top();
                    self.run_job(vm, slot.clone());
                    vm.set_top(base);
                    continue;
                }
                if help && self.step(vm) {
                    continue;
                }
                self.wait_for_work(Duration::from_millis(5));
            }
        }
        true
    }

    /// The task being resumed on this worker (innermost), if any.
    pub(crate) fn current_slot(&self) -> Option<Arc<Slot>> {
        lock(&self.shared.workers[self.index].running)
            .stack
            .last()
            .cloned()
    }

    /// Whether the task being resumed (innermost) was cancelled or timed out.
    fn current_stopped(&self) -> bool {
        let me = &self.shared.workers[self.index];
        lock(&me.running)
            .stack
            .last()
            .is_some_and(|s| s.interrupt.load(Ordering::SeqCst))
    }

    /// After a panic: every task running or suspended on this VM has lost its coroutine.
    fn fail_all(&self, msg: &str) {
        let me = &self.shared.workers[self.index];
        let running: Vec<Arc<Slot>> = std::mem::take(&mut lock(&me.running).stack);
        for s in running {
            s.complete(Outcome::WorkerFailed(msg.to_string()));
        }
        let mut sc = self.sched.borrow_mut();
        for (_, s) in sc.suspended.drain() {
            s.slot.complete(Outcome::WorkerFailed(msg.to_string()));
        }
        sc.ready.clear();
        sc.calls.clear();
        sc.to_poll.clear();
        self.depth.set(0);
    }

    /// The pool is stopping: end everything this worker still holds.
    fn drain_on_exit(&self) {
        self.drain_mail();
        let mut sc = self.sched.borrow_mut();
        for (_, s) in sc.suspended.drain() {
            s.slot.cancel();
        }
        sc.calls.clear();
        sc.to_poll.clear();
        for s in sc.pinned.drain(..) {
            s.cancel();
        }
        while let Some(s) = sc.local.pop() {
            s.cancel();
        }
        drop(sc);
        self.shared.drain_injector();
    }
}

/// Push the task's function and arguments; returns the number of arguments.
fn prepare(vm: &mut State, protos: &mut transfer::ProtoCache, work: Work) -> Result<usize, ()> {
    let base = vm.top();
    match work {
        Work::Call { func, args } => {
            func.import(vm, protos).map_err(|_| ())?;
            if let Some(a) = args {
                a.import(vm, protos).map_err(|_| ())?;
            }
        }
        Work::Chunk(p) => {
            let f = vm.new_main_closure(&p);
            vm.push(f);
        }
        Work::Global { name, args } => {
            let f = lookup_path(vm, &name);
            if !f.is_function() {
                let m = vm.str_value(format!("no global function '{name}'").as_bytes());
                vm.set_error(m);
                return Err(());
            }
            vm.push(f);
            args.import(vm, protos).map_err(|_| ())?;
        }
        Work::Handler { name, args } => {
            let f = lworkers::bound_handler(vm, &name);
            if !f.is_function() {
                let m = vm.str_value(format!("no handler bound to '{name}'").as_bytes());
                vm.set_error(m);
                return Err(());
            }
            vm.push(f);
            args.import(vm, protos).map_err(|_| ())?;
        }
    }
    Ok(vm.top() - base - 1)
}

/// `a.b.c` looked up from the globals, raw, field by field.
fn lookup_path(vm: &mut State, name: &str) -> Value {
    let mut v = Value::Table(vm.globals());
    for part in name.split('.') {
        let Value::Table(t) = v else {
            return Value::Nil;
        };
        let k = vm.str_value(part.as_bytes());
        v = t.get(k);
    }
    v
}
