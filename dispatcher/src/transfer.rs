//! The `Send` value format: what crosses from one VM to another.
//!
//! A [`Packet`] is a graph of plain data: its roots are [`SendValue`]s; tables, Lua
//! functions, upvalue cells and transferable userdata are numbered objects that values
//! refer to by index, so cycles and shared references survive the copy (two references to
//! one table arrive as two references to one new table; two closures sharing an upvalue
//! still share it).
//!
//! - A Lua function travels as its `Arc<Proto>` plus its upvalue cells, copied recursively.
//! - The sender's globals table travels as [`SendValue::Globals`] and arrives as the
//!   receiver's globals (so a function's `_ENV` is rebound, and globals are never copied).
//! - Rust functions and library tables (tables in `package.loaded` that hold Rust
//!   functions, like `string`) travel by name ([`crate::names`]) and arrive as the
//!   receiver's own copy.
//! - Full userdata travel only when their type was registered with
//!   [`register_transferable`]; coroutines never do.
//! - Metatables of tables are carried only when [`ExportOptions::metatables`] asks.
//!
//! Invariants:
//! - export and import never run Lua code and never reach a GC safe point, so the `Gc`
//!   handles they hold in Rust locals stay valid (allocation does not collect);
//! - export is iterative (an explicit work list), so deep structures cannot overflow the
//!   Rust stack;
//! - what cannot be sent is refused with an error naming its path, e.g.
//!   "upvalue 'conn' (userdata) cannot be sent to a worker" — never dropped or turned into nil.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use luavm_compiler::Proto;
use luavm_vm::function::{LuaClosure, UpVal};
use luavm_vm::userdata::UserData;
use luavm_vm::{Gc, LuaResult, State, Table, Value};

use crate::names;

/// One value of a [`Packet`].
#[derive(Clone, Debug, PartialEq)]
pub enum SendValue {
    Nil,
    Bool(bool),
    Int(i64),
    Num(f64),
    LightUserData(usize),
    Str(Box<[u8]>),
    /// Table number `i` of the packet.
    Table(u32),
    /// Lua function number `i` of the packet.
    Function(u32),
    /// Userdata number `i` of the packet.
    UserData(u32),
    /// The sender's globals table: arrives as the receiver's.
    Globals,
    /// A Rust function or a library table, by name (`"string.format"`, `"string"`).
    Named(Arc<str>),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct TableData {
    /// Values of keys `1..=array.len()`.
    array: Vec<SendValue>,
    hash: Vec<(SendValue, SendValue)>,
    meta: Option<SendValue>,
}

#[derive(Clone, Debug)]
pub(crate) struct FuncData {
    proto: Arc<Proto>,
    /// Upvalue cell numbers, one per upvalue of the prototype.
    upvals: Vec<u32>,
}

#[derive(Clone)]
pub(crate) struct UserDataData {
    kind: usize,
    data: Arc<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for UserDataData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "userdata of kind {}", self.kind)
    }
}

/// Values copied out of one VM, ready to be copied into another (`Send + Sync`).
#[derive(Clone, Debug, Default)]
pub struct Packet {
    roots: Vec<SendValue>,
    tables: Vec<TableData>,
    funcs: Vec<FuncData>,
    cells: Vec<SendValue>,
    udata: Vec<UserDataData>,
}

/// How to export.
#[derive(Clone, Copy, Debug)]
pub struct ExportOptions {
    /// Carry the metatables of tables.
    pub metatables: bool,
    /// Wording of refusals: "cannot be sent {to}" ("to a worker", "from a worker").
    pub to: &'static str,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            metatables: false,
            to: "to a worker",
        }
    }
}

/// Plain data a Rust caller builds or reads (no functions, no cycles).
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Nil,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(Vec<u8>),
    /// A table as its key/value pairs.
    Table(Vec<(Data, Data)>),
}

