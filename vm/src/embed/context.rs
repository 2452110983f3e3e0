//! `Lua`, the VM as host functions see it, and `LuaApi`, the operations shared by `LuaVM`
//! and `Lua` (globals, tables, functions, loading, calling).
//!
//! Every operation that may run Lua code goes through `protected`: it installs a message
//! handler (which records the traceback), runs the operation, and on an error unwinds the
//! frames it pushed and turns the error value into an [`Error`]. An outermost protected
//! operation starts a new execution for the limits (budget refilled, abort cleared).
//!
//! GC discipline: `to_raw` makes raw values (possibly new strings) without collecting and
//! without running user code; callers push those values on the Lua stack before anything
//! that can collect (a call, a `check_gc`). Values going to the host are made by
//! `from_raw` (owned data or rooted handles) before the stack is popped.

use crate::error::{LuaError, LuaResult};
use crate::state::State;
use crate::value::Value;
use crate::MULTRET;

use super::convert::{FromLua, FromLuaMulti, IntoLua, IntoLuaMulti};
use super::error::{Error, ErrorKind, Result};
use super::host_fn::{self, HostFunction};
use super::roots::Handle;
use super::userdata::{self, UserData};
use super::value::{AnyUserData, LuaFunction, LuaString, LuaTable, LuaThread, LuaValue};

/// The VM borrowed by a host function (or by an operation of [`LuaVM`](super::LuaVM)):
/// every [`LuaApi`] operation is available on it.
///
/// ```
/// use luavm_vm::embed::{prelude::*, LuaVM, Lua, SafeOption, LuaTable};
/// let mut vm = LuaVM::new(SafeOption::default());
/// vm.register_with("field_x", |lua: &mut Lua, t: LuaTable| t.get::<_, i64>(lua, "x")).unwrap();
/// let r: i64 = vm.load("return field_x({x = 7})", "=t").unwrap().call(&mut vm, ()).unwrap();
/// assert_eq!(r, 7);
/// ```
pub struct Lua<'a> {
    pub(crate) state: &'a mut State,
}

