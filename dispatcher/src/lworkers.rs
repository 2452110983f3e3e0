//! The Lua `workers` library, in the main VM and in every worker VM.
//!
//! - gma2 compatibility: `RunSync{tasks={{func=f, args={...}}, ...}}` (alias `Dispatch`),
//!   `RunAsync{tasks=..., onComplete=function(response) end}`, an optional `mode` ignored;
//!   the response is `{duration=, workerCount=, jobId=, result={[i]={success=, data=,
//!   values=, time=, status=, traceback=}}}`.
//! - idiomatic: `map(f, list [, opts])`, `spawn(f, ...)` and `submit{func=, args=,
//!   timeout=}` → task handle (`:join()`, `:cancel()`, `:status()`), `count()`,
//!   `current()`, `wait()`, `metrics()`.
//! - VMsDispatcher compatibility: `Dispatcher.new(n, init)`, `bind(name, handler)`,
//!   `d:Dispatch(name, ...)`, `d:Tasks(i)`, `d:Close()`.
//!
//! Every function is a Rust closure whose upvalue 1 is the VM's context userdata
//! (`Ctx`): which pool it submits to (the default pool, started on first use, or the
//! worker's own pool), the pending `RunAsync` batches and the wait request a task leaves
//! for its worker loop when it yields. Waiting (`join`, `map`, `RunSync`, `wait`) goes
//! through [`wait_then`]: a task running directly on a worker yields to the loop; other
//! callers block (a worker thread helps meanwhile, see `worker.rs`).
//!
//! Invariants:
//! - `RunAsync` callbacks run only at safe points of the submitting VM: at the start of a
//!   `workers` function, in `workers.wait()`, after a task on a worker, and at the end of a
//!   `luavm` script ([`pending_wait`]);
//! - no `Ctx` borrow is held while Lua code runs.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use luavm_vm::thread::Status;
use luavm_vm::{ContFn, Gc, LuaResult, State, Table, Value, MULTRET};

use crate::pool::{default_pool, default_workers, Pool, Shared};
use crate::task::{Outcome, Slot, Work};
use crate::transfer::{self, register_transferable, ExportOptions, Packet, ProtoCache};
use crate::worker::{error_text, WorkerRt};

const CTX_KEY: &str = "luavm.workers.ctx";
const TASK_MT: &str = "luavm.workers.task";
const DISPATCHER_MT: &str = "luavm.workers.Dispatcher";
const HANDLERS_KEY: &str = "luavm.workers.handlers";
const CALLBACKS_KEY: &str = "luavm.workers.callbacks";
const WAIT_KEY: &str = "luavm.workers.wait";
const FLUSH_KEY: &str = "luavm.workers.flush";

/// Which pool a VM's `workers` functions use.
pub(crate) enum Link {
    /// The main (or an embedder's) VM: a given pool, or the default one once started.
    Main(Option<Pool>),
    /// A worker VM: its own pool (tasks spawned here go to the worker's deque).
    Worker(Rc<WorkerRt>),
}

struct AsyncBatch {
    job_id: String,
    slots: Vec<Arc<Slot>>,
    started: Instant,
    callback: i64,
}

/// The per-VM state of the library.
pub(crate) struct Ctx {
    pub(crate) link: Link,
    pub(crate) protos: ProtoCache,
    /// Set by a task before it yields to its worker: the slots it waits for.
    pub(crate) wait: Option<Vec<Arc<Slot>>>,
    /// Address of the coroutine of the task being resumed on this VM (0: none).
    pub(crate) current_task: usize,
    pending: Vec<AsyncBatch>,
    next_callback: i64,
}

/// A task handle's data (transferable: a handle may be passed to another task).
#[derive(Clone)]
pub(crate) struct TaskRef(pub(crate) Arc<Slot>);

struct DispatcherRef {
    pool: RefCell<Option<Pool>>,
    rr: Cell<usize>,
}

/// What a waiting function needs again when its wait is over.
struct WaitState {
    slots: Vec<Arc<Slot>>,
    started: Instant,
    job_id: String,
}

static NEXT_JOB: AtomicU64 = AtomicU64::new(1);

type Funcs = &'static [(&'static str, luavm_vm::NativeFn)];

const FUNCS: Funcs = &[
    ("RunAsync", run_async),
    ("RunSync", run_sync),
    ("bind", bind),
    ("count", count),
    ("current", current),
    ("map", map),
    ("metrics", metrics),
    ("spawn", spawn),
    ("submit", submit),
    ("wait", wait),
];

const TASK_METHODS: Funcs = &[
    ("cancel", task_cancel),
    ("join", task_join),
    ("status", task_status),
];

const DISPATCHER_METHODS: Funcs = &[
    ("Close", dispatcher_close),
    ("Dispatch", dispatcher_dispatch),
    ("Tasks", dispatcher_tasks),
];

/// Install `workers` into the main VM `s`: it uses the default pool, started on first
/// use (size: `set_default_workers`, else the available cores).
pub fn open(s: &mut State) {
    install(s, Link::Main(None));
}

