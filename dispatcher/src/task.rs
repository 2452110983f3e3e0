//! Tasks: what is submitted, the slot its one outcome goes to, and the handles that wait
//! for it.
//!
//! Every task ends with exactly one [`Outcome`]: its values, a Lua error with traceback,
//! cancelled, timed out, or worker failed. The first completion of a slot wins; later
//! ones (a worker finishing a task that was cancelled meanwhile) are ignored.
//!
//! Invariants:
//! - a slot's work is taken exactly once (by the worker that starts it, or dropped by a
//!   cancellation or deadline while it is queued), so a task never runs twice even though
//!   a stale queue entry may still point at its slot;
//! - a cancellation sets the interrupt flag and the outcome under the slot's lock, so a
//!   worker that sees the flag finds the slot already done;
//! - stopping a task (cancel, deadline) cancels the tasks it spawned that have not ended
//!   (its `children`, recorded at submission), and theirs, iteratively: the fork-join
//!   tree under a stopped task never runs on. A child added to a slot that is already
//!   stopped is cancelled at once, so no child escapes a concurrent stop;
//! - waiters are notified after the lock is released; threads sleeping on the condition
//!   variable are counted under the lock (`sleepers`), so a completion that finds none
//!   skips the wake-up system call.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use luavm_compiler::Proto;

use crate::pool::{Shared, Wake};
use crate::transfer::{Data, Packet};

/// How a task ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The task returned these values.
    Values(Packet),
    /// The task raised an error.
    Error {
        /// The error value (one root), when it could be copied.
        value: Packet,
        /// The error value as text.
        message: String,
        /// The message followed by the task's stack traceback.
        traceback: String,
    },
    /// The task was cancelled (before or while it ran).
    Cancelled,
    /// The task's deadline passed.
    TimedOut,
    /// The worker running it panicked or failed; its VM was rebuilt.
    WorkerFailed(String),
}

/// Where a task is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskStatus {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
    TimedOut,
    WorkerFailed,
}

impl TaskStatus {
    /// The name Lua sees (`handle:status()`).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Queued => "queued",
            TaskStatus::Running => "running",
            TaskStatus::Done => "done",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::TimedOut => "timed out",
            TaskStatus::WorkerFailed => "worker failed",
        }
    }
}

impl Outcome {
    pub fn status(&self) -> TaskStatus {
        match self {
            Outcome::Values(_) => TaskStatus::Done,
            Outcome::Error { .. } => TaskStatus::Failed,
            Outcome::Cancelled => TaskStatus::Cancelled,
            Outcome::TimedOut => TaskStatus::TimedOut,
            Outcome::WorkerFailed(_) => TaskStatus::WorkerFailed,
        }
    }
    /// The error message of an outcome that is not values.
    pub fn message(&self) -> Option<String> {
        match self {
            Outcome::Values(_) => None,
            Outcome::Error { message, .. } => Some(message.clone()),
            Outcome::Cancelled => Some("cancelled".into()),
            Outcome::TimedOut => Some("timed out".into()),
            Outcome::WorkerFailed(m) => Some(format!("worker failed: {m}")),
        }
    }
}