impl<'a> Lua<'a> {
    pub(crate) fn new(state: &'a mut State) -> Lua<'a> {
        Lua { state }
    }

    /// The underlying state, for code that works below the embedding API (library
    /// crates). Values taken from it are raw: keep them on the Lua stack, never across a
    /// collection.
    pub fn state(&mut self) -> &mut State {
        self.state
    }

    /// Convert a host value for this state (see the module's GC discipline).
    pub(crate) fn raw_of(&mut self, v: &LuaValue) -> Result<Value> {
        to_raw(self.state, v)
    }
    pub(crate) fn value_of(&mut self, v: Value) -> LuaValue {
        from_raw(self.state, v)
    }
}

/// The raw value of handle `h` in state `s`, refused if the handle is of another VM.
pub(crate) fn handle_raw(s: &State, h: &Handle) -> Result<Value> {
    if s.host.owns(h) {
        Ok(h.raw())
    } else {
        Err(Error::new(
            ErrorKind::Usage,
            "handle used with a VM it does not belong to",
        ))
    }
}

pub(crate) fn to_raw(s: &mut State, v: &LuaValue) -> Result<Value> {
    Ok(match v {
        LuaValue::Nil => Value::Nil,
        LuaValue::Boolean(b) => Value::Bool(*b),
        LuaValue::Integer(i) => Value::Int(*i),
        LuaValue::Number(n) => Value::Num(*n),
        LuaValue::String(st) => s.str_value(st.as_bytes()),
        LuaValue::LightUserData(p) => Value::LightUserData(*p),
        LuaValue::Table(h) => handle_raw(s, &h.0)?,
        LuaValue::Function(h) => handle_raw(s, &h.0)?,
        LuaValue::UserData(h) => handle_raw(s, &h.0)?,
        LuaValue::Thread(h) => handle_raw(s, &h.0)?,
    })
}

pub(crate) fn from_raw(s: &mut State, v: Value) -> LuaValue {
    match v {
        Value::Nil => LuaValue::Nil,
        Value::Bool(b) => LuaValue::Boolean(b),
        Value::Int(i) => LuaValue::Integer(i),
        Value::Num(n) => LuaValue::Number(n),
        Value::Str(st) => LuaValue::String(LuaString(st.as_bytes().to_vec())),
        Value::LightUserData(p) => LuaValue::LightUserData(p),
        Value::Table(_) => LuaValue::Table(LuaTable(s.host.root(v))),
        Value::LuaFn(_) | Value::NativeFn(_) | Value::NativeClosure(_) => {
            LuaValue::Function(LuaFunction(s.host.root(v)))
        }
        Value::UserData(_) => LuaValue::UserData(AnyUserData(s.host.root(v))),
        Value::Thread(_) => LuaValue::Thread(LuaThread(s.host.root(v))),
    }
}

/// Message handler of protected operations: records the traceback, keeps the value.
fn msgh(s: &mut State) -> LuaResult<usize> {
    let v = s.arg(1);
    s.host.traceback = Some(s.traceback(None, 1));
    s.push(v);
    Ok(1)
}

/// The message of an error value: strings as they are, numbers converted, others named.
pub(crate) fn error_message(s: &State, v: Value) -> String {
    match v {
        Value::Str(m) => m.to_str_lossy().into_owned(),
        Value::Int(_) | Value::Num(_) => {
            let mut b = Vec::new();
            s.to_string_raw(v, &mut b);
            String::from_utf8_lossy(&b).into_owned()
        }
        other => format!("(error object is a {} value)", other.type_name()),
    }
}

/// Build the host error for error value `v` (with the recorded traceback).
pub(crate) fn error_from_value(s: &mut State, v: Value, traceback: Option<String>) -> Error {
    let message = error_message(s, v);
    let kind = match s.is_aborting() {
        Some(crate::limits::Abort::Budget) => ErrorKind::InstructionLimit,
        Some(crate::limits::Abort::Interrupted) => ErrorKind::Interrupted,
        None if message == "not enough memory" => ErrorKind::Memory,
        None => ErrorKind::Runtime,
    };
    let value = from_raw(s, v);
    Error::from_lua(kind, message, value, traceback)
}

/// Run `f` (which may run Lua code) protected; see the module documentation.
pub(crate) fn protected<R>(s: &mut State, f: impl FnOnce(&mut State) -> LuaResult<R>) -> Result<R> {
    let outermost = s.host.depth == 0;
    if outermost {
        s.reset_limits();
    }
    s.host.depth += 1;
    let base = s.top;
    s.push(Value::NativeFn(msgh));
    let old_errfunc = s.errfunc;
    let (depth, nny, n_ccalls) = (s.ci.len(), s.nny, s.n_ccalls);
    s.errfunc = base;
    s.host.traceback = None;
    let r = f(s);
    s.errfunc = old_errfunc;
    s.host.depth -= 1;
    let out = match r {
        Ok(v) => Ok(v),
        Err(e) => {
            let err = if e == LuaError::Error {
                s.error_value
            } else {
                s.str_value(b"attempt to yield from outside a coroutine")
            };
            s.close_upvals(base);
            s.ci.truncate(depth);
            s.nny = nny;
            s.n_ccalls = n_ccalls;
            s.in_overflow = false;
            s.stack[base] = err; // the handler's slot: keeps the value rooted meanwhile
            s.top = base + 1;
            let tb = s.host.traceback.take();
            Err(error_from_value(s, err, tb))
        }
    };
    s.top = base;
    if outermost {
        // the next execution starts afresh (an abort is over once reported)
        s.reset_limits();
    }
    out
}

/// Load a chunk: `Ok(function)` or a syntax error.
pub(crate) fn load(s: &mut State, source: &[u8], chunkname: &[u8]) -> Result<LuaFunction> {
    match s.load(source, chunkname) {
        Ok(f) => Ok(LuaFunction(s.host.root(f))),
        Err(_) => {
            let v = s.error_value;
            let message = error_message(s, v);
            let value = from_raw(s, v);
            Err(Error::from_lua(ErrorKind::Syntax, message, value, None))
        }
    }
}

/// Call raw function `f` with `args` (raw, not yet rooted: pushed at once); all results.
pub(crate) fn call_raw(s: &mut State, f: Value, args: &[Value]) -> Result<Vec<LuaValue>> {
    protected(s, |s| {
        s.check_stack(args.len() + 1)?;
        let func = s.top;
        s.push(f);
        for a in args {
            s.push(*a);
        }
        s.call(func, MULTRET)?;
        let n = s.top - func;
        let mut out = Vec::with_capacity(n);
        for i in func..func + n {
            let v = s.stack[i];
            out.push(from_raw(s, v));
        }
        Ok(out)
    })
}

/// Call function `f` with host values.
pub(crate) fn call_values(s: &mut State, f: Value, args: &[LuaValue]) -> Result<Vec<LuaValue>> {
    let mut raw = smallvec::SmallVec::<[Value; 8]>::with_capacity(args.len());
    for a in args {
        raw.push(to_raw(s, a)?);
    }
    call_raw(s, f, &raw)
}

/// The operations of the embedding API, shared by [`LuaVM`](super::LuaVM) and by the
/// [`Lua`] a host function gets. Bring it into scope with `use luavm::prelude::*`.
pub trait LuaApi {
    /// The VM as a [`Lua`] (the one method implementors provide).
    fn lua(&mut self) -> Lua<'_>;