/// Install `workers` into `s`, submitting to `pool`.
pub fn open_with_pool(s: &mut State, pool: Pool) {
    install(s, Link::Main(Some(pool)));
}

pub(crate) fn open_worker(s: &mut State, wrt: Rc<WorkerRt>) -> Rc<RefCell<Ctx>> {
    install(s, Link::Worker(wrt))
}

fn install(s: &mut State, link: Link) -> Rc<RefCell<Ctx>> {
    register_transferable::<TaskRef>(TASK_MT);
    let ctx = Rc::new(RefCell::new(Ctx {
        link,
        protos: ProtoCache::default(),
        wait: None,
        current_task: 0,
        pending: Vec::new(),
        next_callback: 1,
    }));
    let ud = s.new_userdata(Box::new(ctx.clone()), None);
    let reg = s.registry();
    let k = s.str_value(CTX_KEY.as_bytes());
    s.raw_set(reg, k, Value::UserData(ud));
    let up = Value::UserData(ud);
    let lib = luavm_stdlib::open_lib(s, "workers", &[]);
    fill(s, lib, FUNCS, up);
    let run_sync_fn = s.raw_get_str(lib, "RunSync");
    s.raw_set_str(lib, "Dispatch", run_sync_fn);
    let disp = s.new_table();
    let new = s.new_native_closure(dispatcher_new, "new", vec![up]);
    s.raw_set_str(disp, "new", new);
    s.raw_set_str(lib, "Dispatcher", Value::Table(disp));
    make_metatable(
        s,
        TASK_MT,
        "workers.task",
        TASK_METHODS,
        up,
        Some(task_tostring),
    );
    make_metatable(
        s,
        DISPATCHER_MT,
        "workers.Dispatcher",
        DISPATCHER_METHODS,
        up,
        None,
    );
    let w = s.raw_get_str(lib, "wait");
    s.raw_set_str(reg, WAIT_KEY, w);
    let f = s.new_native_closure(flush_native, "flush", vec![up]);
    s.raw_set_str(reg, FLUSH_KEY, f);
    ctx
}

fn fill(s: &mut State, t: Gc<Table>, funcs: Funcs, up: Value) {
    for (name, f) in funcs {
        let c = s.new_native_closure(*f, name, vec![up]);
        s.raw_set_str(t, name, c);
    }
}

fn make_metatable(
    s: &mut State,
    key: &str,
    name: &str,
    methods: Funcs,
    up: Value,
    tostring: Option<luavm_vm::NativeFn>,
) {
    let mt = s.new_table();
    let idx = s.new_table();
    fill(s, idx, methods, up);
    s.raw_set_str(mt, "__index", Value::Table(idx));
    let n = s.str_value(name.as_bytes());
    s.raw_set_str(mt, "__name", n);
    if let Some(f) = tostring {
        s.raw_set_str(mt, "__tostring", Value::NativeFn(f));
    }
    let reg = s.registry();
    s.raw_set_str(reg, key, Value::Table(mt));
}

trait RawGet {
    fn raw_get_str(&mut self, t: Gc<Table>, k: &str) -> Value;
}
impl RawGet for State {
    fn raw_get_str(&mut self, t: Gc<Table>, k: &str) -> Value {
        let k = self.new_str(k.as_bytes());
        t.get_str(k)
    }
}

fn registry_table(s: &mut State, key: &str) -> Gc<Table> {
    let reg = s.registry();
    match s.raw_get_str(reg, key) {
        Value::Table(t) => t,
        _ => {
            let t = s.new_table();
            s.raw_set_str(reg, key, Value::Table(t));
            t
        }
    }
}

fn ctx_from(v: Value) -> Option<Rc<RefCell<Ctx>>> {
    match v {
        Value::UserData(u) => u
            .data
            .try_borrow()
            .ok()?
            .downcast_ref::<Rc<RefCell<Ctx>>>()
            .cloned(),
        _ => None,
    }
}

fn ctx(s: &mut State) -> LuaResult<Rc<RefCell<Ctx>>> {
    match ctx_from(s.native_upvalue(0)) {
        Some(c) => Ok(c),
        None => Err(s.lib_error("workers: library context missing")),
    }
}

fn ctx_of_state(s: &mut State) -> Option<Rc<RefCell<Ctx>>> {
    let reg = s.registry();
    let v = s.raw_get_str(reg, CTX_KEY);
    ctx_from(v)
}

/// The pool `ctx` submits to (starting the default pool on first use).
fn shared(s: &mut State, ctx: &Rc<RefCell<Ctx>>) -> LuaResult<Arc<Shared>> {
    let r = {
        let mut c = ctx.borrow_mut();
        match &mut c.link {
            Link::Worker(w) => Ok(w.shared.clone()),
            Link::Main(Some(p)) => Ok(p.shared().clone()),
            Link::Main(slot @ None) => match default_pool() {
                Ok(p) => {
                    let sh = p.shared().clone();
                    *slot = Some(p);
                    Ok(sh)
                }
                Err(m) => Err(m),
            },
        }
    };
    r.map_err(|m| s.lib_error(&format!("cannot start workers: {m}")))
}

