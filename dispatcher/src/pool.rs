//! The pool: N worker threads, each owning a warm VM, fed by work-stealing queues.
//!
//! Scheduling (`crossbeam-deque`): tasks submitted from outside go to the global
//! `Injector`; tasks spawned by a task go to its worker's own LIFO deque (fork-join), which
//! idle workers steal from (FIFO end, in batches). A worker looks at its pinned mail, then
//! its deque, then the injector, then the other deques; every 32nd look starts with the
//! injector so that outside work never starves behind a busy fork-join tree.
//!
//! Parking: an idle worker spins briefly, then puts itself on the idle list, checks the
//! queues once more and parks. Submitters push first and then unpark one idle worker; with
//! the list under a mutex (and fences around the counter) a wake-up cannot be lost.
//! Wake-ups aimed at one worker (a task it suspended can go on; a pinned message) go
//! through its inbox and its `Unparker`.
//!
//! Invariants:
//! - `queued` counts tasks submitted and neither started nor ended; `running` counts tasks
//!   started and not ended (a suspended task is running); both move only in
//!   [`Shared::on_start`] and [`Shared::on_complete`];
//! - shutting down ends every task still queued as cancelled, so no handle waits forever.

use std::collections::VecDeque;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::task::Waker;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_deque::{Injector, Stealer, Worker};
use crossbeam_utils::sync::{Parker, Unparker};
use luavm_compiler::Proto;
use luavm_vm::embed::Lua;
use luavm_vm::limits::InterruptShared;
use luavm_vm::{LuaResult, State};

use crate::task::{Outcome, Slot, TaskHandle, Work};
use crate::transfer::{Data, Packet};

/// The init callback every worker VM runs once after the standard library is opened
/// (and again when a VM is rebuilt after a failure).
pub type InitFn = dyn Fn(&mut State) -> LuaResult<()> + Send + Sync;

/// Stack size of worker threads (Rust functions that call Lua nest up to 200 levels).
const WORKER_STACK: usize = 64 << 20;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// A wake-up sent to one worker.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Wake {
    /// A slot that suspended task `id` waits for has completed.
    Ready(u64),
    /// Task `id` was cancelled or timed out: drop it if it is suspended.
    Stopped(u64),
    /// The host future suspended task `id` awaits can make progress: poll it.
    Poll(u64),
}

#[derive(Default)]
pub(crate) struct Inbox {
    pub(crate) wakes: Vec<Wake>,
    pub(crate) pinned: VecDeque<Arc<Slot>>,
}

/// What the other threads see of one worker.
pub(crate) struct WorkerShared {
    pub(crate) inbox: Mutex<Inbox>,
    pub(crate) has_mail: AtomicBool,
    pub(crate) unparker: Unparker,
    /// While the worker waits inside its async runtime (it has host futures pending)
    /// instead of parking: the waker of that wait.
    pub(crate) rt_waker: Mutex<Option<Waker>>,
    pub(crate) in_rt: AtomicBool,
    /// Tasks pinned to this worker and not ended, plus tasks running on it.
    pub(crate) load: AtomicUsize,
    pub(crate) completed: AtomicU64,
    /// Tasks being resumed on this worker right now (innermost last), and the interrupt
    /// flag of its VM.
    pub(crate) running: Mutex<Running>,
}

impl WorkerShared {
    /// Wake the worker, whether it is parked or waiting inside its runtime.
    pub(crate) fn unpark(&self) {
        self.unparker.unpark();
        // (SeqCst: pairs with the worker's store of `in_rt` before its last look for work)
        if self.in_rt.load(Ordering::SeqCst) {
            if let Some(w) = lock(&self.rt_waker).take() {
                w.wake();
            }
        }
    }
}

#[derive(Default)]
pub(crate) struct Running {
    pub(crate) stack: Vec<Arc<Slot>>,
    pub(crate) interrupt: Option<Arc<InterruptShared>>,
}