    /// Set global `name`.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.set_global("answer", 42).unwrap();
    /// assert_eq!(vm.get_global::<i64>("answer").unwrap(), 42);
    /// ```
    fn set_global<V: IntoLua>(&mut self, name: &str, value: V) -> Result<()> {
        let mut lua = self.lua();
        let v = value.into_lua(&mut lua)?;
        let raw = lua.raw_of(&v)?;
        lua.state.set_global(name, raw);
        Ok(())
    }

    /// Global `name`, converted (a missing global is `nil`).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.execute_string("name = 'lua'; n = 3").unwrap();
    /// assert_eq!(vm.get_global::<String>("name").unwrap(), "lua");
    /// assert_eq!(vm.get_global::<Option<i64>>("missing").unwrap(), None);
    /// assert!(vm.get_global::<i64>("name").is_err()); // not a number
    /// ```
    fn get_global<T: FromLua>(&mut self, name: &str) -> Result<T> {
        let mut lua = self.lua();
        let raw = lua.state.get_global(name);
        let v = lua.value_of(raw);
        T::from_lua(v, &mut lua)
    }

    /// The globals table (`_G`).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.globals().set(&mut vm, "x", 5).unwrap();
    /// assert_eq!(format!("{:?}", vm.execute_string("return x").unwrap()), "[5]");
    /// ```
    fn globals(&mut self) -> LuaTable {
        let lua = self.lua();
        let g = Value::Table(lua.state.globals());
        LuaTable(lua.state.host.root(g))
    }

    /// A new empty table.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let t = vm.create_table();
    /// t.set(&mut vm, "k", "v").unwrap();
    /// vm.set_global("t", &t).unwrap();
    /// assert_eq!(format!("{:?}", vm.execute_string("return t.k").unwrap()), r#"["v"]"#);
    /// ```
    fn create_table(&mut self) -> LuaTable {
        let lua = self.lua();
        let t = Value::Table(lua.state.new_table());
        LuaTable(lua.state.host.root(t))
    }

    /// A new table with `items` at 1, 2, ...
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let t = vm.create_sequence(["a", "b"]).unwrap();
    /// assert_eq!(t.raw_len(&mut vm).unwrap(), 2);
    /// ```
    fn create_sequence<T: IntoLua, I: IntoIterator<Item = T>>(
        &mut self,
        items: I,
    ) -> Result<LuaTable> {
        let t = self.create_table();
        let mut lua = self.lua();
        for (i, item) in items.into_iter().enumerate() {
            t.raw_set(&mut lua, i as i64 + 1, item)?;
        }
        Ok(t)
    }