/// Queue `slot` (from a worker of the same pool: on its own deque). Submitted by a task,
/// it becomes that task's child: stopping the task cancels it.
fn submit_slot(ctx: &Rc<RefCell<Ctx>>, shared: &Arc<Shared>, slot: Arc<Slot>) {
    let (local, parent) = match &ctx.borrow().link {
        Link::Worker(w) => (
            Arc::ptr_eq(&w.shared, shared).then(|| w.clone()),
            w.current_slot(),
        ),
        Link::Main(_) => (None, None),
    };
    match local {
        Some(w) => w.push_local(slot.clone()),
        None => {
            shared.wait_for_space();
            shared.push_injector(slot.clone());
        }
    }
    // (after the push: a child cancelled here is counted as queued first)
    if parent.is_some_and(|p| !p.add_child(&slot)) {
        slot.cancel();
    }
}

fn export(s: &mut State, vals: &[Value], labels: &dyn Fn(usize) -> String) -> LuaResult<Packet> {
    export_with(s, vals, labels, false)
}

fn export_with(
    s: &mut State,
    vals: &[Value],
    labels: &dyn Fn(usize) -> String,
    metatables: bool,
) -> LuaResult<Packet> {
    let opts = ExportOptions {
        metatables,
        ..ExportOptions::default()
    };
    match transfer::export(s, vals, labels, opts) {
        Ok(p) => Ok(p),
        Err(m) => Err(s.lib_error(&m)),
    }
}

fn seconds(v: Value) -> Option<Duration> {
    let f = match v {
        Value::Int(i) => i as f64,
        Value::Num(f) => f,
        _ => return None,
    };
    (f.is_finite() && f >= 0.0).then(|| Duration::from_secs_f64(f.min(1e9)))
}

fn push_task(s: &mut State, slot: Arc<Slot>) {
    let reg = s.registry();
    let mt = match s.raw_get_str(reg, TASK_MT) {
        Value::Table(t) => Some(t),
        _ => None,
    };
    let ud = s.new_userdata(Box::new(TaskRef(slot)), mt);
    s.push(Value::UserData(ud));
}

fn check_task(s: &mut State, n: usize) -> LuaResult<Arc<Slot>> {
    if let Value::UserData(u) = s.arg(n) {
        if let Ok(d) = u.data.try_borrow() {
            if let Some(t) = d.downcast_ref::<TaskRef>() {
                return Ok(t.0.clone());
            }
        }
    }
    Err(s.arg_type_error(n, "workers.task"))
}

// ---- safe points: RunAsync callbacks -------------------------------------------------

fn callbacks_table(s: &mut State) -> Gc<Table> {
    registry_table(s, CALLBACKS_KEY)
}

/// Run the callbacks of the `RunAsync` batches that have finished, in submission order.
fn run_ready_callbacks(s: &mut State, ctx: &Rc<RefCell<Ctx>>) -> LuaResult<()> {
    loop {
        let batch = {
            let mut c = ctx.borrow_mut();
            match c
                .pending
                .iter()
                .position(|b| b.slots.iter().all(|x| x.is_done()))
            {
                Some(i) => c.pending.remove(i),
                None => return Ok(()),
            }
        };
        let resp = build_response(s, ctx, &batch.slots, batch.started, &batch.job_id);
        let cbs = callbacks_table(s);
        let cb = cbs.get_int(batch.callback);
        s.raw_set_int(cbs, batch.callback, Value::Nil);
        s.call_value(cb, &[Value::Table(resp)], 0)?;
    }
}

fn flush_native(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    Ok(0)
}

/// After a task on a worker: run the worker VM's finished `RunAsync` callbacks
/// (protected; an error is reported on stderr).
pub(crate) fn flush_callbacks(s: &mut State, c: &Rc<RefCell<Ctx>>) {
    let ready = {
        let c = c.borrow();
        !c.pending.is_empty()
            && c.pending
                .iter()
                .any(|b| b.slots.iter().all(|x| x.is_done()))
    };
    if !ready {
        return;
    }
    let reg = s.registry();
    let f = s.raw_get_str(reg, FLUSH_KEY);
    let base = s.top();
    s.push(f);
    if s.pcall(base, 0, 0).is_err() {
        let e = s.error_value();
        let m = error_text(s, e);
        eprintln!("luavm: error in RunAsync callback on a worker: {m}");
    }
    s.set_top(base);
}

/// The `workers.wait` function if `s` has `RunAsync` batches whose callbacks have not run
/// (the `luavm` binary calls it at the end of a script).
pub fn pending_wait(s: &mut State) -> Option<Value> {
    let c = ctx_of_state(s)?;
    if c.borrow().pending.is_empty() {
        return None;
    }
    let reg = s.registry();
    let w = s.raw_get_str(reg, WAIT_KEY);
    w.is_function().then_some(w)
}