/// State shared by the pool's handles and its workers.
pub(crate) struct Shared {
    pub(crate) injector: Injector<Arc<Slot>>,
    pub(crate) stealers: Vec<Stealer<Arc<Slot>>>,
    pub(crate) workers: Vec<WorkerShared>,
    idle: Mutex<Vec<usize>>,
    idle_count: AtomicUsize,
    pub(crate) shutdown: AtomicBool,
    pub(crate) init: Vec<Arc<InitFn>>,
    queue_bound: Option<usize>,
    space: (Mutex<()>, Condvar),
    queued: AtomicUsize,
    running: AtomicUsize,
    completed: AtomicU64,
    pub(crate) stolen: AtomicU64,
}

impl Shared {
    pub(crate) fn size(&self) -> usize {
        self.workers.len()
    }

    pub(crate) fn on_start(&self, worker: usize, pinned: bool) {
        self.queued.fetch_sub(1, Ordering::Relaxed);
        self.running.fetch_add(1, Ordering::Relaxed);
        if !pinned {
            if let Some(w) = self.workers.get(worker) {
                w.load.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.signal_space();
    }

    pub(crate) fn on_complete(
        &self,
        was_running: bool,
        worker: Option<usize>,
        pinned: Option<usize>,
    ) {
        if was_running {
            self.running.fetch_sub(1, Ordering::Relaxed);
        } else {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            self.signal_space();
        }
        self.completed.fetch_add(1, Ordering::Relaxed);
        let loaded = match pinned {
            Some(p) => Some(p),
            None if was_running => worker,
            None => None,
        };
        if let Some(w) = loaded.and_then(|w| self.workers.get(w)) {
            w.load.fetch_sub(1, Ordering::Relaxed);
        }
        if was_running {
            if let Some(w) = worker.and_then(|w| self.workers.get(w)) {
                w.completed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn signal_space(&self) {
        if self.queue_bound.is_some() {
            let _g = lock(&self.space.0);
            self.space.1.notify_all();
        }
    }

    /// Block while the queue is at its bound (outside submitters only).
    pub(crate) fn wait_for_space(&self) {
        let Some(bound) = self.queue_bound else {
            return;
        };
        let mut g = lock(&self.space.0);
        while self.queued.load(Ordering::Relaxed) >= bound && !self.shutdown.load(Ordering::SeqCst)
        {
            g = match self.space.1.wait_timeout(g, Duration::from_millis(10)) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    fn is_full(&self) -> bool {
        self.queue_bound
            .is_some_and(|b| self.queued.load(Ordering::Relaxed) >= b)
    }

    /// Count a task as queued (before it becomes visible to workers).
    pub(crate) fn count_queued(&self) {
        self.queued.fetch_add(1, Ordering::Relaxed);
    }

    /// Queue a task for any worker.
    pub(crate) fn push_injector(&self, slot: Arc<Slot>) {
        self.count_queued();
        self.injector.push(slot);
        self.notify_one();
        if self.shutdown.load(Ordering::SeqCst) {
            self.drain_injector();
        }
    }

    /// Queue a task that must run on `worker`.
    pub(crate) fn push_pinned(&self, worker: usize, slot: Arc<Slot>) {
        let Some(w) = self.workers.get(worker) else {
            slot.complete(Outcome::WorkerFailed(format!("no worker {}", worker + 1)));
            return;
        };
        self.count_queued();
        w.load.fetch_add(1, Ordering::Relaxed);
        lock(&w.inbox).pinned.push_back(slot);
        w.has_mail.store(true, Ordering::SeqCst);
        w.unpark();
    }

    /// `slot` was stopped: if it is the task being resumed on `worker` right now, stop its
    /// Lua code (the VM's interrupt; the worker clears it before it resumes another task).
    pub(crate) fn interrupt_if_running(&self, worker: usize, slot: &Slot) {
        if let Some(w) = self.workers.get(worker) {
            let r = lock(&w.running);
            if r.stack.last().is_some_and(|s| std::ptr::eq(&**s, slot)) {
                if let Some(i) = &r.interrupt {
                    i.request();
                }
            }
        }
    }

    /// Send a wake-up to `worker`.
    pub(crate) fn wake(&self, worker: usize, wake: Wake) {
        if let Some(w) = self.workers.get(worker) {
            lock(&w.inbox).wakes.push(wake);
            w.has_mail.store(true, Ordering::SeqCst);
            w.unpark();
        }
    }

    /// Wake one idle worker, if any.
    pub(crate) fn notify_one(&self) {
        fence(Ordering::SeqCst);
        if self.idle_count.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut idle = lock(&self.idle);
        if let Some(i) = idle.pop() {
            self.idle_count.fetch_sub(1, Ordering::SeqCst);
            drop(idle);
            if let Some(w) = self.workers.get(i) {
                w.unpark();
            }
        }
    }

    pub(crate) fn set_idle(&self, worker: usize) {
        let mut idle = lock(&self.idle);
        if !idle.contains(&worker) {
            idle.push(worker);
            self.idle_count.fetch_add(1, Ordering::SeqCst);
        }
        drop(idle);
        fence(Ordering::SeqCst);
    }

    pub(crate) fn unset_idle(&self, worker: usize) {
        let mut idle = lock(&self.idle);
        if let Some(pos) = idle.iter().position(|&w| w == worker) {
            idle.swap_remove(pos);
            self.idle_count.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Whether any queue visible to `worker` has work.
    pub(crate) fn has_work_for(&self, worker: usize) -> bool {
        self.shutdown.load(Ordering::SeqCst)
            || self
                .workers
                .get(worker)
                .is_some_and(|w| w.has_mail.load(Ordering::SeqCst))
            || !self.injector.is_empty()
            || self
                .stealers
                .iter()
                .enumerate()
                .any(|(i, s)| i != worker && !s.is_empty())
    }

    pub(crate) fn metrics(&self) -> Metrics {
        Metrics {
            workers: self.size(),
            queued: self.queued.load(Ordering::Relaxed),
            running: self.running.load(Ordering::Relaxed),
            completed: self.completed.load(Ordering::Relaxed),
            stolen: self.stolen.load(Ordering::Relaxed),
            load: self
                .workers
                .iter()
                .map(|w| w.load.load(Ordering::Relaxed))
                .collect(),
            completed_per_worker: self
                .workers
                .iter()
                .map(|w| w.completed.load(Ordering::Relaxed))
                .collect(),
        }
    }

    /// End every task left in the injector as cancelled.
    pub(crate) fn drain_injector(&self) {
        loop {
            match self.injector.steal() {
                crossbeam_deque::Steal::Success(s) => {
                    s.cancel();
                }
                crossbeam_deque::Steal::Retry => continue,
                crossbeam_deque::Steal::Empty => break,
            }
        }
    }

    /// Stop: no new work, running tasks interrupted, queued tasks cancelled.
    fn stop(&self) {
        self.shutdown.store(true, Ordering::SeqCst);
        for w in &self.workers {
            let running: Vec<Arc<Slot>> = lock(&w.running).stack.clone();
            for s in running {
                s.cancel();
            }
            w.unpark();
        }
        self.drain_injector();
        let _g = lock(&self.space.0);
        self.space.1.notify_all();
    }
}

/// Why a pool could not be built or a task not submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PoolError {
    /// A worker's init callback failed.
    Init(String),
    /// A worker thread could not be started.
    Spawn(String),
    /// The code does not compile.
    Compile(String),
    /// An argument cannot be sent to a worker.
    Transfer(String),
    /// `try_submit` found the queue at its bound.
    Full,
    /// The pool was shut down.
    ShutDown,
}

impl std::fmt::Display for PoolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PoolError::Init(m) => write!(f, "worker init failed: {m}"),
            PoolError::Spawn(m) => write!(f, "cannot start worker thread: {m}"),
            PoolError::Compile(m) | PoolError::Transfer(m) => write!(f, "{m}"),
            PoolError::Full => write!(f, "queue full"),
            PoolError::ShutDown => write!(f, "pool shut down"),
        }
    }
}

impl std::error::Error for PoolError {}

/// Builds a [`Pool`].
#[derive(Clone, Default)]
pub struct PoolBuilder {
    workers: Option<usize>,
    init: Vec<Arc<InitFn>>,
    queue_bound: Option<usize>,
}

impl PoolBuilder {
    /// Number of worker threads (default: the available cores).
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n.clamp(1, 1024));
        self
    }
    /// Add an init callback, run on every worker VM after the standard library is opened
    /// (register host functions here: they are then callable in tasks and Rust functions
    /// registered this way travel by name).
    pub fn init(mut self, f: impl Fn(&mut State) -> LuaResult<()> + Send + Sync + 'static) -> Self {
        self.init.push(Arc::new(f));
        self
    }
    /// Add an init callback written with the embedding API: `f` gets the worker VM as a
    /// [`Lua`], so it can `register` host functions, `register_async` async ones (a task
    /// calling one suspends until its future resolves, on the worker's tokio
    /// `current_thread` runtime, while the worker runs other tasks), set globals, run code.
    pub fn init_lua(
        self,
        f: impl Fn(&mut Lua<'_>) -> luavm_vm::embed::Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.init(move |s| lua_init(s, &f))
    }
    /// Add an already shared init callback.
    pub fn init_shared(mut self, f: Arc<InitFn>) -> Self {
        self.init.push(f);
        self
    }
    /// Run `code` on every worker VM at start (after the init callbacks added before).
    pub fn init_script(self, code: &str) -> Self {
        let code = code.as_bytes().to_vec();
        self.init(move |s| {
            let f = s.load(&code, b"=init")?;
            let base = s.top();
            s.push(f);
            s.call(base, 0)?;
            s.set_top(base);
            Ok(())
        })
    }
    /// Bound the number of queued tasks: `submit` blocks and `try_submit` fails while it
    /// is reached (tasks spawned by tasks are never blocked).
    pub fn queue_bound(mut self, n: usize) -> Self {
        self.queue_bound = Some(n.max(1));
        self
    }

    /// Start the workers; fails if a worker cannot start or its init fails.
    pub fn build(self) -> Result<Pool, PoolError> {
        let n = self.workers.unwrap_or_else(default_parallelism);
        let locals: Vec<Worker<Arc<Slot>>> = (0..n).map(|_| Worker::new_lifo()).collect();
        let stealers = locals.iter().map(Worker::stealer).collect();
        let parkers: Vec<Parker> = (0..n).map(|_| Parker::new()).collect();
        let workers = parkers
            .iter()
            .map(|p| WorkerShared {
                inbox: Mutex::new(Inbox::default()),
                has_mail: AtomicBool::new(false),
                unparker: p.unparker().clone(),
                rt_waker: Mutex::new(None),
                in_rt: AtomicBool::new(false),
                load: AtomicUsize::new(0),
                completed: AtomicU64::new(0),
                running: Mutex::new(Running::default()),
            })
            .collect();
        let shared = Arc::new(Shared {
            injector: Injector::new(),
            stealers,
            workers,
            idle: Mutex::new(Vec::new()),
            idle_count: AtomicUsize::new(0),
            shutdown: AtomicBool::new(false),
            init: self.init,
            queue_bound: self.queue_bound,
            space: (Mutex::new(()), Condvar::new()),
            queued: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            completed: AtomicU64::new(0),
            stolen: AtomicU64::new(0),
        });
        let (tx, rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let mut threads = Vec::with_capacity(n);
        for (i, (local, parker)) in locals.into_iter().zip(parkers).enumerate() {
            let sh = shared.clone();
            let tx = tx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("luavm-worker-{}", i + 1))
                .stack_size(WORKER_STACK)
                .spawn(move || crate::worker::main(sh, i, local, parker, tx));
            match spawned {
                Ok(h) => threads.push(h),
                Err(e) => {
                    shared.stop();
                    return Err(PoolError::Spawn(e.to_string()));
                }
            }
        }
        drop(tx);
        let mut failure = None;
        for _ in 0..n {
            match rx.recv() {
                Ok(Ok(())) => {}
                Ok(Err(m)) => {
                    failure.get_or_insert(m);
                }
                Err(_) => {
                    failure.get_or_insert_with(|| "worker thread ended during init".into());
                }
            }
        }
        let pool = Pool {
            inner: Arc::new(PoolInner {
                shared,
                threads: Mutex::new(threads),
            }),
        };
        match failure {
            Some(m) => {
                pool.inner.shared.stop();
                Err(PoolError::Init(m))
            }
            None => Ok(pool),
        }
    }
}

/// Run an embedding-API init callback on `s`, its error as a Lua error.
fn lua_init(
    s: &mut State,
    f: &dyn Fn(&mut Lua<'_>) -> luavm_vm::embed::Result<()>,
) -> LuaResult<()> {
    match f(&mut Lua::from_state(s)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let m = s.str_value(e.message().as_bytes());
            Err(s.set_error(m))
        }
    }
}

fn default_parallelism() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

struct PoolInner {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for PoolInner {
    fn drop(&mut self) {
        // the workers notice and exit; they are not joined here (this may run on one)
        self.shared.stop();
    }
}

/// A pool of worker threads, each with its own VM. Cloning gives another handle to the
/// same pool; the pool stops when the last handle is dropped.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<PoolInner>,
}

/// A task for [`Pool::submit`] and [`Pool::submit_batch`].
#[derive(Clone, Debug)]
pub struct Job {
    kind: JobKind,
    timeout: Option<Duration>,
}

#[derive(Clone, Debug)]
enum JobKind {
    Code(String),
    Call(String, Vec<Data>),
}

impl Job {
    /// Run a chunk of Lua code; its return values are the task's values.
    pub fn code(src: &str) -> Job {
        Job {
            kind: JobKind::Code(src.to_string()),
            timeout: None,
        }
    }
    /// Call the global function `name` (`"mylib.f"` looks up field by field).
    pub fn call(name: &str, args: Vec<Data>) -> Job {
        Job {
            kind: JobKind::Call(name.to_string(), args),
            timeout: None,
        }
    }
    /// Limit the task's running time.
    pub fn timeout(mut self, d: Duration) -> Job {
        self.timeout = Some(d);
        self
    }
}

/// A snapshot of the pool's counters.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    pub workers: usize,
    /// Tasks submitted and not started yet.
    pub queued: usize,
    /// Tasks started and not ended (including those waiting for other tasks).
    pub running: usize,
    /// Tasks ended (any outcome).
    pub completed: u64,
    /// Tasks a worker took from another worker's deque.
    pub stolen: u64,
    /// Per worker: pinned tasks queued on it plus tasks running on it.
    pub load: Vec<usize>,
    /// Per worker: tasks it ran to an end.
    pub completed_per_worker: Vec<u64>,
}

pub(crate) fn compile(src: &str, chunkname: &str) -> Result<Arc<Proto>, PoolError> {
    let p = luavm_compiler::compile(src.as_bytes(), chunkname.as_bytes())
        .map_err(|e| PoolError::Compile(String::from_utf8_lossy(&e.raw).into_owned()))?;
    luavm_compiler::verify(&p).map_err(|e| PoolError::Compile(e.to_string()))?;
    Ok(p)
}

impl Pool {
    pub fn builder() -> PoolBuilder {
        PoolBuilder::default()
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    /// Number of workers.
    pub fn workers(&self) -> usize {
        self.inner.shared.size()
    }

    fn make(&self, job: Job, pinned: Option<usize>) -> Result<Arc<Slot>, PoolError> {
        let work = match job.kind {
            JobKind::Code(src) => Work::Chunk(compile(&src, "=execute")?),
            JobKind::Call(name, args) => Work::Global {
                name: Arc::from(name.as_str()),
                args: Packet::from_data(&args).map_err(PoolError::Transfer)?,
            },
        };
        Ok(Slot::new(
            work,
            Arc::downgrade(&self.inner.shared),
            pinned,
            job.timeout,
        ))
    }

    fn check_open(&self) -> Result<(), PoolError> {
        if self.inner.shared.shutdown.load(Ordering::SeqCst) {
            Err(PoolError::ShutDown)
        } else {
            Ok(())
        }
    }

    /// Submit a task (blocks while the queue is at its bound).
    pub fn submit(&self, job: Job) -> Result<TaskHandle, PoolError> {
        self.check_open()?;
        let slot = self.make(job, None)?;
        self.inner.shared.wait_for_space();
        self.check_open()?;
        self.inner.shared.push_injector(slot.clone());
        Ok(TaskHandle { slot })
    }

    /// Submit a task unless the queue is at its bound.
    pub fn try_submit(&self, job: Job) -> Result<TaskHandle, PoolError> {
        self.check_open()?;
        if self.inner.shared.is_full() {
            return Err(PoolError::Full);
        }
        let slot = self.make(job, None)?;
        self.inner.shared.push_injector(slot.clone());
        Ok(TaskHandle { slot })
    }

    /// Submit several tasks; all are checked (compiled, converted) before any is queued.
    pub fn submit_batch(&self, jobs: Vec<Job>) -> Result<Vec<TaskHandle>, PoolError> {
        self.check_open()?;
        let slots = jobs
            .into_iter()
            .map(|j| self.make(j, None))
            .collect::<Result<Vec<_>, _>>()?;
        for s in &slots {
            self.inner.shared.wait_for_space();
            self.inner.shared.push_injector(s.clone());
        }
        Ok(slots.into_iter().map(|slot| TaskHandle { slot }).collect())
    }

    /// Run a chunk of Lua code on some worker.
    pub fn execute(&self, code: &str) -> Result<TaskHandle, PoolError> {
        self.submit(Job::code(code))
    }

    /// Call the global function `function` on some worker.
    pub fn call(&self, function: &str, args: Vec<Data>) -> Result<TaskHandle, PoolError> {
        self.submit(Job::call(function, args))
    }

    /// Run `code` once on every worker (e.g. to define globals); one handle per worker.
    pub fn broadcast(&self, code: &str) -> Result<Vec<TaskHandle>, PoolError> {
        self.check_open()?;
        let p = compile(code, "=broadcast")?;
        let mut out = Vec::with_capacity(self.workers());
        for w in 0..self.workers() {
            let slot = Slot::new(
                Work::Chunk(p.clone()),
                Arc::downgrade(&self.inner.shared),
                Some(w),
                None,
            );
            self.inner.shared.push_pinned(w, slot.clone());
            out.push(TaskHandle { slot });
        }
        Ok(out)
    }

    /// A snapshot of the counters.
    pub fn metrics(&self) -> Metrics {
        self.inner.shared.metrics()
    }

    /// Stop the pool: queued tasks are cancelled, running ones interrupted, and the
    /// worker threads joined (unless called from one of them).
    pub fn shutdown(&self) {
        self.inner.shared.stop();
        let me = std::thread::current().id();
        let threads: Vec<JoinHandle<()>> = std::mem::take(&mut *lock(&self.inner.threads));
        for h in threads {
            if h.thread().id() != me {
                let _ = h.join();
            }
        }
    }
}

// ---- the default pool (the Lua `workers` library's) ----------------------------------

static DEFAULT_WORKERS: AtomicUsize = AtomicUsize::new(0);
static DEFAULT_INIT: Mutex<Vec<Arc<InitFn>>> = Mutex::new(Vec::new());
static DEFAULT: OnceLock<Result<Pool, String>> = OnceLock::new();

/// Set the size of the default pool (before it starts; `luavm --workers N`).
pub fn set_default_workers(n: usize) {
    DEFAULT_WORKERS.store(n.clamp(1, 1024), Ordering::SeqCst);
}

/// Add an init callback to the default pool's workers (before it starts).
pub fn add_default_init(f: impl Fn(&mut State) -> LuaResult<()> + Send + Sync + 'static) {
    lock(&DEFAULT_INIT).push(Arc::new(f));
}

/// Add an embedding-API init callback to the default pool's workers (before it starts;
/// see [`PoolBuilder::init_lua`]).
pub fn add_default_init_lua(
    f: impl Fn(&mut Lua<'_>) -> luavm_vm::embed::Result<()> + Send + Sync + 'static,
) {
    add_default_init(move |s| lua_init(s, &f));
}

/// The number of workers the default pool has or will have.
pub fn default_workers() -> usize {
    match DEFAULT.get() {
        Some(Ok(p)) => p.workers(),
        _ => match DEFAULT_WORKERS.load(Ordering::SeqCst) {
            0 => default_parallelism(),
            n => n,
        },
    }
}

/// The default pool, started on first use.
pub fn default_pool() -> Result<Pool, String> {
    DEFAULT
        .get_or_init(|| {
            let mut b = Pool::builder().workers(default_workers());
            for f in lock(&DEFAULT_INIT).iter() {
                b = b.init_shared(f.clone());
            }
            b.build().map_err(|e| e.to_string())
        })
        .clone()
}