    /// A new table with the `(key, value)` pairs.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let t = vm.create_table_from([("host", "localhost"), ("mode", "dev")]).unwrap();
    /// assert_eq!(t.get::<_, String>(&mut vm, "mode").unwrap(), "dev");
    /// ```
    fn create_table_from<K: IntoLua, V: IntoLua, I: IntoIterator<Item = (K, V)>>(
        &mut self,
        pairs: I,
    ) -> Result<LuaTable> {
        let t = self.create_table();
        let mut lua = self.lua();
        for (k, v) in pairs {
            t.raw_set(&mut lua, k, v)?;
        }
        Ok(t)
    }

    /// A Lua function that calls the Rust function or closure `f`, whose arguments and
    /// results are converted with [`FromLua`] / [`IntoLuaMulti`] (see [`HostFunction`]).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let f = vm.create_function(|s: String, n: Option<usize>| s.repeat(n.unwrap_or(2)));
    /// assert_eq!(f.call::<_, String>(&mut vm, ("ab", 3)).unwrap(), "ababab");
    /// vm.set_global("rep", f).unwrap();
    /// assert_eq!(format!("{:?}", vm.execute_string("return rep('x')").unwrap()), r#"["xx"]"#);
    /// ```
    fn create_function<M, F: HostFunction<M>>(&mut self, f: F) -> LuaFunction {
        let lua = self.lua();
        host_fn::make_function(lua.state, "?", f.into_host_fn())
    }

    /// Like [`create_function`](Self::create_function), for a closure that also gets the
    /// VM: `|lua: &mut Lua, args: A| -> R` where `A` is a tuple of arguments (or
    /// `Variadic`).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, Lua, LuaTable, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// // a function that builds a table in the VM it runs in
    /// let f = vm.create_function_with(|lua: &mut Lua, (k, v): (String, i64)| {
    ///     lua.create_table_from([(k, v)])
    /// });
    /// let t: LuaTable = f.call(&mut vm, ("n", 1)).unwrap();
    /// assert_eq!(t.get::<_, i64>(&mut vm, "n").unwrap(), 1);
    /// ```
    fn create_function_with<A, R, F>(&mut self, f: F) -> LuaFunction
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, A) -> R + 'static,
    {
        let lua = self.lua();
        host_fn::make_function(lua.state, "?", host_fn::with_lua(f))
    }

    /// Set global `name` to a function calling `f` (see
    /// [`create_function`](Self::create_function)).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.register("add", |a: i64, b: i64| a + b).unwrap();
    /// let r = vm.execute_string("return add(2, 3)").unwrap();
    /// assert_eq!(format!("{r:?}"), "[5]");
    /// ```
    fn register<M, F: HostFunction<M>>(&mut self, name: &str, f: F) -> Result<()> {
        let lua = self.lua();
        let func = host_fn::make_function(lua.state, name, f.into_host_fn());
        self.set_global(name, func)
    }