// ---- waiting ---------------------------------------------------------------------------

fn yield_to_worker(s: &mut State) -> LuaResult<usize> {
    Err(s.yield_now())
}

/// Wait until every slot of `st` is done, then run `k` (which finds `st` at argument
/// `ctx`). A task running directly on a worker yields to the worker loop; anything else
/// blocks (helping, on a worker).
fn wait_then(s: &mut State, ctx: &Rc<RefCell<Ctx>>, st: WaitState, k: ContFn) -> LuaResult<usize> {
    let worker = match &ctx.borrow().link {
        Link::Worker(w) => Some(w.clone()),
        Link::Main(_) => None,
    };
    let Some(w) = worker.filter(|_| !st.slots.iter().all(|x| x.is_done())) else {
        // the main VM blocks (nothing runs on it meanwhile)
        for x in &st.slots {
            x.wait();
        }
        let ud = s.new_userdata(Box::new(st), None);
        s.push(Value::UserData(ud));
        let idx = s.nargs();
        return k(s, Status::Ok, idx);
    };
    let slots = st.slots.clone();
    let ud = s.new_userdata(Box::new(st), None);
    s.push(Value::UserData(ud));
    let idx = s.nargs();
    let direct = s.is_yieldable() && s.current_thread().addr() == ctx.borrow().current_task;
    if direct {
        ctx.borrow_mut().wait = Some(slots);
        let f = s.top();
        s.push(Value::NativeFn(yield_to_worker));
        return s.call_k(f, MULTRET, idx, k, None);
    }
    if !w.block_on(s, &slots) {
        // the waiting task was stopped: an abort, which `pcall` does not catch
        return Err(s.abort(luavm_vm::limits::Abort::Interrupted));
    }
    k(s, Status::Ok, idx)
}

/// What a waiting function left at argument `idx` (taken: each continuation runs once).
fn wait_state(s: &mut State, idx: usize) -> LuaResult<(Vec<Arc<Slot>>, Instant, String)> {
    if let Value::UserData(u) = s.arg(idx) {
        if let Ok(mut d) = u.data.try_borrow_mut() {
            if let Some(w) = d.downcast_mut::<WaitState>() {
                let slots = std::mem::take(&mut w.slots);
                return Ok((slots, w.started, std::mem::take(&mut w.job_id)));
            }
        }
    }
    Err(s.lib_error("workers: wait state lost"))
}

/// Push the values of a finished task, or raise its error.
fn push_outcome(s: &mut State, ctx: &Rc<RefCell<Ctx>>, slot: &Slot) -> LuaResult<usize> {
    let Some(o) = slot.outcome() else {
        return Err(s.lib_error("workers: task not finished"));
    };
    match &*o {
        Outcome::Values(p) => {
            let r = {
                let mut c = ctx.borrow_mut();
                p.import(s, &mut c.protos)
            };
            match r {
                Ok(n) => Ok(n),
                Err(_) => {
                    let e = s.error_value();
                    Err(s.error(e))
                }
            }
        }
        Outcome::Error { value, message, .. } => {
            let v = error_value(s, ctx, value, message);
            Err(s.error(v))
        }
        other => {
            let m = other.message().unwrap_or_default();
            let v = s.str_value(m.as_bytes());
            Err(s.error(v))
        }
    }
}

/// The error value of a failed task (its copy, or its message).
fn error_value(s: &mut State, ctx: &Rc<RefCell<Ctx>>, value: &Packet, message: &str) -> Value {
    if value.len() == 1 {
        let base = s.top();
        let r = {
            let mut c = ctx.borrow_mut();
            value.import(s, &mut c.protos)
        };
        if r.is_ok() && s.top() > base {
            let v = s.stack_at(base);
            s.set_top(base);
            return v;
        }
        s.set_top(base);
    }
    s.str_value(message.as_bytes())
}

// ---- the library functions -------------------------------------------------------------

fn count(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let n = match &c.borrow().link {
        Link::Worker(w) => w.shared.size(),
        Link::Main(Some(p)) => p.workers(),
        Link::Main(None) => default_workers(),
    };
    s.push(Value::Int(n as i64));
    Ok(1)
}

fn current(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    let v = match &c.borrow().link {
        Link::Worker(w) => Value::Int(w.index as i64 + 1),
        Link::Main(_) => Value::Nil,
    };
    s.push(v);
    Ok(1)
}

fn spawn(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    s.check_function(1)?;
    let n = s.nargs();
    let vals: Vec<Value> = (1..=n).map(|i| s.arg(i)).collect();
    let p = export(s, &vals, &|i| {
        if i == 0 {
            String::new()
        } else {
            format!("argument #{}", i + 1)
        }
    })?;
    let sh = shared(s, &c)?;
    let slot = Slot::new(
        Work::Call {
            func: Arc::new(p),
            args: None,
        },
        Arc::downgrade(&sh),
        None,
        None,
    );
    luavm_stdlib::lio_stream::flush_stdout();
    submit_slot(&c, &sh, slot.clone());
    push_task(s, slot);
    Ok(1)
}

