//! Userdata: Rust values owned by Lua, with methods, fields and metamethods.
//!
//! A type implements [`UserData`]; its `add_methods` fills a [`UserDataMethods`] once per
//! VM, which becomes the type's metatable (cached by `TypeId` in the state):
//! `__name` is the type's name; methods live in a table that `__index` finds; field
//! getters/setters and a custom `__index`/`__newindex` go through small dispatchers;
//! every other metamethod is a field of the metatable. The Rust value is dropped when the
//! userdata is collected (a `__gc` given here is stored in the metatable and runs once
//! the collector supports finalizers).
//!
//! Invariants: a method borrows the value through the userdata's `RefCell` for the length
//! of the call only; a re-entrant conflicting borrow is a Lua error, never a panic.

use std::any::TypeId;
use std::marker::PhantomData;
use std::rc::Rc;

use crate::error::LuaResult;
use crate::state::State;
use crate::value::Value;

use super::context::{handle_raw, Lua};
use super::convert::{FromLuaMulti, IntoLua, IntoLuaMulti};
use super::error::{Error, ErrorKind, Result};
use super::host_fn::{make_function, DynHostFn};
use super::value::{AnyUserData, LuaTable, LuaValue};
use super::LuaApi;

/// A Rust type that Lua code can hold as a userdata.
///
/// ```
/// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, UserData, UserDataMethods, MetaMethod};
/// struct Counter { n: i64 }
/// impl UserData for Counter {
///     fn add_methods(m: &mut UserDataMethods<Self>) {
///         m.add_method_mut("incr", |_, this, by: Option<i64>| { this.n += by.unwrap_or(1); this.n });
///         m.add_field_getter("value", |_, this| this.n);
///         m.add_meta_method(MetaMethod::ToString, |_, this, ()| format!("Counter({})", this.n));
///     }
/// }
/// let mut vm = LuaVM::new(SafeOption::default());
/// let c = vm.create_userdata(Counter { n: 0 }).unwrap();
/// vm.set_global("c", c).unwrap();
/// let r = vm.execute_string("c:incr(); c:incr(5); return c.value").unwrap();
/// assert_eq!(format!("{r:?}"), "[6]");
/// ```
pub trait UserData: Sized + 'static {
    /// The name Lua messages use for the type (`__name`); by default the type's own name.
    fn type_name() -> &'static str {
        let full = std::any::type_name::<Self>();
        let base = full.split('<').next().unwrap_or(full);
        base.rsplit("::").next().unwrap_or(base)
    }
    /// Declare methods, fields and metamethods.
    fn add_methods(_methods: &mut UserDataMethods<Self>) {}
}

/// The metamethods a userdata type may define.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum MetaMethod {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Unm,
    IDiv,
    BAnd,
    BOr,
    BXor,
    Shl,
    Shr,
    BNot,
    Concat,
    Len,
    Eq,
    Lt,
    Le,
    Call,
    ToString,
    /// Consulted after methods and field getters.
    Index,
    /// Consulted when no field setter matches.
    NewIndex,
    /// Stored; runs once the collector supports finalizers (the Rust value's `Drop`
    /// always runs).
    Gc,
}

impl MetaMethod {
    /// The metatable key (`"__add"`, ...).
    pub fn name(self) -> &'static str {
        use MetaMethod::*;
        match self {
            Add => "__add",
            Sub => "__sub",
            Mul => "__mul",
            Div => "__div",
            Mod => "__mod",
            Pow => "__pow",
            Unm => "__unm",
            IDiv => "__idiv",
            BAnd => "__band",
            BOr => "__bor",
            BXor => "__bxor",
            Shl => "__shl",
            Shr => "__shr",
            BNot => "__bnot",
            Concat => "__concat",
            Len => "__len",
            Eq => "__eq",
            Lt => "__lt",
            Le => "__le",
            Call => "__call",
            ToString => "__tostring",
            Index => "__index",
            NewIndex => "__newindex",
            Gc => "__gc",
        }
    }
}