    /// Set global `name` to a function calling `f` with the VM (see
    /// [`create_function_with`](Self::create_function_with)).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, Lua, LuaFunction, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// // call back into Lua from Rust
    /// vm.register_with("twice", |lua: &mut Lua, f: LuaFunction| -> Result<i64, luavm_vm::embed::Error> {
    ///     Ok(f.call::<_, i64>(lua, ())? * 2)
    /// }).unwrap();
    /// let r = vm.execute_string("return twice(function() return 21 end)").unwrap();
    /// assert_eq!(format!("{r:?}"), "[42]");
    /// ```
    fn register_with<A, R, F>(&mut self, name: &str, f: F) -> Result<()>
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, A) -> R + 'static,
    {
        let lua = self.lua();
        let func = host_fn::make_function(lua.state, name, host_fn::with_lua(f));
        self.set_global(name, func)
    }

    /// Set global `name` to an async host function: a Lua call to it suspends the
    /// running Lua code (as a coroutine yield) until the future `f(args)` resolves, then
    /// returns the future's values. Only code run by
    /// [`LuaVM::execute_async`](super::LuaVM::execute_async) (or `call_async`) can call it.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, AsyncReturnValue, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.register_async("double", |args| async move {
    ///     let x = args[0].as_number().unwrap_or(0.0);
    ///     Ok(vec![AsyncReturnValue::number(x * 2.0)])
    /// }).unwrap();
    /// let r = luavm_vm::embed::block_on(vm.execute_async("return double(21)")).unwrap();
    /// assert_eq!(format!("{r:?}"), "[42.0]");
    /// ```
    fn register_async<F, Fut>(&mut self, name: &str, f: F) -> Result<()>
    where
        F: Fn(Vec<LuaValue>) -> Fut + 'static,
        Fut: std::future::Future<Output = Result<Vec<LuaValue>>> + 'static,
    {
        let lua = self.lua();
        let func = super::async_::make_async_function(lua.state, name, f);
        self.set_global(name, func)
    }

    /// A new full userdata owning `data`, with the methods and metamethods of `T`
    /// (see [`UserData`]).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, UserDataMethods};
    /// struct Point { x: f64, y: f64 }
    /// impl UserData for Point {
    ///     fn add_methods(m: &mut UserDataMethods<Self>) {
    ///         m.add_method("norm", |_, p, ()| (p.x * p.x + p.y * p.y).sqrt());
    ///     }
    /// }
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let p = vm.create_userdata(Point { x: 3.0, y: 4.0 }).unwrap();
    /// vm.set_global("p", &p).unwrap();
    /// assert_eq!(format!("{:?}", vm.execute_string("return p:norm()").unwrap()), "[5.0]");
    /// ```
    fn create_userdata<T: UserData>(&mut self, data: T) -> Result<AnyUserData> {
        let mut lua = self.lua();
        userdata::create(&mut lua, data)
    }

    /// Compile `source` (text, or a binary chunk if the options allow it) into a
    /// function. `chunkname` as in PUC Lua: `"=name"` shows as `name`, `"@file"` as a
    /// file name, anything else as `[string "..."]`.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, ErrorKind, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let f = vm.load("return 1 + ...", "=adder").unwrap();
    /// assert_eq!(f.call::<_, i64>(&mut vm, 41).unwrap(), 42);
    /// let e = vm.load("return +", "=bad").unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::Syntax);
    /// assert_eq!(e.message(), "bad:1: unexpected symbol near '+'");
    /// ```
    fn load(&mut self, source: impl AsRef<[u8]>, chunkname: &str) -> Result<LuaFunction> {
        let lua = self.lua();
        load(lua.state, source.as_ref(), chunkname.as_bytes())
    }

    /// Compile and run `source` (its chunk name is the source, as `luaL_dostring`);
    /// returns the chunk's results.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let r = vm.execute_string("return 1, 'two', 3.5").unwrap();
    /// assert_eq!(format!("{r:?}"), r#"[1, "two", 3.5]"#);
    /// let e = vm.execute_string("local t; return t.x").unwrap_err();
    /// assert_eq!(e.message(), r#"[string "local t; return t.x"]:1: attempt to index a nil value (local 't')"#);
    /// ```
    fn execute_string(&mut self, source: impl AsRef<[u8]>) -> Result<Vec<LuaValue>> {
        let lua = self.lua();
        let src = source.as_ref();
        let f = load(lua.state, src, src)?;
        let raw = handle_raw(lua.state, &f.0)?;
        call_raw(lua.state, raw, &[])
    }

    /// Call `f` with `args` (a value, a tuple of values, `()` or a `Variadic`),
    /// converting its results to `R`.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let f = vm.load("local a, b, c = ... return a, b + c", "=f").unwrap();
    /// let (first, sum): (String, i64) = vm.call(&f, ("a", 2, 3)).unwrap();
    /// assert_eq!((first.as_str(), sum), ("a", 5));
    /// // "a" does not convert to an integer
    /// let e = vm.call::<_, i64>(&f, ("a", 2, 3)).unwrap_err();
    /// assert_eq!(e.kind(), luavm_vm::embed::ErrorKind::Conversion);
    /// ```
    fn call<A: IntoLuaMulti, R: FromLuaMulti>(&mut self, f: &LuaFunction, args: A) -> Result<R> {
        let mut lua = self.lua();
        let args = args.into_lua_multi(&mut lua)?;
        let raw = handle_raw(lua.state, &f.0)?;
        let out = call_values(lua.state, raw, &args)?;
        R::from_lua_multi(out, &mut lua).map_err(Error::without_argument)
    }

    /// Run a full garbage collection, then the finalizers (`__gc`) of what it found, as
    /// `collectgarbage()` does: an error in a finalizer is returned ("error in __gc
    /// metamethod (...)"), the other finalizers stay pending until the next collection.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// vm.set_global("big", "x".repeat(1 << 20)).unwrap();
    /// let before = vm.memory_used();
    /// vm.execute_string("big = nil").unwrap();
    /// vm.collect_garbage().unwrap();
    /// assert!(vm.memory_used() < before - 1_000_000);
    /// ```
    fn collect_garbage(&mut self) -> Result<()> {
        let lua = self.lua();
        protected(lua.state, |s| s.full_gc())
    }

    /// Bytes of memory the VM uses (what `collectgarbage("count")` reports, in bytes).
    fn memory_used(&mut self) -> usize {
        self.lua().state.memory_used()
    }
}