/// One `{func=, args=, timeout=}` entry: its packet and its own timeout.
fn task_entry(s: &mut State, entry: Value, label: &str, metatables: bool) -> LuaResult<TaskEntry> {
    let Value::Table(t) = entry else {
        return Err(s.lib_error(&format!("{label} must be a table")));
    };
    let func = s.raw_get_str(t, "func");
    if !func.is_function() {
        return Err(s.lib_error(&format!("{label}.func must be a function")));
    }
    let mut vals = vec![func];
    match s.raw_get_str(t, "args") {
        Value::Nil => {}
        Value::Table(a) => {
            let n = a.len().max(0);
            for j in 1..=n {
                vals.push(a.get_int(j));
            }
        }
        _ => return Err(s.lib_error(&format!("{label}.args must be a table"))),
    }
    let timeout = seconds(s.raw_get_str(t, "timeout"));
    let metatables = metatables || truthy_field(s, t, "metatables");
    let labels = |i: usize| {
        if i == 0 {
            format!("{label}.func")
        } else {
            format!("{label}.args[{i}]")
        }
    };
    let packet = export_with(s, &vals, &labels, metatables)?;
    Ok(TaskEntry {
        packet,
        timeout,
        metatables,
    })
}

fn submit(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    s.check_table(1)?;
    let entry = s.arg(1);
    let e = task_entry(s, entry, "argument #1", false)?;
    let sh = shared(s, &c)?;
    let slot = Slot::new(
        Work::Call {
            func: Arc::new(e.packet),
            args: None,
        },
        Arc::downgrade(&sh),
        None,
        e.timeout,
    );
    slot.metatables.store(e.metatables, Ordering::Relaxed);
    luavm_stdlib::lio_stream::flush_stdout();
    submit_slot(&c, &sh, slot.clone());
    push_task(s, slot);
    Ok(1)
}

fn map(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let f = s.check_function(1)?;
    let list = s.check_table(2)?;
    let (batch_timeout, task_timeout, metatables) = match s.arg(3) {
        Value::Nil => (None, None, false),
        Value::Table(o) => (
            seconds(s.raw_get_str(o, "timeout")),
            seconds(s.raw_get_str(o, "taskTimeout")),
            truthy_field(s, o, "metatables"),
        ),
        _ => return Err(s.arg_type_error(3, "table")),
    };
    let fp = Arc::new(export_with(s, &[f], &|_| String::new(), metatables)?);
    let sh = shared(s, &c)?;
    let pool = Arc::downgrade(&sh);
    let n = list.len().max(0);
    // every element is copied (and its task made) before any task is queued
    let mut slots = Vec::with_capacity(n as usize);
    for i in 1..=n {
        let v = list.get_int(i);
        let args = export_with(s, &[v], &|_| format!("argument #2[{i}]"), metatables)?;
        let slot = Slot::new(
            Work::Call {
                func: fp.clone(),
                args: Some(args),
            },
            pool.clone(),
            None,
            task_timeout,
        );
        slot.metatables.store(metatables, Ordering::Relaxed);
        slots.push(slot);
    }
    submit_all(&c, &sh, &slots, batch_timeout);
    let st = WaitState {
        slots,
        started: Instant::now(),
        job_id: String::new(),
    };
    wait_then(s, &c, st, map_k)
}

fn submit_all(
    ctx: &Rc<RefCell<Ctx>>,
    sh: &Arc<Shared>,
    slots: &[Arc<Slot>],
    batch_timeout: Option<Duration>,
) {
    luavm_stdlib::lio_stream::flush_stdout();
    let deadline = batch_timeout.map(|t| Instant::now() + t);
    for x in slots {
        if let Some(d) = deadline {
            crate::timer::schedule(d, x);
        }
        submit_slot(ctx, sh, x.clone());
    }
}

fn map_k(s: &mut State, _: Status, idx: usize) -> LuaResult<usize> {
    let c = ctx(s)?;
    let (slots, _, _) = wait_state(s, idx)?;
    let results = s.new_table_with(slots.len(), 0);
    for (i, x) in slots.iter().enumerate() {
        let base = s.top();
        let n = push_outcome(s, &c, x)?;
        let v = if n > 0 { s.stack_at(base) } else { Value::Nil };
        s.set_top(base);
        s.raw_set_int(results, i as i64 + 1, v);
    }
    s.push(Value::Table(results));
    Ok(1)
}

/// A task of a batch: its packet (function and arguments), its own timeout, and whether
/// metatables travel with its arguments and results.
struct TaskEntry {
    packet: Packet,
    timeout: Option<Duration>,
    metatables: bool,
}