impl From<bool> for Data {
    fn from(b: bool) -> Data {
        Data::Bool(b)
    }
}
impl From<i64> for Data {
    fn from(i: i64) -> Data {
        Data::Int(i)
    }
}
impl From<i32> for Data {
    fn from(i: i32) -> Data {
        Data::Int(i64::from(i))
    }
}
impl From<f64> for Data {
    fn from(f: f64) -> Data {
        Data::Num(f)
    }
}
impl From<&str> for Data {
    fn from(s: &str) -> Data {
        Data::Str(s.as_bytes().to_vec())
    }
}
impl From<String> for Data {
    fn from(s: String) -> Data {
        Data::Str(s.into_bytes())
    }
}
impl<T: Into<Data>> From<Vec<T>> for Data {
    /// A sequence `{v1, v2, ...}`.
    fn from(v: Vec<T>) -> Data {
        Data::Table(
            v.into_iter()
                .enumerate()
                .map(|(i, x)| (Data::Int(i as i64 + 1), x.into()))
                .collect(),
        )
    }
}

impl Data {
    /// The integer, if this is an integer (or a float with an exact integer value).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Data::Int(i) => Some(*i),
            Data::Num(f) => luavm_vm::value::float_to_int_exact(*f),
            _ => None,
        }
    }
    /// The number, if this is a number.
    pub fn as_num(&self) -> Option<f64> {
        match self {
            Data::Int(i) => Some(*i as f64),
            Data::Num(f) => Some(*f),
            _ => None,
        }
    }
    /// The string (lossy UTF-8), if this is a string.
    pub fn as_str(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Data::Str(s) => Some(String::from_utf8_lossy(s)),
            _ => None,
        }
    }
    /// The value at `key` of a table.
    pub fn get(&self, key: &Data) -> Option<&Data> {
        match self {
            Data::Table(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Deepest nesting `Packet::from_data` / `to_data` accept.
const MAX_DATA_DEPTH: usize = 200;

impl Packet {
    /// Number of root values.
    pub fn len(&self) -> usize {
        self.roots.len()
    }
    /// Whether there is no root value.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
    /// Root value `i`.
    pub fn root(&self, i: usize) -> Option<&SendValue> {
        self.roots.get(i)
    }
    /// A packet of plain data values.
    pub fn from_data(values: &[Data]) -> Result<Packet, String> {
        let mut p = Packet::default();
        for v in values {
            let sv = p.add_data(v, 0)?;
            p.roots.push(sv);
        }
        Ok(p)
    }

    fn add_data(&mut self, d: &Data, depth: usize) -> Result<SendValue, String> {
        if depth > MAX_DATA_DEPTH {
            return Err("data nested too deeply".into());
        }
        Ok(match d {
            Data::Nil => SendValue::Nil,
            Data::Bool(b) => SendValue::Bool(*b),
            Data::Int(i) => SendValue::Int(*i),
            Data::Num(f) => SendValue::Num(*f),
            Data::Str(s) => SendValue::Str(s.clone().into_boxed_slice()),
            Data::Table(pairs) => {
                let id = self.tables.len();
                self.tables.push(TableData::default());
                let mut hash = Vec::with_capacity(pairs.len());
                for (k, v) in pairs {
                    if matches!(k, Data::Nil) {
                        return Err("table key is nil".into());
                    }
                    if matches!(k, Data::Num(f) if f.is_nan()) {
                        return Err("table key is NaN".into());
                    }
                    let k = self.add_data(k, depth + 1)?;
                    let v = self.add_data(v, depth + 1)?;
                    hash.push((k, v));
                }
                self.tables[id].hash = hash;
                SendValue::Table(id as u32)
            }
        })
    }

    /// The roots as plain data; refuses functions, userdata, globals and cycles.
    pub fn to_data(&self) -> Result<Vec<Data>, String> {
        let mut on_path = vec![false; self.tables.len()];
        self.roots
            .iter()
            .map(|v| self.data_of(v, &mut on_path, 0))
            .collect()
    }

    fn data_of(&self, v: &SendValue, on_path: &mut [bool], depth: usize) -> Result<Data, String> {
        if depth > MAX_DATA_DEPTH {
            return Err("data nested too deeply".into());
        }
        Ok(match v {
            SendValue::Nil => Data::Nil,
            SendValue::Bool(b) => Data::Bool(*b),
            SendValue::Int(i) => Data::Int(*i),
            SendValue::Num(f) => Data::Num(*f),
            SendValue::Str(s) => Data::Str(s.to_vec()),
            SendValue::Table(id) => {
                let id = *id as usize;
                let Some(t) = self.tables.get(id) else {
                    return Err("malformed packet".into());
                };
                if on_path[id] {
                    return Err("cyclic table cannot be converted to data".into());
                }
                on_path[id] = true;
                let mut pairs = Vec::with_capacity(t.array.len() + t.hash.len());
                for (i, v) in t.array.iter().enumerate() {
                    pairs.push((
                        Data::Int(i as i64 + 1),
                        self.data_of(v, on_path, depth + 1)?,
                    ));
                }
                for (k, v) in &t.hash {
                    pairs.push((
                        self.data_of(k, on_path, depth + 1)?,
                        self.data_of(v, on_path, depth + 1)?,
                    ));
                }
                on_path[id] = false;
                Data::Table(pairs)
            }
            SendValue::LightUserData(_) => return Err("a light userdata is not data".into()),
            SendValue::Function(_) => return Err("a function is not data".into()),
            SendValue::UserData(_) => return Err("a userdata is not data".into()),
            SendValue::Globals => return Err("the globals table is not data".into()),
            SendValue::Named(n) => return Err(format!("'{n}' is not data")),
        })
    }

    /// Append the roots of `other` after this packet's roots (objects are renumbered).
    pub fn append(&mut self, other: &Packet) {
        let (t0, f0, c0, u0) = (
            self.tables.len() as u32,
            self.funcs.len() as u32,
            self.cells.len() as u32,
            self.udata.len() as u32,
        );
        let shift = |v: &SendValue| match v {
            SendValue::Table(i) => SendValue::Table(i + t0),
            SendValue::Function(i) => SendValue::Function(i + f0),
            SendValue::UserData(i) => SendValue::UserData(i + u0),
            other => other.clone(),
        };
        for t in &other.tables {
            self.tables.push(TableData {
                array: t.array.iter().map(shift).collect(),
                hash: t.hash.iter().map(|(k, v)| (shift(k), shift(v))).collect(),
                meta: t.meta.as_ref().map(shift),
            });
        }
        for f in &other.funcs {
            self.funcs.push(FuncData {
                proto: f.proto.clone(),
                upvals: f.upvals.iter().map(|c| c + c0).collect(),
            });
        }
        self.cells.extend(other.cells.iter().map(shift));
        self.udata.extend(other.udata.iter().cloned());
        self.roots.extend(other.roots.iter().map(shift));
    }
}

// ---- transferable userdata ---------------------------------------------------------

struct Kind {
    type_id: TypeId,
    metatable: String,
    export: fn(&dyn Any) -> Option<Arc<dyn Any + Send + Sync>>,
    import: fn(&(dyn Any + Send + Sync)) -> Option<Box<dyn Any>>,
}

static KINDS: RwLock<Vec<Kind>> = RwLock::new(Vec::new());

fn export_as<T: Any + Clone + Send + Sync>(d: &dyn Any) -> Option<Arc<dyn Any + Send + Sync>> {
    d.downcast_ref::<T>()
        .map(|t| Arc::new(t.clone()) as Arc<dyn Any + Send + Sync>)
}

fn import_as<T: Any + Clone + Send + Sync>(d: &(dyn Any + Send + Sync)) -> Option<Box<dyn Any>> {
    let any: &dyn Any = d;
    any.downcast_ref::<T>()
        .map(|t| Box::new(t.clone()) as Box<dyn Any>)
}

/// Mark full userdata whose data is a `T` as transferable: they are sent as a clone of
/// their `T`, and arrive with the metatable stored in the receiver's registry under
/// `metatable` (the `luaL_newmetatable` convention), or none. Registering a type twice
/// keeps the first registration.
pub fn register_transferable<T: Any + Clone + Send + Sync>(metatable: &str) {
    let mut kinds = match KINDS.write() {
        Ok(k) => k,
        Err(poisoned) => poisoned.into_inner(),
    };
    if kinds.iter().any(|k| k.type_id == TypeId::of::<T>()) {
        return;
    }
    kinds.push(Kind {
        type_id: TypeId::of::<T>(),
        metatable: metatable.to_string(),
        export: export_as::<T>,
        import: import_as::<T>,
    });
}

fn with_kinds<R>(f: impl FnOnce(&[Kind]) -> R) -> R {
    match KINDS.read() {
        Ok(k) => f(&k),
        Err(poisoned) => f(&poisoned.into_inner()),
    }
}

// ---- export -------------------------------------------------------------------------

/// Where an object was first found (for refusal messages).
#[derive(Clone, Copy)]
enum Obj {
    Root(usize),
    Table(u32),
    Func(u32),
    Cell(u32),
}

#[derive(Clone, Copy)]
enum Seg {
    /// The root value itself.
    Root,
    /// The value at this key of a table.
    Field(Value),
    /// A key of a table.
    Key,
    /// Upvalue `i` of a function.
    Upvalue(u32),
    /// The content of an upvalue cell.
    Content,
    /// The metatable of a table.
    Metatable,
}

enum Pending {
    Table(u32, Gc<Table>),
    Func(u32, Gc<LuaClosure>),
    Cell(u32, Gc<UpVal>),
}

struct Exporter<'a, 's> {
    s: &'s mut State,
    labels: &'a dyn Fn(usize) -> String,
    opts: ExportOptions,
    globals: Gc<Table>,
    p: Packet,
    seen: HashMap<usize, SendValue>,
    cell_ids: HashMap<usize, u32>,
    table_from: Vec<(Obj, Seg)>,
    func_from: Vec<(Obj, Seg)>,
    cell_from: Vec<(Obj, Seg)>,
    work: Vec<Pending>,
}

/// Copy `values` out of `s`. `labels(i)` names root `i` in refusal messages ("argument
/// #2"; "" for a task's function, so that its upvalues read as "upvalue 'x'").
pub fn export(
    s: &mut State,
    values: &[Value],
    labels: &dyn Fn(usize) -> String,
    opts: ExportOptions,
) -> Result<Packet, String> {
    let globals = s.globals();
    let mut e = Exporter {
        s,
        labels,
        opts,
        globals,
        p: Packet::default(),
        seen: HashMap::new(),
        cell_ids: HashMap::new(),
        table_from: Vec::new(),
        func_from: Vec::new(),
        cell_from: Vec::new(),
        work: Vec::new(),
    };
    for (i, v) in values.iter().enumerate() {
        let sv = e.value(*v, Obj::Root(i), Seg::Root)?;
        e.p.roots.push(sv);
    }
    while let Some(w) = e.work.pop() {
        match w {
            Pending::Table(id, t) => e.fill_table(id, t)?,
            Pending::Func(id, cl) => e.fill_func(id, cl),
            Pending::Cell(id, u) => {
                let v = e.value(u.get(), Obj::Cell(id), Seg::Content)?;
                e.p.cells[id as usize] = v;
            }
        }
    }
    Ok(e.p)
}

impl Exporter<'_, '_> {
    fn value(&mut self, v: Value, from: Obj, seg: Seg) -> Result<SendValue, String> {
        Ok(match v {
            Value::Nil => SendValue::Nil,
            Value::Bool(b) => SendValue::Bool(b),
            Value::Int(i) => SendValue::Int(i),
            Value::Num(f) => SendValue::Num(f),
            Value::LightUserData(p) => SendValue::LightUserData(p),
            Value::Str(s) => SendValue::Str(s.as_bytes().into()),
            Value::Table(t) => {
                if Gc::ptr_eq(t, self.globals) {
                    return Ok(SendValue::Globals);
                }
                if let Some(sv) = self.seen.get(&t.addr()) {
                    return Ok(sv.clone());
                }
                let sv = match names::name_of(self.s, v) {
                    Some(n) => SendValue::Named(n),
                    None => {
                        let id = self.p.tables.len() as u32;
                        self.p.tables.push(TableData::default());
                        self.table_from.push((from, seg));
                        self.work.push(Pending::Table(id, t));
                        SendValue::Table(id)
                    }
                };
                self.seen.insert(t.addr(), sv.clone());
                sv
            }
            Value::LuaFn(cl) => {
                if let Some(sv) = self.seen.get(&cl.addr()) {
                    return Ok(sv.clone());
                }
                let id = self.p.funcs.len() as u32;
                self.p.funcs.push(FuncData {
                    proto: cl.p.proto.clone(),
                    upvals: Vec::new(),
                });
                self.func_from.push((from, seg));
                self.work.push(Pending::Func(id, cl));
                let sv = SendValue::Function(id);
                self.seen.insert(cl.addr(), sv.clone());
                sv
            }
            Value::NativeFn(_) | Value::NativeClosure(_) => match names::name_of(self.s, v) {
                Some(n) => SendValue::Named(n),
                None => return Err(self.refuse(from, seg, "Rust function")),
            },
            Value::UserData(u) => {
                if let Some(sv) = self.seen.get(&u.addr()) {
                    return Ok(sv.clone());
                }
                match export_userdata(u) {
                    Some(ud) => {
                        let id = self.p.udata.len() as u32;
                        self.p.udata.push(ud);
                        let sv = SendValue::UserData(id);
                        self.seen.insert(u.addr(), sv.clone());
                        sv
                    }
                    None => {
                        let ty = self.s.obj_type_name(v);
                        return Err(self.refuse(from, seg, &ty));
                    }
                }
            }
            Value::Thread(_) => return Err(self.refuse(from, seg, "thread")),
        })
    }

    fn fill_table(&mut self, id: u32, t: Gc<Table>) -> Result<(), String> {
        let mut array = Vec::new();
        let mut hash = Vec::new();
        let mut k = Value::Nil;
        while let Ok(Some((nk, nv))) = t.next(k) {
            k = nk;
            let kv = match nk {
                Value::Int(i) if hash.is_empty() && i == array.len() as i64 + 1 => None,
                _ => Some(self.value(nk, Obj::Table(id), Seg::Key)?),
            };
            let vv = self.value(nv, Obj::Table(id), Seg::Field(nk))?;
            match kv {
                None => array.push(vv),
                Some(kv) => hash.push((kv, vv)),
            }
        }
        let meta = match (self.opts.metatables, t.metatable()) {
            (true, Some(mt)) => {
                Some(self.value(Value::Table(mt), Obj::Table(id), Seg::Metatable)?)
            }
            _ => None,
        };
        let td = &mut self.p.tables[id as usize];
        td.array = array;
        td.hash = hash;
        td.meta = meta;
        Ok(())
    }

    fn fill_func(&mut self, id: u32, cl: Gc<LuaClosure>) {
        let mut upvals = Vec::with_capacity(cl.upvals.len());
        for (i, u) in cl.upvals.iter().enumerate() {
            let cid = match self.cell_ids.get(&u.addr()) {
                Some(c) => *c,
                None => {
                    let c = self.p.cells.len() as u32;
                    self.p.cells.push(SendValue::Nil);
                    self.cell_ids.insert(u.addr(), c);
                    self.cell_from.push((Obj::Func(id), Seg::Upvalue(i as u32)));
                    self.work.push(Pending::Cell(c, *u));
                    c
                }
            };
            upvals.push(cid);
        }
        self.p.funcs[id as usize].upvals = upvals;
    }

    /// "upvalue 'conn' (userdata) cannot be sent to a worker".
    fn refuse(&self, from: Obj, seg: Seg, ty: &str) -> String {
        let path = self.path(from, seg);
        let path = if path.is_empty() {
            "value".to_string()
        } else {
            path
        };
        format!("{path} ({ty}) cannot be sent {}", self.opts.to)
    }

    /// The path to the value at `seg` of `from`, innermost unit first:
    /// "upvalue 'conn' of argument #2.handler".
    fn path(&self, from: Obj, seg: Seg) -> String {
        // segs[j] is a segment inside owners[j]; walk from the value up to its root
        let mut segs = vec![seg];
        let mut owners = vec![from];
        let mut at = from;
        let root = loop {
            let (parent, s) = match at {
                Obj::Root(i) => break i,
                Obj::Table(i) => self.table_from[i as usize],
                Obj::Func(i) => self.func_from[i as usize],
                Obj::Cell(i) => self.cell_from[i as usize],
            };
            segs.push(s);
            owners.push(parent);
            at = parent;
        };
        // walk from the root down, building units
        let mut units: Vec<String> = vec![(self.labels)(root)];
        // segs[j] is a segment of owners[j]'s content (segs[0] of `from`)
        for j in (0..segs.len()).rev() {
            match segs[j] {
                Seg::Root | Seg::Content => {}
                Seg::Field(k) => {
                    if let Some(u) = units.last_mut() {
                        u.push_str(&field_text(k));
                    }
                }
                Seg::Key => units.push("a key".into()),
                Seg::Metatable => units.push("the metatable".into()),
                Seg::Upvalue(i) => {
                    let name = match owners.get(j) {
                        Some(Obj::Func(f)) => self
                            .p
                            .funcs
                            .get(*f as usize)
                            .and_then(|fd| fd.proto.upvalues.get(i as usize))
                            .and_then(|d| d.name.as_ref())
                            .map(|n| String::from_utf8_lossy(n).into_owned()),
                        _ => None,
                    };
                    units.push(match name {
                        Some(n) => format!("upvalue '{n}'"),
                        None => format!("upvalue #{}", i + 1),
                    });
                }
            }
        }
        let parts: Vec<&str> = units
            .iter()
            .rev()
            .map(String::as_str)
            .filter(|u| !u.is_empty())
            .collect();
        parts.join(" of ")
    }
}

/// ".name", "[3]", "[\"a b\"]" for a field key in a path.
fn field_text(k: Value) -> String {
    match k {
        Value::Str(s) => {
            let b = s.as_bytes();
            let ident = !b.is_empty()
                && !b[0].is_ascii_digit()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
            if ident {
                format!(".{}", s.to_str_lossy())
            } else {
                let mut t: String = s.to_str_lossy().chars().take(40).collect();
                if s.len() > 40 {
                    t.push_str("...");
                }
                format!("[{t:?}]")
            }
        }
        Value::Int(i) => format!("[{i}]"),
        Value::Num(f) => format!("[{f}]"),
        Value::Bool(b) => format!("[{b}]"),
        other => format!("[{}]", other.type_name()),
    }
}

fn export_userdata(u: Gc<UserData>) -> Option<UserDataData> {
    let data = u.data.try_borrow().ok()?;
    let any: &dyn Any = &**data;
    let tid = any.type_id();
    with_kinds(|kinds| {
        kinds
            .iter()
            .position(|k| k.type_id == tid)
            .and_then(|i| (kinds[i].export)(any).map(|d| UserDataData { kind: i, data: d }))
    })
}

// ---- import -------------------------------------------------------------------------

/// Loaded prototypes of one VM, so that a function sent again does not load again.
/// The loaded prototypes stay reachable through closures in a registry table of this
/// cache's own; an entry is used only if its closure still has the same prototype.
pub struct ProtoCache {
    key: String,
    map: HashMap<usize, (Arc<Proto>, i64)>,
}

static NEXT_CACHE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Default for ProtoCache {
    fn default() -> Self {
        let n = NEXT_CACHE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ProtoCache {
            key: format!("luavm.dispatcher.protos.{n}"),
            map: HashMap::new(),
        }
    }
}

const PROTO_CACHE_MAX: usize = 4096;

impl ProtoCache {
    fn table(&mut self, s: &mut State, fresh: bool) -> Gc<Table> {
        let reg = s.registry();
        let key = s.str_value(self.key.as_bytes());
        if !fresh {
            if let Value::Table(t) = reg.get(key) {
                return t;
            }
        }
        let t = s.new_table();
        s.raw_set(reg, key, Value::Table(t));
        self.map.clear();
        t
    }

    fn load(&mut self, s: &mut State, p: &Arc<Proto>) -> Gc<luavm_vm::function::LuaProto> {
        let mut table = self.table(s, false);
        let addr = Arc::as_ptr(p) as usize;
        if let Some((_, slot)) = self.map.get(&addr) {
            if let Value::LuaFn(c) = table.get_int(*slot) {
                if Arc::ptr_eq(&c.p.proto, p) {
                    return c.p;
                }
            }
        }
        if self.map.len() >= PROTO_CACHE_MAX {
            table = self.table(s, true);
        }
        let lp = s.load_proto(p);
        let slot = self.map.len() as i64 + 1;
        // a closure without upvalues keeps the loaded prototype alive
        let cl = s.heap.alloc(LuaClosure::new(lp, Box::new([])));
        s.raw_set_int(table, slot, Value::LuaFn(cl));
        self.map.insert(addr, (p.clone(), slot));
        lp
    }
}

fn fail(s: &mut State, msg: &str) -> luavm_vm::LuaError {
    let v = s.str_value(msg.as_bytes());
    s.set_error(v)
}

impl Packet {
    /// Copy the roots into `s` and push them; returns how many were pushed. Fails (with a
    /// Lua error) when a name cannot be resolved or a userdata kind is unknown here.
    pub fn import(&self, s: &mut State, cache: &mut ProtoCache) -> LuaResult<usize> {
        let tables: Vec<Gc<Table>> = self
            .tables
            .iter()
            .map(|t| s.new_table_with(t.array.len(), t.hash.len()))
            .collect();
        let cells: Vec<Gc<UpVal>> = self
            .cells
            .iter()
            .map(|_| {
                let u = s.heap.alloc(UpVal::new_closed(Value::Nil));
                u.fix_closed();
                u
            })
            .collect();
        let mut funcs = Vec::with_capacity(self.funcs.len());
        for f in &self.funcs {
            let lp = cache.load(s, &f.proto);
            if lp.proto.upvalues.len() != f.upvals.len() {
                return Err(fail(s, "malformed function in transfer"));
            }
            let mut ups = Vec::with_capacity(f.upvals.len());
            for c in &f.upvals {
                match cells.get(*c as usize) {
                    Some(u) => ups.push(*u),
                    None => return Err(fail(s, "malformed function in transfer")),
                }
            }
            funcs.push(s.heap.alloc(LuaClosure::new(lp, ups.into_boxed_slice())));
        }
        let mut udata = Vec::with_capacity(self.udata.len());
        for u in &self.udata {
            let made = with_kinds(|kinds| {
                kinds
                    .get(u.kind)
                    .and_then(|k| (k.import)(&*u.data).map(|d| (d, k.metatable.clone())))
            });
            let Some((data, mtname)) = made else {
                return Err(fail(s, "userdata kind unknown in this VM"));
            };
            let reg = s.registry();
            let key = s.str_value(mtname.as_bytes());
            let mt = match reg.get(key) {
                Value::Table(t) => Some(t),
                _ => None,
            };
            udata.push(s.new_userdata(data, mt));
        }
        let objs = Objects {
            tables: &tables,
            funcs: &funcs,
            udata: &udata,
        };
        for (i, c) in self.cells.iter().enumerate() {
            let v = objs.value(s, c)?;
            cells[i].set(v);
        }
        for (i, td) in self.tables.iter().enumerate() {
            let t = tables[i];
            for (j, v) in td.array.iter().enumerate() {
                let v = objs.value(s, v)?;
                s.raw_set_int(t, j as i64 + 1, v);
            }
            for (k, v) in &td.hash {
                let k = objs.value(s, k)?;
                let v = objs.value(s, v)?;
                if k.is_nil() || matches!(k, Value::Num(f) if f.is_nan()) {
                    continue;
                }
                s.raw_set(t, k, v);
            }
            if let Some(m) = &td.meta {
                if let Value::Table(mt) = objs.value(s, m)? {
                    t.set_metatable(Some(mt));
                }
            }
        }
        s.check_stack(self.roots.len())?;
        for r in &self.roots {
            let v = objs.value(s, r)?;
            s.push(v);
        }
        Ok(self.roots.len())
    }
}

struct Objects<'a> {
    tables: &'a [Gc<Table>],
    funcs: &'a [Gc<LuaClosure>],
    udata: &'a [Gc<UserData>],
}

impl Objects<'_> {
    fn value(&self, s: &mut State, v: &SendValue) -> LuaResult<Value> {
        Ok(match v {
            SendValue::Nil => Value::Nil,
            SendValue::Bool(b) => Value::Bool(*b),
            SendValue::Int(i) => Value::Int(*i),
            SendValue::Num(f) => Value::Num(*f),
            SendValue::LightUserData(p) => Value::LightUserData(*p),
            SendValue::Str(b) => s.str_value(b),
            SendValue::Table(i) => match self.tables.get(*i as usize) {
                Some(t) => Value::Table(*t),
                None => return Err(fail(s, "malformed packet")),
            },
            SendValue::Function(i) => match self.funcs.get(*i as usize) {
                Some(f) => Value::LuaFn(*f),
                None => return Err(fail(s, "malformed packet")),
            },
            SendValue::UserData(i) => match self.udata.get(*i as usize) {
                Some(u) => Value::UserData(*u),
                None => return Err(fail(s, "malformed packet")),
            },
            SendValue::Globals => Value::Table(s.globals()),
            SendValue::Named(n) => match names::resolve(s, n) {
                Some(v) => v,
                None => {
                    return Err(fail(s, &format!("'{n}' is not available in this VM")));
                }
            },
        })
    }
}