/// The methods, fields and metamethods of userdata type `T` (see [`UserData`]).
///
/// ```
/// use luavm_vm::embed::{prelude::*, Error, LuaValue, LuaVM, MetaMethod, SafeOption, UserData, UserDataMethods};
/// #[derive(Clone, Copy)]
/// struct V(f64, f64);
/// impl UserData for V {
///     fn add_methods(m: &mut UserDataMethods<Self>) {
///         m.add_function("new", |lua, (x, y): (f64, f64)| lua.create_userdata(V(x, y))); // V.new(1, 2)
///         m.add_method("len", |_, v, ()| v.0.hypot(v.1));                 // v:len()
///         m.add_field_getter("x", |_, v| v.0);                             // v.x
///         m.add_field_setter("x", |_, v, x: f64| v.0 = x);                 // v.x = 3
///         // operands may come in either order: take both as they are
///         m.add_meta_function(MetaMethod::Mul, |lua, (a, b): (LuaValue, LuaValue)| {
///             let (v, k) = match (&a, &b) {
///                 (LuaValue::UserData(u), k) | (k, LuaValue::UserData(u)) => {
///                     (u.borrow(lua, |v: &V| *v)?, k.as_number().unwrap_or(1.0))
///                 }
///                 _ => unreachable!(),
///             };
///             Ok::<_, Error>(lua.create_userdata(V(v.0 * k, v.1 * k))?)
///         });
///     }
/// }
/// let mut vm = LuaVM::new(SafeOption::default());
/// let proto = vm.create_userdata(V(0.0, 0.0)).unwrap();
/// vm.set_global("V", proto).unwrap();
/// let r = vm.execute_string("local v = V.new(3, 4) v.x = 6 local w = 2 * v return v:len(), w.x").unwrap();
/// assert_eq!(format!("{r:?}"), "[7.211102550928, 12.0]");
/// ```
pub struct UserDataMethods<T> {
    methods: Vec<(String, Rc<DynHostFn>)>,
    meta: Vec<(MetaMethod, Rc<DynHostFn>)>,
    getters: Vec<(String, Rc<DynHostFn>)>,
    setters: Vec<(String, Rc<DynHostFn>)>,
    _t: PhantomData<fn(T)>,
}