fn truthy_field(s: &mut State, t: Gc<Table>, k: &str) -> bool {
    s.raw_get_str(t, k).truthy()
}

/// Parse a gma2 config: the packets of its tasks, their timeouts, the batch timeout.
fn parse_batch(
    s: &mut State,
    fname: &str,
) -> LuaResult<(Gc<Table>, Vec<TaskEntry>, Option<Duration>)> {
    let config = s.check_table(1)?;
    let Value::Table(tasks) = s.raw_get_str(config, "tasks") else {
        return Err(s.arg_error(1, &format!("field 'tasks' of '{fname}' must be a table")));
    };
    let task_timeout = seconds(s.raw_get_str(config, "taskTimeout"));
    let batch_timeout = seconds(s.raw_get_str(config, "timeout"));
    let metatables = truthy_field(s, config, "metatables");
    let n = tasks.len().max(0);
    let mut out = Vec::with_capacity(n as usize);
    for i in 1..=n {
        let e = tasks.get_int(i);
        let mut entry = task_entry(s, e, &format!("tasks[{i}]"), metatables)?;
        entry.timeout = entry.timeout.or(task_timeout);
        out.push(entry);
    }
    Ok((config, out, batch_timeout))
}

fn submit_batch(
    s: &mut State,
    c: &Rc<RefCell<Ctx>>,
    entries: Vec<TaskEntry>,
    batch_timeout: Option<Duration>,
) -> LuaResult<Vec<Arc<Slot>>> {
    let sh = shared(s, c)?;
    let slots: Vec<Arc<Slot>> = entries
        .into_iter()
        .map(|e| {
            let slot = Slot::new(
                Work::Call {
                    func: Arc::new(e.packet),
                    args: None,
                },
                Arc::downgrade(&sh),
                None,
                e.timeout,
            );
            slot.metatables.store(e.metatables, Ordering::Relaxed);
            slot
        })
        .collect();
    submit_all(c, &sh, &slots, batch_timeout);
    Ok(slots)
}

fn new_job_id() -> String {
    format!("Job_{}", NEXT_JOB.fetch_add(1, Ordering::Relaxed))
}

fn run_sync(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let (_, entries, batch_timeout) = parse_batch(s, "RunSync")?;
    let started = Instant::now();
    let slots = submit_batch(s, &c, entries, batch_timeout)?;
    let st = WaitState {
        slots,
        started,
        job_id: new_job_id(),
    };
    wait_then(s, &c, st, run_sync_k)
}

fn run_sync_k(s: &mut State, _: Status, idx: usize) -> LuaResult<usize> {
    let c = ctx(s)?;
    let (slots, started, job_id) = wait_state(s, idx)?;
    let resp = build_response(s, &c, &slots, started, &job_id);
    s.push(Value::Table(resp));
    Ok(1)
}

fn run_async(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let (config, entries, batch_timeout) = parse_batch(s, "RunAsync")?;
    let cb = s.raw_get_str(config, "onComplete");
    if !cb.is_function() {
        return Err(s.arg_error(1, "field 'onComplete' of 'RunAsync' must be a function"));
    }
    let started = Instant::now();
    let slots = submit_batch(s, &c, entries, batch_timeout)?;
    let job_id = new_job_id();
    let key = {
        let mut cm = c.borrow_mut();
        let k = cm.next_callback;
        cm.next_callback += 1;
        k
    };
    let cbs = callbacks_table(s);
    s.raw_set_int(cbs, key, cb);
    c.borrow_mut().pending.push(AsyncBatch {
        job_id: job_id.clone(),
        slots,
        started,
        callback: key,
    });
    s.push_str(job_id.as_bytes());
    Ok(1)
}

fn wait(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    wait_pending(s, &c)
}

fn wait_pending(s: &mut State, c: &Rc<RefCell<Ctx>>) -> LuaResult<usize> {
    let slots: Vec<Arc<Slot>> = c
        .borrow()
        .pending
        .iter()
        .flat_map(|b| b.slots.iter().cloned())
        .collect();
    if slots.is_empty() {
        return Ok(0);
    }
    let st = WaitState {
        slots,
        started: Instant::now(),
        job_id: String::new(),
    };
    wait_then(s, c, st, wait_k)
}

fn wait_k(s: &mut State, _: Status, _: usize) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    // callbacks may have started more batches
    wait_pending(s, &c)
}

