//! The coroutine library (manual §6.2): `create`, `resume`, `yield`, `status`, `wrap`,
//! `isyieldable`, `running`, over `State::resume` / `State::yield_now`.
//!
//! `resume` and `wrap` pass a coroutine's *pass-through* yield (an async host function
//! suspending, see `State::is_pass_through_yield`) on to their own resumer with
//! `yield_k`, and resume the same coroutine when they are resumed; they do not catch
//! the errors of an abort (instruction limit, interrupt).

use luavm_vm::{LuaResult, ResumeOutcome, State, Status, Value};

use crate::Lib;

pub const FUNCS: Lib = &[
    ("create", create),
    ("isyieldable", isyieldable),
    ("resume", resume),
    ("running", running),
    ("status", status),
    ("wrap", wrap),
    ("yield", yield_),
];

pub fn open(s: &mut State) {
    crate::open_lib_with(s, "coroutine", FUNCS, 0);
}

fn check_co(s: &mut State, n: usize) -> LuaResult<luavm_vm::Gc<luavm_vm::Thread>> {
    match s.arg(n) {
        Value::Thread(t) => Ok(t),
        _ => Err(s.arg_error(n, "thread expected")),
    }
}

fn create(s: &mut State) -> LuaResult<usize> {
    let f = s.check_function(1)?;
    let t = s.new_thread(f);
    s.push(Value::Thread(t));
    Ok(1)
}

/// Continuation of a resume that passed an async host call's suspension on: resume the
/// same coroutine again (its arguments are what the outer resumer passed in).
fn resume_k(s: &mut State, _status: Status, _ctx: usize) -> LuaResult<usize> {
    resume(s)
}

fn resume(s: &mut State) -> LuaResult<usize> {
    let co = check_co(s, 1)?;
    let nargs = s.nargs() - 1;
    let (outcome, n) = s.resume(co, nargs)?;
    if outcome == ResumeOutcome::Yielded && s.is_pass_through_yield(n) {
        return Err(s.yield_k(1, resume_k, 0));
    }
    if outcome == ResumeOutcome::Failed && s.is_aborting().is_some() {
        // an instruction-limit or interrupt error is not caught by `resume`
        let e = s.pop();
        return Err(s.set_error(e));
    }
    // the results are on top, right above the coroutine argument (the arguments were
    // popped): its slot takes the status, and the results follow it
    let first = s.top() - n;
    s.set_stack_at(first - 1, Value::Bool(outcome != ResumeOutcome::Failed));
    Ok(n + 1)
}

fn wrap_aux(s: &mut State) -> LuaResult<usize> {
    let co = match s.native_upvalue(0) {
        Value::Thread(t) => t,
        _ => return Err(s.lib_error("bad coroutine")),
    };
    let nargs = s.nargs();
    let (outcome, n) = s.resume(co, nargs)?;
    if outcome == ResumeOutcome::Yielded && s.is_pass_through_yield(n) {
        return Err(s.yield_k(1, wrap_k, 0));
    }
    if outcome == ResumeOutcome::Failed {
        let mut e = s.pop();
        if let Value::Str(m) = e {
            // add position information, as 5.3's auxwrap does
            let w = s.where_(1);
            if !w.is_empty() {
                let mut b = w.into_bytes();
                b.push(b' ');
                b.extend_from_slice(m.as_bytes());
                e = Value::Str(s.new_str_vec(b));
            }
        }
        return Err(s.error(e));
    }
    Ok(n)
}

fn wrap_k(s: &mut State, _status: Status, _ctx: usize) -> LuaResult<usize> {
    wrap_aux(s)
}

fn wrap(s: &mut State) -> LuaResult<usize> {
    let f = s.check_function(1)?;
    let t = s.new_thread(f);
    let w = s.new_native_closure(wrap_aux, "wrap", vec![Value::Thread(t)]);
    s.push(w);
    Ok(1)
}

fn yield_(s: &mut State) -> LuaResult<usize> {
    Err(s.yield_now())
}

fn status(s: &mut State) -> LuaResult<usize> {
    let co = check_co(s, 1)?;
    let st = s.co_status(co);
    s.push_str(st.as_bytes());
    Ok(1)
}

fn isyieldable(s: &mut State) -> LuaResult<usize> {
    let y = s.is_yieldable();
    s.push(Value::Bool(y));
    Ok(1)
}

fn running(s: &mut State) -> LuaResult<usize> {
    let t = s.current_thread();
    let main = luavm_vm::Gc::ptr_eq(t, s.main_thread());
    s.push(Value::Thread(t));
    s.push(Value::Bool(main));
    Ok(2)
}
