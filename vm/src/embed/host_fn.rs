//! Host functions: Rust closures callable from Lua.
//!
//! Design: a host function is a `NativeClosure` (the trampoline) whose upvalue 0 is a
//! userdata owning the boxed closure (`HostFnBox`). The closure lives exactly as long as
//! the Lua function (the collector frees both), needs no registry of its own, and is
//! found without any unsafe code: the trampoline downcasts the userdata, clones the `Rc`
//! (so the closure may re-enter Lua, even call itself) and calls it with the VM as a
//! [`Lua`] and the arguments as host values.
//!
//! Invariants:
//! - no panic crosses the trampoline: a panicking closure becomes a Lua error;
//! - a host error is raised as its Lua value (errors that came from Lua keep theirs),
//!   a bad argument as PUC's "bad argument #n to 'f' (...)", a host message with the
//!   caller's position (as `error`).

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use crate::error::{LuaError, LuaResult};
use crate::state::State;
use crate::value::Value;

use super::context::{from_raw, to_raw, Lua};
use super::convert::{FromLua, FromLuaMulti, IntoLuaMulti};
use super::error::{Error, ErrorKind, Result};
use super::value::{LuaFunction, LuaValue};

/// The erased form of every host function.
pub(crate) type DynHostFn = dyn Fn(&mut Lua<'_>, Vec<LuaValue>) -> Result<Vec<LuaValue>>;

/// What upvalue 0 of a host function's closure owns.
pub(crate) struct HostFnBox(pub(crate) Rc<DynHostFn>);

/// A Rust function or closure usable as a Lua function: `Fn(A1, ..., An) -> R` for up
/// to 8 arguments, each [`FromLua`], and a result that is [`IntoLuaMulti`] (a value, a
/// tuple, `()`, or a `Result` whose error is raised in Lua). `M` only tells the
/// implementations apart; it is inferred.
///
/// ```
/// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, Error};
/// let mut vm = LuaVM::new(SafeOption::default());
/// vm.register("greet", |name: String, times: Option<usize>| {
///     name.repeat(times.unwrap_or(1))
/// }).unwrap();
/// vm.register("checked_div", |a: i64, b: i64| -> Result<i64, Error> {
///     if b == 0 { Err(Error::runtime("division by zero")) } else { Ok(a / b) }
/// }).unwrap();
/// assert_eq!(format!("{:?}", vm.execute_string("return greet('ab', 2)").unwrap()), r#"["abab"]"#);
/// let e = vm.execute_string("return checked_div(1, 0)").unwrap_err();
/// assert_eq!(e.message(), r#"[string "return checked_div(1, 0)"]:1: division by zero"#);
/// let e = vm.execute_string("return greet({})").unwrap_err();
/// assert!(e.message().ends_with("bad argument #1 to 'greet' (string expected, got table)"));
/// ```
pub trait HostFunction<M>: 'static {
    /// The erased function.
    #[doc(hidden)]
    fn into_host_fn(self) -> Rc<DynHostFn>;
}

macro_rules! host_fn_impl {
    ($($A:ident $n:literal),*) => {
        impl<F, R, $($A,)*> HostFunction<fn($($A,)*) -> R> for F
        where
            F: Fn($($A),*) -> R + 'static,
            R: IntoLuaMulti,
            $($A: FromLua,)*
        {
            #[allow(non_snake_case, unused_variables, unused_mut)]
            fn into_host_fn(self) -> Rc<DynHostFn> {
                Rc::new(move |lua: &mut Lua<'_>, args: Vec<LuaValue>| {
                    let mut it = args.into_iter();
                    $( let $A = $A::from_lua(it.next().unwrap_or_default(), lua)
                        .map_err(|e| e.with_argument($n))?; )*
                    (self)($($A),*).into_lua_multi(lua).map_err(Error::without_argument)
                })
            }
        }
    };
}
host_fn_impl!();
host_fn_impl!(A 1);
host_fn_impl!(A 1, B 2);
host_fn_impl!(A 1, B 2, C 3);
host_fn_impl!(A 1, B 2, C 3, D 4);
host_fn_impl!(A 1, B 2, C 3, D 4, E 5);
host_fn_impl!(A 1, B 2, C 3, D 4, E 5, G 6);
host_fn_impl!(A 1, B 2, C 3, D 4, E 5, G 6, H 7);
host_fn_impl!(A 1, B 2, C 3, D 4, E 5, G 6, H 7, I 8);