impl LuaApi for Lua<'_> {
    fn lua(&mut self) -> Lua<'_> {
        Lua { state: self.state }
    }
}

impl LuaFunction {
    /// Call the function (see [`LuaApi::call`]).
    pub fn call<A: IntoLuaMulti, R: FromLuaMulti>(
        &self,
        lua: &mut impl LuaApi,
        args: A,
    ) -> Result<R> {
        lua.call(self, args)
    }
}

impl LuaTable {
    fn raw_table(&self, s: &State) -> Result<crate::Gc<crate::Table>> {
        match handle_raw(s, &self.0)? {
            Value::Table(t) => Ok(t),
            _ => Err(Error::new(ErrorKind::Usage, "not a table")),
        }
    }

    /// `t[key]`, with metamethods (`__index`).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, LuaTable};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let t: LuaTable = vm.load("return {x = 1, y = 'two'}", "=t").unwrap().call(&mut vm, ()).unwrap();
    /// assert_eq!(t.get::<_, i64>(&mut vm, "x").unwrap(), 1);
    /// assert_eq!(t.get::<_, String>(&mut vm, "y").unwrap(), "two");
    /// t.set(&mut vm, "z", vec![1, 2, 3]).unwrap();
    /// assert_eq!(t.get::<_, Vec<i64>>(&mut vm, "z").unwrap(), vec![1, 2, 3]);
    /// ```
    pub fn get<K: IntoLua, V: FromLua>(&self, lua: &mut impl LuaApi, key: K) -> Result<V> {
        let mut lua = lua.lua();
        let k = key.into_lua(&mut lua)?;
        let t = Value::Table(self.raw_table(lua.state)?);
        let k = lua.raw_of(&k)?;
        let v = protected(lua.state, |s| {
            s.push(k); // keep the key rooted while metamethods run
            let v = s.index(t, k)?;
            Ok(from_raw(s, v))
        })?;
        V::from_lua(v, &mut lua)
    }