/// The gma2 response table of a finished batch.
fn build_response(
    s: &mut State,
    c: &Rc<RefCell<Ctx>>,
    slots: &[Arc<Slot>],
    started: Instant,
    job_id: &str,
) -> Gc<Table> {
    let resp = s.new_table();
    let end = slots
        .iter()
        .filter_map(|x| x.finished_at())
        .max()
        .unwrap_or(started);
    let duration = end.saturating_duration_since(started).as_secs_f64();
    let workers: HashSet<usize> = slots.iter().filter_map(|x| x.worker()).collect();
    s.raw_set_str(resp, "duration", Value::Num(duration));
    s.raw_set_str(resp, "workerCount", Value::Int(workers.len() as i64));
    let id = s.str_value(job_id.as_bytes());
    s.raw_set_str(resp, "jobId", id);
    let result = s.new_table_with(slots.len(), 0);
    s.raw_set_str(resp, "result", Value::Table(result));
    for (i, x) in slots.iter().enumerate() {
        let entry = s.new_table();
        s.raw_set_int(result, i as i64 + 1, Value::Table(entry));
        let outcome = x.outcome();
        let values = s.new_table();
        let status = x.status().as_str();
        let st = s.str_value(status.as_bytes());
        s.raw_set_str(entry, "status", st);
        s.raw_set_str(entry, "time", Value::Num(x.run_time().as_secs_f64()));
        s.raw_set_str(entry, "values", Value::Table(values));
        match outcome.as_deref() {
            Some(Outcome::Values(p)) => {
                let base = s.top();
                let r = {
                    let mut cm = c.borrow_mut();
                    p.import(s, &mut cm.protos)
                };
                match r {
                    Ok(n) => {
                        for j in 0..n {
                            let v = s.stack_at(base + j);
                            s.raw_set_int(values, j as i64 + 1, v);
                        }
                        let first = if n > 0 { s.stack_at(base) } else { Value::Nil };
                        s.raw_set_str(entry, "success", Value::Bool(true));
                        s.raw_set_str(entry, "data", first);
                    }
                    Err(_) => {
                        let e = s.error_value();
                        s.raw_set_str(entry, "success", Value::Bool(false));
                        s.raw_set_str(entry, "data", e);
                    }
                }
                s.set_top(base);
            }
            Some(Outcome::Error {
                value,
                message,
                traceback,
            }) => {
                let v = error_value(s, c, value, message);
                s.raw_set_str(entry, "success", Value::Bool(false));
                s.raw_set_str(entry, "data", v);
                let tb = s.str_value(traceback.as_bytes());
                s.raw_set_str(entry, "traceback", tb);
            }
            Some(other) => {
                let m = other.message().unwrap_or_default();
                let v = s.str_value(m.as_bytes());
                s.raw_set_str(entry, "success", Value::Bool(false));
                s.raw_set_str(entry, "data", v);
            }
            None => {
                s.raw_set_str(entry, "success", Value::Bool(false));
            }
        }
    }
    resp
}

fn metrics(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let sh = shared(s, &c)?;
    let m = sh.metrics();
    let t = s.new_table();
    s.raw_set_str(t, "workers", Value::Int(m.workers as i64));
    s.raw_set_str(t, "queued", Value::Int(m.queued as i64));
    s.raw_set_str(t, "running", Value::Int(m.running as i64));
    s.raw_set_str(t, "completed", Value::Int(m.completed as i64));
    s.raw_set_str(t, "stolen", Value::Int(m.stolen as i64));
    let load = s.new_table();
    for (i, l) in m.load.iter().enumerate() {
        s.raw_set_int(load, i as i64 + 1, Value::Int(*l as i64));
    }
    s.raw_set_str(t, "load", Value::Table(load));
    s.push(Value::Table(t));
    Ok(1)
}

// ---- task handles ---------------------------------------------------------------------

fn task_join(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let slot = check_task(s, 1)?;
    let st = WaitState {
        slots: vec![slot],
        started: Instant::now(),
        job_id: String::new(),
    };
    wait_then(s, &c, st, join_k)
}

fn join_k(s: &mut State, _: Status, idx: usize) -> LuaResult<usize> {
    let c = ctx(s)?;
    let (slots, _, _) = wait_state(s, idx)?;
    match slots.first() {
        Some(x) => push_outcome(s, &c, x),
        None => Ok(0),
    }
}

fn task_cancel(s: &mut State) -> LuaResult<usize> {
    let slot = check_task(s, 1)?;
    let r = slot.cancel();
    s.push(Value::Bool(r));
    Ok(1)
}

fn task_status(s: &mut State) -> LuaResult<usize> {
    let slot = check_task(s, 1)?;
    let st = slot.status().as_str();
    s.push_str(st.as_bytes());
    Ok(1)
}

fn task_tostring(s: &mut State) -> LuaResult<usize> {
    let slot = check_task(s, 1)?;
    let t = format!("workers.task {} ({})", slot.id, slot.status().as_str());
    s.push_str(t.as_bytes());
    Ok(1)
}

// ---- VMsDispatcher ------------------------------------------------------------------------

/// How a Dispatcher's workers are initialised.
enum Init {
    None,
    Func(Arc<Packet>),
    Module(String),
}

fn run_init(s: &mut State, init: &Init) -> LuaResult<()> {
    let base = s.top();
    match init {
        Init::None => return Ok(()),
        Init::Func(p) => {
            let c = ctx_of_state(s);
            let r = match &c {
                Some(c) => {
                    let mut cm = c.borrow_mut();
                    p.import(s, &mut cm.protos)
                }
                None => p.import(s, &mut ProtoCache::default()),
            };
            r?;
        }
        Init::Module(name) => {
            let req = s.get_global("require");
            s.push(req);
            s.push_str(name.as_bytes());
        }
    }
    s.call(base, 0)?;
    s.set_top(base);
    Ok(())
}