/// Run `f` with a shared borrow of the `T` inside `ud`.
fn with_ref<T: UserData, R>(
    lua: &mut Lua<'_>,
    ud: &AnyUserData,
    f: impl FnOnce(&mut Lua<'_>, &T) -> R,
) -> Result<R> {
    let Value::UserData(g) = handle_raw(lua.state, &ud.0)? else {
        return Err(Error::conversion(T::type_name(), "userdata"));
    };
    let guard = g
        .data
        .try_borrow()
        .map_err(|_| Error::runtime(format!("{} is already borrowed mutably", T::type_name())))?;
    let t = guard
        .downcast_ref::<T>()
        .ok_or_else(|| Error::conversion(T::type_name(), "userdata"))?;
    Ok(f(lua, t))
}

/// Run `f` with a mutable borrow of the `T` inside `ud`.
fn with_mut<T: UserData, R>(
    lua: &mut Lua<'_>,
    ud: &AnyUserData,
    f: impl FnOnce(&mut Lua<'_>, &mut T) -> R,
) -> Result<R> {
    let Value::UserData(g) = handle_raw(lua.state, &ud.0)? else {
        return Err(Error::conversion(T::type_name(), "userdata"));
    };
    let mut guard = g
        .data
        .try_borrow_mut()
        .map_err(|_| Error::runtime(format!("{} is already borrowed", T::type_name())))?;
    let t = guard
        .downcast_mut::<T>()
        .ok_or_else(|| Error::conversion(T::type_name(), "userdata"))?;
    Ok(f(lua, t))
}

/// Split `self` off a method's arguments.
fn take_self<T: UserData>(mut args: Vec<LuaValue>) -> Result<(AnyUserData, Vec<LuaValue>)> {
    if args.is_empty() {
        return Err(Error::conversion(T::type_name(), "no value").with_argument(1));
    }
    let first = args.remove(0);
    match first {
        LuaValue::UserData(u) => Ok((u, args)),
        other => Err(Error::conversion(T::type_name(), other.type_name()).with_argument(1)),
    }
}

fn wrong_self(e: Error) -> Error {
    if e.kind() == ErrorKind::Conversion && e.argument().is_none() {
        e.with_argument(1)
    } else {
        e
    }
}

impl<T: UserData> UserDataMethods<T> {
    fn new() -> Self {
        UserDataMethods {
            methods: Vec::new(),
            meta: Vec::new(),
            getters: Vec::new(),
            setters: Vec::new(),
            _t: PhantomData,
        }
    }

    fn method_fn<A, R, F>(f: F) -> Rc<DynHostFn>
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, &T, A) -> R + 'static,
    {
        Rc::new(move |lua: &mut Lua<'_>, args: Vec<LuaValue>| {
            let (ud, rest) = take_self::<T>(args)?;
            let a = A::from_lua_multi(rest, lua).map_err(|e| e.shift_argument(1))?;
            let r = with_ref(lua, &ud, |lua, t| f(lua, t, a)).map_err(wrong_self)?;
            r.into_lua_multi(lua).map_err(Error::without_argument)
        })
    }

    fn method_mut_fn<A, R, F>(f: F) -> Rc<DynHostFn>
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, &mut T, A) -> R + 'static,
    {
        Rc::new(move |lua: &mut Lua<'_>, args: Vec<LuaValue>| {
            let (ud, rest) = take_self::<T>(args)?;
            let a = A::from_lua_multi(rest, lua).map_err(|e| e.shift_argument(1))?;
            let r = with_mut(lua, &ud, |lua, t| f(lua, t, a)).map_err(wrong_self)?;
            r.into_lua_multi(lua).map_err(Error::without_argument)
        })
    }

    /// A method `obj:name(args...)` with a shared borrow of the value.
    pub fn add_method<A, R, F>(&mut self, name: &str, f: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, &T, A) -> R + 'static,
    {
        self.methods.push((name.to_owned(), Self::method_fn(f)));
    }

    /// A method `obj:name(args...)` with a mutable borrow of the value.
    pub fn add_method_mut<A, R, F>(&mut self, name: &str, f: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, &mut T, A) -> R + 'static,
    {
        self.methods.push((name.to_owned(), Self::method_mut_fn(f)));
    }

    /// A function `obj.name(args...)` (no implicit `self`).
    pub fn add_function<A, R, F>(&mut self, name: &str, f: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, A) -> R + 'static,
    {
        self.methods
            .push((name.to_owned(), super::host_fn::with_lua(f)));
    }

    /// A metamethod whose first operand is the value (`__tostring`, `__len`, `__call`,
    /// `__index`, operators where the value is on the left, ...).
    pub fn add_meta_method<A, R, F>(&mut self, meta: MetaMethod, f: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, &T, A) -> R + 'static,
    {
        self.meta.push((meta, Self::method_fn(f)));
    }

    /// A metamethod with a mutable borrow of its first operand (e.g. `__newindex`).
    pub fn add_meta_method_mut<A, R, F>(&mut self, meta: MetaMethod, f: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, &mut T, A) -> R + 'static,
    {
        self.meta.push((meta, Self::method_mut_fn(f)));
    }

    /// A metamethod that gets all operands as they are (binary operators where the value
    /// may be on either side, `__eq`, `__concat`, ...).
    pub fn add_meta_function<A, R, F>(&mut self, meta: MetaMethod, f: F)
    where
        A: FromLuaMulti,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, A) -> R + 'static,
    {
        self.meta.push((meta, super::host_fn::with_lua(f)));
    }

    /// A field `obj.name` read through `f`.
    pub fn add_field_getter<R, F>(&mut self, name: &str, f: F)
    where
        R: IntoLua,
        F: Fn(&mut Lua<'_>, &T) -> R + 'static,
    {
        let g = Self::method_fn(move |lua: &mut Lua<'_>, t: &T, (): ()| f(lua, t));
        self.getters.push((name.to_owned(), g));
    }

    /// A field `obj.name = v` written through `f`.
    pub fn add_field_setter<A, R, F>(&mut self, name: &str, f: F)
    where
        A: super::FromLua,
        R: IntoLuaMulti,
        F: Fn(&mut Lua<'_>, &mut T, A) -> R + 'static,
    {
        let s = Self::method_mut_fn(move |lua: &mut Lua<'_>, t: &mut T, (a,): (A,)| f(lua, t, a));
        self.setters.push((name.to_owned(), s));
    }
}

/// `__index` of types with field getters or a custom `__index`: methods, then getters,
/// then the custom function. Upvalues: methods table, getters table, custom function.
fn ud_index(s: &mut State) -> LuaResult<usize> {
    let key = s.arg(2);
    if let Value::Table(m) = s.native_upvalue(0) {
        let v = m.get(key);
        if !v.is_nil() {
            s.push(v);
            return Ok(1);
        }
    }
    if let Value::Table(g) = s.native_upvalue(1) {
        let f = g.get(key);
        if f.is_function() {
            let ud = s.arg(1);
            let r = s.call_value1(f, &[ud])?;
            s.push(r);
            return Ok(1);
        }
    }
    let f = s.native_upvalue(2);
    if f.is_function() {
        let (a, b) = (s.arg(1), s.arg(2));
        let r = s.call_value1(f, &[a, b])?;
        s.push(r);
        return Ok(1);
    }
    s.push(Value::Nil);
    Ok(1)
}

/// `__newindex` of types with field setters or a custom `__newindex`. Upvalues: setters
/// table, custom function, type name.
fn ud_newindex(s: &mut State) -> LuaResult<usize> {
    let (ud, key, val) = (s.arg(1), s.arg(2), s.arg(3));
    if let Value::Table(t) = s.native_upvalue(0) {
        let f = t.get(key);
        if f.is_function() {
            s.call_value(f, &[ud, val], 0)?;
            return Ok(0);
        }
    }
    let f = s.native_upvalue(1);
    if f.is_function() {
        s.call_value(f, &[ud, key, val], 0)?;
        return Ok(0);
    }
    let mut k = Vec::new();
    s.to_string_raw(key, &mut k);
    let tn = match s.native_upvalue(2) {
        Value::Str(n) => n.to_str_lossy().into_owned(),
        _ => "userdata".to_owned(),
    };
    Err(s.lib_error(&format!(
        "cannot set field '{}' of a {tn} value",
        String::from_utf8_lossy(&k)
    )))
}

/// The metatable of `T` in this VM (built on first use).
fn metatable_of<T: UserData>(lua: &mut Lua<'_>) -> Result<LuaTable> {
    let id = TypeId::of::<T>();
    if let Some(mt) = lua.state.host.userdata_meta.get(&id) {
        return Ok(mt.clone());
    }
    let mut m = UserDataMethods::<T>::new();
    T::add_methods(&mut m);
    let mt = lua.create_table();
    mt.raw_set(lua, "__name", T::type_name())?;
    let methods = lua.create_table();
    let has_methods = !m.methods.is_empty();
    for (name, f) in m.methods {
        let func = make_function(lua.state, &name, f);
        methods.raw_set(lua, name, func)?;
    }
    let mut custom_index = LuaValue::Nil;
    let mut custom_newindex = LuaValue::Nil;
    for (meta, f) in m.meta {
        let func = make_function(lua.state, meta.name(), f);
        match meta {
            MetaMethod::Index => custom_index = LuaValue::Function(func),
            MetaMethod::NewIndex => custom_newindex = LuaValue::Function(func),
            other => mt.raw_set(lua, other.name(), func)?,
        }
    }
    if m.getters.is_empty() && custom_index.is_nil() {
        if has_methods {
            mt.raw_set(lua, "__index", &methods)?;
        }
    } else {
        let getters = lua.create_table();
        for (name, f) in m.getters {
            let func = make_function(lua.state, &name, f);
            getters.raw_set(lua, name, func)?;
        }
        let up = [
            lua.raw_of(&LuaValue::Table(methods))?,
            lua.raw_of(&LuaValue::Table(getters.clone()))?,
            lua.raw_of(&custom_index)?,
        ];
        let c = lua
            .state
            .new_native_closure(ud_index, "__index", up.to_vec());
        let c = lua.value_of(c);
        mt.raw_set(lua, "__index", c)?;
        drop(getters);
    }
    if !m.setters.is_empty() || !custom_newindex.is_nil() {
        let setters = lua.create_table();
        for (name, f) in m.setters {
            let func = make_function(lua.state, &name, f);
            setters.raw_set(lua, name, func)?;
        }
        let tn = lua.state.str_value(T::type_name().as_bytes());
        let up = vec![
            lua.raw_of(&LuaValue::Table(setters))?,
            lua.raw_of(&custom_newindex)?,
            tn,
        ];
        let c = lua.state.new_native_closure(ud_newindex, "__newindex", up);
        let c = lua.value_of(c);
        mt.raw_set(lua, "__newindex", c)?;
    }
    lua.state.host.userdata_meta.insert(id, mt.clone());
    Ok(mt)
}

pub(crate) fn create<T: UserData>(lua: &mut Lua<'_>, data: T) -> Result<AnyUserData> {
    let mt = metatable_of::<T>(lua)?;
    let Value::Table(mt) = handle_raw(lua.state, &mt.0)? else {
        return Err(Error::new(
            ErrorKind::Usage,
            "userdata metatable is not a table",
        ));
    };
    let ud = lua.state.new_userdata(Box::new(data), Some(mt));
    Ok(AnyUserData(lua.state.host.root(Value::UserData(ud))))
}

impl AnyUserData {
    /// Whether the userdata holds a `T`.
    pub fn is<T: 'static>(&self, lua: &mut impl LuaApi) -> bool {
        let lua = lua.lua();
        match handle_raw(lua.state, &self.0) {
            Ok(Value::UserData(g)) => g.data.try_borrow().map(|d| d.is::<T>()).unwrap_or(false),
            _ => false,
        }
    }

    /// Run `f` with a shared borrow of the `T` inside.
    ///
    /// ```
    /// use luavm_vm::embed::{prelude::*, LuaVM, SafeOption, UserData};
    /// struct P(i32);
    /// impl UserData for P {}
    /// let mut vm = LuaVM::new(SafeOption::default());
    /// let u = vm.create_userdata(P(3)).unwrap();
    /// assert_eq!(u.borrow(&mut vm, |p: &P| p.0).unwrap(), 3);
    /// u.borrow_mut(&mut vm, |p: &mut P| p.0 = 4).unwrap();
    /// assert_eq!(u.borrow(&mut vm, |p: &P| p.0).unwrap(), 4);
    /// ```
    pub fn borrow<T: UserData, R>(
        &self,
        lua: &mut impl LuaApi,
        f: impl FnOnce(&T) -> R,
    ) -> Result<R> {
        let mut lua = lua.lua();
        with_ref(&mut lua, self, |_, t| f(t))
    }

    /// Run `f` with a mutable borrow of the `T` inside.
    pub fn borrow_mut<T: UserData, R>(
        &self,
        lua: &mut impl LuaApi,
        f: impl FnOnce(&mut T) -> R,
    ) -> Result<R> {
        let mut lua = lua.lua();
        with_mut(&mut lua, self, |_, t| f(t))
    }
}