    /// `t[key] = value`, with metamethods (`__newindex`).
    pub fn set<K: IntoLua, V: IntoLua>(
        &self,
        lua: &mut impl LuaApi,
        key: K,
        value: V,
    ) -> Result<()> {
        let mut lua = lua.lua();
        let k = key.into_lua(&mut lua)?;
        let v = value.into_lua(&mut lua)?;
        let t = Value::Table(self.raw_table(lua.state)?);
        let k = lua.raw_of(&k)?;
        let v = lua.raw_of(&v)?;
        protected(lua.state, |s| {
            s.push(k);
            s.push(v);
            s.set_index(t, k, v)
        })
    }

    /// `rawget(t, key)`.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let (t, mt) = (vm.create_table(), vm.create_table());
    /// let index = vm.create_function(|| 1);
    /// mt.set(&mut vm, "__index", index).unwrap();
    /// t.set_metatable(&mut vm, Some(&mt)).unwrap();
    /// assert_eq!(t.get::<_, Option<i64>>(&mut vm, "x").unwrap(), Some(1));
    /// assert_eq!(t.raw_get::<_, Option<i64>>(&mut vm, "x").unwrap(), None);
    /// ```
    pub fn raw_get<K: IntoLua, V: FromLua>(&self, lua: &mut impl LuaApi, key: K) -> Result<V> {
        let mut lua = lua.lua();
        let k = key.into_lua(&mut lua)?;
        let t = self.raw_table(lua.state)?;
        let k = lua.raw_of(&k)?;
        let v = t.get(k);
        let v = lua.value_of(v);
        V::from_lua(v, &mut lua)
    }

    /// `rawset(t, key, value)`; a nil or NaN key is an error.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let t = vm.create_table();
    /// t.raw_set(&mut vm, 1, "first").unwrap();
    /// assert_eq!(t.raw_set(&mut vm, f64::NAN, 1).unwrap_err().message(), "index is NaN");
    /// ```
    pub fn raw_set<K: IntoLua, V: IntoLua>(
        &self,
        lua: &mut impl LuaApi,
        key: K,
        value: V,
    ) -> Result<()> {
        let mut lua = lua.lua();
        let k = key.into_lua(&mut lua)?;
        let v = value.into_lua(&mut lua)?;
        let t = self.raw_table(lua.state)?;
        let k = lua.raw_of(&k)?;
        match k {
            Value::Nil => return Err(Error::runtime("index is nil")),
            Value::Num(f) if f.is_nan() => return Err(Error::runtime("index is NaN")),
            _ => {}
        }
        let v = lua.raw_of(&v)?;
        lua.state.raw_set(t, k, v);
        Ok(())
    }

    /// `#t` with the `__len` metamethod.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let (t, mt) = (vm.create_sequence([1, 2]).unwrap(), vm.create_table());
    /// let len = vm.create_function(|| 10);
    /// mt.set(&mut vm, "__len", len).unwrap();
    /// t.set_metatable(&mut vm, Some(&mt)).unwrap();
    /// assert_eq!((t.len(&mut vm).unwrap(), t.raw_len(&mut vm).unwrap()), (10, 2));
    /// ```
    pub fn len(&self, lua: &mut impl LuaApi) -> Result<i64> {
        let lua = lua.lua();
        let t = Value::Table(self.raw_table(lua.state)?);
        let v = protected(lua.state, |s| s.len_of(t))?;
        match v {
            Value::Int(i) => Ok(i),
            Value::Num(f) => crate::value::float_to_int_exact(f)
                .ok_or_else(|| Error::conversion("integer", "number")),
            other => Err(Error::conversion("integer", other.type_name())),
        }
    }

    /// `#t` without metamethods (the border, as `rawlen`).
    pub fn raw_len(&self, lua: &mut impl LuaApi) -> Result<i64> {
        let lua = lua.lua();
        Ok(self.raw_table(lua.state)?.len())
    }