/// The erased form of a closure that gets the VM.
pub(crate) fn with_lua<A, R, F>(f: F) -> Rc<DynHostFn>
where
    A: FromLuaMulti,
    R: IntoLuaMulti,
    F: Fn(&mut Lua<'_>, A) -> R + 'static,
{
    Rc::new(move |lua: &mut Lua<'_>, args: Vec<LuaValue>| {
        let a = A::from_lua_multi(args, lua)?;
        f(lua, a)
            .into_lua_multi(lua)
            .map_err(Error::without_argument)
    })
}

/// A `'static` copy of `name` for the closure's fallback name (each distinct name is
/// stored once per process).
pub(crate) fn static_name(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    let mut g = match names.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if let Some(s) = g.get(name) {
        return s;
    }
    let s: &'static str = Box::leak(name.to_owned().into_boxed_str());
    g.insert(s);
    s
}

/// A Lua function calling `f`.
pub(crate) fn make_function(s: &mut State, name: &str, f: Rc<DynHostFn>) -> LuaFunction {
    let ud = s.new_userdata(Box::new(HostFnBox(f)), None);
    let c = s.new_native_closure(
        host_trampoline,
        static_name(name),
        vec![Value::UserData(ud)],
    );
    LuaFunction(s.host.root(c))
}

/// The host values of the running native function's arguments.
pub(crate) fn args_of(s: &mut State) -> Vec<LuaValue> {
    let n = s.nargs();
    let mut args = Vec::with_capacity(n);
    for i in 1..=n {
        let v = s.arg(i);
        args.push(from_raw(s, v));
    }
    args
}

fn host_trampoline(s: &mut State) -> LuaResult<usize> {
    let f = match s.native_upvalue(0) {
        Value::UserData(u) => match u.data.try_borrow() {
            Ok(d) => d.downcast_ref::<HostFnBox>().map(|b| b.0.clone()),
            Err(_) => None,
        },
        _ => None,
    };
    let Some(f) = f else {
        return Err(s.lib_error("host function is missing"));
    };
    let args = args_of(s);
    let r = {
        let mut lua = Lua::new(s);
        catch_unwind(AssertUnwindSafe(|| f(&mut lua, args)))
    };
    match r {
        Ok(Ok(results)) => push_results(s, results),
        Ok(Err(e)) => Err(raise(s, e)),
        Err(p) => Err(raise_panic(s, p)),
    }
}

/// Push host results; returns their count.
pub(crate) fn push_results(s: &mut State, results: Vec<LuaValue>) -> LuaResult<usize> {
    s.check_stack(results.len())?;
    for v in &results {
        match to_raw(s, v) {
            Ok(r) => s.push(r),
            Err(e) => return Err(raise(s, e)),
        }
    }
    Ok(results.len())
}

/// Raise a host error in Lua (see the module invariants).
pub(crate) fn raise(s: &mut State, e: Error) -> LuaError {
    if e.kind() == ErrorKind::Conversion {
        if let Some(n) = e.argument() {
            return s.arg_error(n, e.message());
        }
    }
    if e.has_lua_value() {
        if let Ok(v) = to_raw(s, e.value()) {
            return s.error(v);
        }
    }
    s.lib_error(e.message())
}

pub(crate) fn raise_panic(s: &mut State, p: Box<dyn std::any::Any + Send>) -> LuaError {
    let what = if let Some(m) = p.downcast_ref::<&str>() {
        (*m).to_owned()
    } else if let Some(m) = p.downcast_ref::<String>() {
        m.clone()
    } else {
        "a non-string payload".to_owned()
    };
    s.lib_error(&format!("host function panicked: {what}"))
}