/// A task that did not produce values (see [`TaskHandle::join`]).
#[derive(Clone, Debug, PartialEq)]
pub enum TaskError {
    Lua {
        message: String,
        traceback: String,
    },
    Cancelled,
    TimedOut,
    WorkerFailed(String),
    /// The values are not plain data (functions, userdata, cycles).
    NotData(String),
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TaskError::Lua { message, .. } => write!(f, "{message}"),
            TaskError::Cancelled => write!(f, "cancelled"),
            TaskError::TimedOut => write!(f, "timed out"),
            TaskError::WorkerFailed(m) => write!(f, "worker failed: {m}"),
            TaskError::NotData(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for TaskError {}

/// What a task runs.
pub(crate) enum Work {
    /// Call root 0 of `func` with the rest of its roots and then the roots of `args`.
    Call {
        func: Arc<Packet>,
        args: Option<Packet>,
    },
    /// Run a main chunk (its `_ENV` is the worker's globals).
    Chunk(Arc<Proto>),
    /// Call the global function `name` (a dotted path is looked up field by field).
    Global { name: Arc<str>, args: Packet },
    /// Call the handler bound with `workers.bind(name, ...)` on the pinned worker.
    Handler { name: Arc<str>, args: Packet },
}

/// Who to tell when a slot completes.
pub(crate) enum Waiter {
    /// A worker: a suspended task `task` waits for this slot, or the worker is blocked.
    Worker {
        pool: Weak<Shared>,
        worker: usize,
        task: u64,
    },
    /// An async caller.
    Waker(Waker),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Queued,
    Running,
    Done,
}

struct SlotState {
    phase: Phase,
    work: Option<Work>,
    outcome: Option<Arc<Outcome>>,
    waiters: Vec<Waiter>,
    started: Option<Instant>,
    finished: Option<Instant>,
    worker: Option<usize>,
    /// Tasks this task spawned (cancelled with it); pruned of ended ones as it grows.
    children: Vec<Weak<Slot>>,
    /// Prune `children` when it reaches this length.
    prune_at: usize,
    /// Threads sleeping on `cv` (the completion skips the futex wake when there are none).
    sleepers: u32,
}

/// First pruning point of a slot's children list.
const PRUNE_AT: usize = 16;

/// The shared state of one task.
pub(crate) struct Slot {
    pub(crate) id: u64,
    /// Set when the task is stopped (cancelled, timed out); its worker then interrupts
    /// its VM while the task runs.
    pub(crate) interrupt: Arc<AtomicBool>,
    /// The worker this task must run on (Dispatcher messages, broadcasts).
    pub(crate) pinned: Option<usize>,
    pub(crate) pool: Weak<Shared>,
    /// Running-time limit, counted from the start.
    pub(crate) timeout: Option<Duration>,
    /// Carry the metatables of result tables back.
    pub(crate) metatables: AtomicBool,
    done: AtomicBool,
    st: Mutex<SlotState>,
    cv: Condvar,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Poll this long (yielding) for a result before sleeping (a round trip is usually shorter).
const SPIN: Duration = Duration::from_micros(50);

impl Slot {
    pub(crate) fn new(
        work: Work,
        pool: Weak<Shared>,
        pinned: Option<usize>,
        timeout: Option<Duration>,
    ) -> Arc<Slot> {
        Arc::new(Slot {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            interrupt: Arc::new(AtomicBool::new(false)),
            pinned,
            pool,
            timeout,
            metatables: AtomicBool::new(false),
            done: AtomicBool::new(false),
            st: Mutex::new(SlotState {
                phase: Phase::Queued,
                work: Some(work),
                outcome: None,
                waiters: Vec::new(),
                started: None,
                finished: None,
                worker: None,
                children: Vec::new(),
                prune_at: PRUNE_AT,
                sleepers: 0,
            }),
            cv: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        match self.st.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Whether the outcome is known.
    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Whether `worker` may start this task now.
    pub(crate) fn startable_by(&self, worker: usize) -> bool {
        self.pinned.is_none_or(|p| p == worker) && self.lock().phase == Phase::Queued
    }

    /// Take the work to run it on `worker`; `None` when it was taken, cancelled, or is
    /// pinned to another worker.
    pub(crate) fn start(self: &Arc<Self>, worker: usize) -> Option<Work> {
        if self.pinned.is_some_and(|p| p != worker) {
            return None;
        }
        let work = {
            let mut g = self.lock();
            if g.phase != Phase::Queued {
                return None;
            }
            let w = g.work.take()?;
            g.phase = Phase::Running;
            g.started = Some(Instant::now());
            g.worker = Some(worker);
            if let Some(p) = self.pool.upgrade() {
                p.on_start(worker, self.pinned.is_some());
            }
            w
        };
        if let Some(t) = self.timeout {
            crate::timer::schedule(Instant::now() + t, self);
        }
        Some(work)
    }

    /// Record the outcome (the first one wins); returns whether this call set it.
    pub(crate) fn complete(&self, outcome: Outcome) -> bool {
        let g = self.lock();
        if g.phase == Phase::Done {
            return false;
        }
        self.finish_locked(g, outcome, false);
        true
    }

    /// Cancel (or time out) the task, and cancel the tasks it spawned that have not ended
    /// (the whole tree under it); returns false when it had already finished.
    fn stop(&self, outcome: Outcome) -> bool {
        let Some(mut tree) = self.stop_one(outcome) else {
            return false;
        };
        while let Some(child) = tree.pop() {
            if let Some(more) = child.upgrade().and_then(|c| c.stop_one(Outcome::Cancelled)) {
                tree.extend(more);
            }
        }
        true
    }

    /// Stop this task alone; its children, or `None` when it had already finished.
    fn stop_one(&self, outcome: Outcome) -> Option<Vec<Weak<Slot>>> {
        let mut g = self.lock();
        if g.phase == Phase::Done {
            return None;
        }
        self.interrupt.store(true, Ordering::SeqCst);
        let children = std::mem::take(&mut g.children);
        self.finish_locked(g, outcome, true);
        Some(children)
    }

    /// Record `child` as spawned by this task, so that stopping this task cancels it.
    /// Returns false (the caller cancels the child) if this task is already stopped.
    pub(crate) fn add_child(&self, child: &Arc<Slot>) -> bool {
        let mut g = self.lock();
        if g.phase == Phase::Done {
            // ended normally: nothing to tie the child to; stopped: the child must stop
            return !self.interrupt.load(Ordering::SeqCst);
        }
        if g.children.len() >= g.prune_at {
            g.children
                .retain(|c| c.upgrade().is_some_and(|c| !c.is_done()));
            g.prune_at = (g.children.len() * 2).max(PRUNE_AT);
        }
        g.children.push(Arc::downgrade(child));
        true
    }

    pub(crate) fn cancel(&self) -> bool {
        self.stop(Outcome::Cancelled)
    }

    pub(crate) fn expire(&self) -> bool {
        self.stop(Outcome::TimedOut)
    }

    fn finish_locked(&self, mut g: MutexGuard<'_, SlotState>, outcome: Outcome, stopped: bool) {
        let prev = g.phase;
        g.phase = Phase::Done;
        g.outcome = Some(Arc::new(outcome));
        g.finished = Some(Instant::now());
        let work = g.work.take();
        let waiters = std::mem::take(&mut g.waiters);
        // (after a normal end the children live on: they are no longer tied to this task)
        let children = std::mem::take(&mut g.children);
        let worker = g.worker;
        let sleepers = g.sleepers;
        let pool = self.pool.upgrade();
        if let Some(p) = &pool {
            p.on_complete(prev == Phase::Running, worker, self.pinned);
        }
        self.done.store(true, Ordering::Release);
        drop(g);
        drop(work);
        drop(children);
        if sleepers > 0 {
            self.cv.notify_all();
        }
        if let Some(p) = &pool {
            // a stopped task may be running (interrupt its VM) or suspended on its worker
            // (let the worker drop it)
            if stopped && prev == Phase::Running {
                if let Some(w) = worker {
                    p.interrupt_if_running(w, self);
                    p.wake(w, Wake::Stopped(self.id));
                }
            }
        }
        for w in waiters {
            match w {
                Waiter::Worker { pool, worker, task } => {
                    if let Some(p) = pool.upgrade() {
                        p.wake(worker, Wake::Ready(task));
                    }
                }
                Waiter::Waker(k) => k.wake(),
            }
        }
    }

    /// Register `w`; returns false (and drops it) when the slot is already done.
    pub(crate) fn add_waiter(&self, w: Waiter) -> bool {
        let mut g = self.lock();
        if g.phase == Phase::Done {
            return false;
        }
        g.waiters.push(w);
        true
    }

    /// The outcome, if known.
    pub(crate) fn outcome(&self) -> Option<Arc<Outcome>> {
        self.lock().outcome.clone()
    }

    /// Block the calling thread until the outcome is known.
    pub(crate) fn wait(&self) -> Arc<Outcome> {
        // a short busy spin, then yields (the worker may share this core), then sleep
        for _ in 0..256 {
            if self.is_done() {
                break;
            }
            std::hint::spin_loop();
        }
        let spin_until = Instant::now() + SPIN;
        while !self.is_done() && Instant::now() < spin_until {
            std::thread::yield_now();
        }
        let mut g = self.lock();
        loop {
            if let Some(o) = &g.outcome {
                return o.clone();
            }
            g.sleepers += 1;
            g = match self.cv.wait(g) {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            g.sleepers -= 1;
        }
    }

    /// Block at most `d`.
    pub(crate) fn wait_timeout(&self, d: Duration) -> Option<Arc<Outcome>> {
        let end = Instant::now() + d;
        let mut g = self.lock();
        loop {
            if let Some(o) = &g.outcome {
                return Some(o.clone());
            }
            let now = Instant::now();
            if now >= end {
                return None;
            }
            g.sleepers += 1;
            g = match self.cv.wait_timeout(g, end - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
            g.sleepers -= 1;
        }
    }

    pub(crate) fn status(&self) -> TaskStatus {
        let g = self.lock();
        match (&g.outcome, g.phase) {
            (Some(o), _) => o.status(),
            (None, Phase::Queued) => TaskStatus::Queued,
            _ => TaskStatus::Running,
        }
    }

    /// Seconds from start to finish (or to now), 0 if it never started.
    pub(crate) fn run_time(&self) -> Duration {
        let g = self.lock();
        match (g.started, g.finished) {
            (Some(s), Some(f)) => f.saturating_duration_since(s),
            (Some(s), None) => s.elapsed(),
            _ => Duration::ZERO,
        }
    }

    /// When the outcome was recorded.
    pub(crate) fn finished_at(&self) -> Option<Instant> {
        self.lock().finished
    }

    /// The worker that started it.
    pub(crate) fn worker(&self) -> Option<usize> {
        self.lock().worker
    }
}

/// A submitted task, from Rust: wait for it (blocking or as a future), cancel it.
#[derive(Clone)]
pub struct TaskHandle {
    pub(crate) slot: Arc<Slot>,
}

impl TaskHandle {
    /// The task's process-wide id.
    pub fn id(&self) -> u64 {
        self.slot.id
    }
    /// Block until the task ends.
    pub fn wait(&self) -> Arc<Outcome> {
        self.slot.wait()
    }
    /// Block at most `d`; `None` if the task is still going.
    pub fn wait_timeout(&self, d: Duration) -> Option<Arc<Outcome>> {
        self.slot.wait_timeout(d)
    }
    /// The outcome, if the task has ended.
    pub fn try_outcome(&self) -> Option<Arc<Outcome>> {
        self.slot.outcome()
    }
    /// Block until the task ends and return its values as plain data.
    pub fn join(&self) -> Result<Vec<Data>, TaskError> {
        match &*self.wait() {
            Outcome::Values(p) => p.to_data().map_err(TaskError::NotData),
            Outcome::Error {
                message, traceback, ..
            } => Err(TaskError::Lua {
                message: message.clone(),
                traceback: traceback.clone(),
            }),
            Outcome::Cancelled => Err(TaskError::Cancelled),
            Outcome::TimedOut => Err(TaskError::TimedOut),
            Outcome::WorkerFailed(m) => Err(TaskError::WorkerFailed(m.clone())),
        }
    }
    /// Cancel the task: a queued task never starts; a running one is interrupted at its
    /// next loop back-edge (one awaiting a host future drops it). The tasks it spawned
    /// and has not joined are cancelled too, and theirs. Returns false if it had already
    /// ended.
    pub fn cancel(&self) -> bool {
        self.slot.cancel()
    }
    pub fn status(&self) -> TaskStatus {
        self.slot.status()
    }
    /// Time from start to end (or to now).
    pub fn run_time(&self) -> Duration {
        self.slot.run_time()
    }
}

impl Future for TaskHandle {
    type Output = Arc<Outcome>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Arc<Outcome>> {
        if let Some(o) = self.slot.outcome() {
            return Poll::Ready(o);
        }
        if !self.slot.add_waiter(Waiter::Waker(cx.waker().clone())) {
            if let Some(o) = self.slot.outcome() {
                return Poll::Ready(o);
            }
        }
        Poll::Pending
    }
}