    /// Append `value` at `#t + 1` (raw).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let t = vm.create_table();
    /// t.push(&mut vm, "a").unwrap();
    /// t.push(&mut vm, "b").unwrap();
    /// assert_eq!(t.sequence_values::<String>(&mut vm).unwrap(), ["a", "b"]);
    /// ```
    pub fn push<V: IntoLua>(&self, lua: &mut impl LuaApi, value: V) -> Result<()> {
        let n = self.raw_len(lua)?;
        self.raw_set(lua, n + 1, value)
    }

    /// All `(key, value)` pairs (raw traversal, as `next`), converted.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, LuaTable};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let t: LuaTable = vm.load("return {a = 1, b = 2}", "=t").unwrap().call(&mut vm, ()).unwrap();
    /// let mut p: Vec<(String, i64)> = t.pairs(&mut vm).unwrap();
    /// p.sort();
    /// assert_eq!(p, vec![("a".to_string(), 1), ("b".to_string(), 2)]);
    /// ```
    pub fn pairs<K: FromLua, V: FromLua>(&self, lua: &mut impl LuaApi) -> Result<Vec<(K, V)>> {
        let mut lua = lua.lua();
        let t = self.raw_table(lua.state)?;
        let mut raw = Vec::new();
        let mut k = Value::Nil;
        while let Ok(Some((nk, nv))) = t.next(k) {
            raw.push((lua.value_of(nk), lua.value_of(nv)));
            k = nk;
        }
        let mut out = Vec::with_capacity(raw.len());
        for (k, v) in raw {
            out.push((K::from_lua(k, &mut lua)?, V::from_lua(v, &mut lua)?));
        }
        Ok(out)
    }

    /// The values at 1, 2, ... up to the border (raw), converted.
    pub fn sequence_values<V: FromLua>(&self, lua: &mut impl LuaApi) -> Result<Vec<V>> {
        let mut lua = lua.lua();
        let t = self.raw_table(lua.state)?;
        let n = t.len().max(0);
        let mut raw = Vec::with_capacity(n as usize);
        for i in 1..=n {
            raw.push(lua.value_of(t.get_int(i)));
        }
        raw.into_iter().map(|v| V::from_lua(v, &mut lua)).collect()
    }

    /// The metatable, if any.
    pub fn metatable(&self, lua: &mut impl LuaApi) -> Result<Option<LuaTable>> {
        let lua = lua.lua();
        let t = self.raw_table(lua.state)?;
        Ok(t.metatable()
            .map(|mt| LuaTable(lua.state.host.root(Value::Table(mt)))))
    }

    /// Set (or remove) the metatable, as `setmetatable` (a `__gc` field present now
    /// makes the table's finalizer run when it is collected).
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption};
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let (t, mt) = (vm.create_table(), vm.create_table());
    /// let defaults = vm.create_table_from([("x", 1)]).unwrap();
    /// mt.set(&mut vm, "__index", defaults).unwrap();
    /// t.set_metatable(&mut vm, Some(&mt)).unwrap();
    /// assert_eq!(t.get::<_, i64>(&mut vm, "x").unwrap(), 1);
    /// assert!(t.metatable(&mut vm).unwrap().is_some());
    /// ```
    pub fn set_metatable(&self, lua: &mut impl LuaApi, mt: Option<&LuaTable>) -> Result<()> {
        let lua = lua.lua();
        let t = self.raw_table(lua.state)?;
        let mt = match mt {
            Some(m) => Some(m.raw_table(lua.state)?),
            None => None,
        };
        lua.state.set_metatable(Value::Table(t), mt);
        Ok(())
    }
}

impl LuaThread {
    /// `coroutine.status` of the thread ("suspended", "running", "normal", "dead"); a
    /// thread comes from Lua (`coroutine.create`), see `tests/embed_api.rs`.
    pub fn status(&self, lua: &mut impl LuaApi) -> Result<&'static str> {
        let lua = lua.lua();
        match handle_raw(lua.state, &self.0)? {
            Value::Thread(t) => Ok(lua.state.co_status(t)),
            _ => Err(Error::new(ErrorKind::Usage, "not a thread")),
        }
    }
}