fn dispatcher_new(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let n = s.check_integer(1)?;
    if !(1..=1024).contains(&n) {
        return Err(s.arg_error(1, "number of workers must be between 1 and 1024"));
    }
    let init = match s.arg(2) {
        Value::Nil => Init::None,
        Value::Str(m) => Init::Module(m.to_str_lossy().into_owned()),
        v if v.is_function() => {
            Init::Func(Arc::new(export(s, &[v], &|_| "argument #2".to_string())?))
        }
        _ => return Err(s.arg_type_error(2, "function or string")),
    };
    let init = Arc::new(init);
    let pool = Pool::builder()
        .workers(n as usize)
        .init(move |s| run_init(s, &init))
        .build();
    let pool = match pool {
        Ok(p) => p,
        Err(e) => return Err(s.lib_error(&e.to_string())),
    };
    let reg = s.registry();
    let mt = match s.raw_get_str(reg, DISPATCHER_MT) {
        Value::Table(t) => Some(t),
        _ => None,
    };
    let d = DispatcherRef {
        pool: RefCell::new(Some(pool)),
        rr: Cell::new(0),
    };
    let ud = s.new_userdata(Box::new(d), mt);
    s.push(Value::UserData(ud));
    Ok(1)
}

fn check_dispatcher(s: &mut State) -> LuaResult<(Pool, usize)> {
    if let Value::UserData(u) = s.arg(1) {
        if let Ok(d) = u.data.try_borrow() {
            if let Some(d) = d.downcast_ref::<DispatcherRef>() {
                let rr = d.rr.get();
                d.rr.set(rr.wrapping_add(1));
                return match &*d.pool.borrow() {
                    Some(p) => Ok((p.clone(), rr)),
                    None => Err(s.lib_error("dispatcher is closed")),
                };
            }
        }
    }
    Err(s.arg_type_error(1, "workers.Dispatcher"))
}

fn dispatcher_dispatch(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let (pool, rr) = check_dispatcher(s)?;
    let name = s.check_string(2)?.to_str_lossy().into_owned();
    let n = s.nargs();
    let vals: Vec<Value> = (3..=n).map(|i| s.arg(i)).collect();
    // method call: `self` is not counted, as `luaL_argerror` does for methods
    let args = export(s, &vals, &|i| format!("argument #{}", i + 2))?;
    let sh = pool.shared().clone();
    let loads: Vec<usize> = sh
        .workers
        .iter()
        .map(|w| w.load.load(Ordering::Relaxed))
        .collect();
    let k = loads.len().max(1);
    let target = (0..k)
        .map(|j| (rr + j) % k)
        .min_by_key(|&w| loads.get(w).copied().unwrap_or(usize::MAX))
        .unwrap_or(0);
    let slot = Slot::new(
        Work::Handler {
            name: Arc::from(name.as_str()),
            args,
        },
        Arc::downgrade(&sh),
        Some(target),
        None,
    );
    luavm_stdlib::lio_stream::flush_stdout();
    sh.push_pinned(target, slot.clone());
    push_task(s, slot);
    Ok(1)
}

fn dispatcher_tasks(s: &mut State) -> LuaResult<usize> {
    let (pool, _) = check_dispatcher(s)?;
    let i = s.check_integer(2)?;
    let sh = pool.shared();
    let Some(w) = usize::try_from(i)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| sh.workers.get(i))
    else {
        return Err(s.arg_error(2, "worker index out of range"));
    };
    s.push(Value::Int(w.load.load(Ordering::Relaxed) as i64));
    Ok(1)
}

fn dispatcher_close(s: &mut State) -> LuaResult<usize> {
    if let Value::UserData(u) = s.arg(1) {
        if let Ok(d) = u.data.try_borrow() {
            if let Some(d) = d.downcast_ref::<DispatcherRef>() {
                let p = d.pool.borrow_mut().take();
                if let Some(p) = p {
                    p.shutdown();
                }
                return Ok(0);
            }
        }
    }
    Err(s.arg_type_error(1, "workers.Dispatcher"))
}

fn bind(s: &mut State) -> LuaResult<usize> {
    let c = ctx(s)?;
    run_ready_callbacks(s, &c)?;
    let name = s.check_string(1)?;
    let h = s.check_function(2)?;
    let t = registry_table(s, HANDLERS_KEY);
    s.raw_set(t, Value::Str(name), h);
    Ok(0)
}

/// The handler bound to `name` in `s` (nil if none).
pub(crate) fn bound_handler(s: &mut State, name: &str) -> Value {
    let t = registry_table(s, HANDLERS_KEY);
    let k = s.str_value(name.as_bytes());
    t.get(k)
}
