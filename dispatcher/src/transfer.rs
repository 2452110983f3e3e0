//! The `Send` value format: what crosses from one VM to another.
//!
//! A [`Packet`] is a graph of plain data: its roots are `SendValue`s; tables, Lua
//! functions, upvalue cells and transferable userdata are numbered objects that values
//! refer to by index, so cycles and shared references survive the copy (two references to
//! one table arrive as two references to one new table; two closures sharing an upvalue
//! still share it).
//!
//! - A Lua function travels as its `Arc<Proto>` plus its upvalue cells, copied recursively.
//! - The sender's globals table travels as `SendValue::Globals` and arrives as the
//!   receiver's globals (so a function's `_ENV` is rebound, and globals are never copied).
//! - Rust functions and library tables (tables in `package.loaded` that hold Rust
//!   functions, like `string`) travel by name (`crate::names`) and arrive as the
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
use std::sync::{Arc, RwLock};

use ahash::AHashMap;
use smallvec::SmallVec;

use luavm_compiler::Proto;
use luavm_vm::function::{LuaClosure, UpVal};
use luavm_vm::userdata::UserData;
use luavm_vm::{Gc, LuaResult, State, Table, Value};

use crate::names::Names;

/// One value of a [`Packet`]. Objects are numbers into the packet's tables; strings and
/// names are ranges of its byte arena.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SendValue {
    Nil,
    Bool(bool),
    Int(i64),
    Num(f64),
    LightUserData(usize),
    /// Bytes `at..at + len` of the arena.
    Str(u32, u32),
    /// Table number `i` of the packet.
    Table(u32),
    /// Lua function number `i` of the packet.
    Function(u32),
    /// Userdata number `i` of the packet.
    UserData(u32),
    /// The sender's globals table: arrives as the receiver's.
    Globals,
    /// A Rust function or a library table, by name (`"string.format"`, `"string"`), as a
    /// range of the arena.
    Named(u32, u32),
}

/// A range `start..start + len` of one of the packet's vectors.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct TableData {
    /// Values of keys `1..=array.len` (in `values`).
    array: Span,
    /// Other entries (in `pairs`).
    hash: Span,
    meta: Option<SendValue>,
}

#[derive(Clone, Debug)]
struct FuncData {
    proto: Arc<Proto>,
    /// Upvalue cell numbers (in `upvals`), one per upvalue of the prototype.
    upvals: Span,
}

#[derive(Clone)]
struct UserDataData {
    kind: usize,
    data: Arc<dyn Any + Send + Sync>,
}

impl std::fmt::Debug for UserDataData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "userdata of kind {}", self.kind)
    }
}

/// Values copied out of one VM, ready to be copied into another (`Send + Sync`). The
/// layout is flat (a few vectors per packet, not per table), so that a copy allocates
/// little.
#[derive(Clone, Debug, Default)]
pub struct Packet {
    /// (Inline up to two: most packets are one argument list or one result.)
    roots: SmallVec<[SendValue; 2]>,
    tables: Vec<TableData>,
    values: Vec<SendValue>,
    pairs: Vec<(SendValue, SendValue)>,
    funcs: Vec<FuncData>,
    upvals: Vec<u32>,
    cells: Vec<SendValue>,
    udata: Vec<UserDataData>,
    bytes: Vec<u8>,
}

/// Largest packet arena (strings and names), and most objects of one kind.
const MAX_PACKET: usize = u32::MAX as usize;

fn span_of(start: usize, end: usize) -> Span {
    Span {
        start: start as u32,
        len: (end - start) as u32,
    }
}

impl Packet {
    /// Store `b` in the arena.
    fn bytes_of(&mut self, b: &[u8]) -> Result<(u32, u32), String> {
        let at = self.bytes.len();
        if at + b.len() > MAX_PACKET {
            return Err("values too large to send".into());
        }
        self.bytes.extend_from_slice(b);
        Ok((at as u32, b.len() as u32))
    }
    fn arena(&self, at: u32, len: u32) -> &[u8] {
        self.bytes
            .get(at as usize..at as usize + len as usize)
            .unwrap_or(&[])
    }
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
    /// Approximate size in bytes (for accounting).
    pub fn size(&self) -> usize {
        std::mem::size_of::<SendValue>()
            * (self.roots.len() + self.values.len() + 2 * self.pairs.len() + self.cells.len())
            + self.bytes.len()
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
            Data::Str(s) => {
                let (at, len) = self.bytes_of(s)?;
                SendValue::Str(at, len)
            }
            Data::Table(entries) => {
                let id = self.tables.len();
                self.tables.push(TableData::default());
                // convert the entries first (nested tables append their own), then store
                // this table's entries contiguously
                let mut hash = Vec::with_capacity(entries.len());
                for (k, v) in entries {
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
                let start = self.pairs.len();
                self.pairs.extend(hash);
                self.tables[id].hash = span_of(start, self.pairs.len());
                SendValue::Table(id as u32)
            }
        })
    }

    /// The roots as plain data; refuses functions, userdata, globals and cycles.
    pub fn to_data(&self) -> Result<Vec<Data>, String> {
        let mut on_path = vec![false; self.tables.len()];
        self.roots
            .iter()
            .map(|v| self.data_of(*v, &mut on_path, 0))
            .collect()
    }

    fn data_of(&self, v: SendValue, on_path: &mut [bool], depth: usize) -> Result<Data, String> {
        if depth > MAX_DATA_DEPTH {
            return Err("data nested too deeply".into());
        }
        Ok(match v {
            SendValue::Nil => Data::Nil,
            SendValue::Bool(b) => Data::Bool(b),
            SendValue::Int(i) => Data::Int(i),
            SendValue::Num(f) => Data::Num(f),
            SendValue::Str(at, len) => Data::Str(self.arena(at, len).to_vec()),
            SendValue::Table(id) => {
                let id = id as usize;
                let (Some(t), Some(seen)) = (self.tables.get(id), on_path.get(id).copied()) else {
                    return Err("malformed packet".into());
                };
                if seen {
                    return Err("cyclic table cannot be converted to data".into());
                }
                on_path[id] = true;
                let array = self.values.get(t.array.range()).unwrap_or(&[]);
                let hash = self.pairs.get(t.hash.range()).unwrap_or(&[]);
                let mut out = Vec::with_capacity(array.len() + hash.len());
                for (i, v) in array.iter().enumerate() {
                    out.push((
                        Data::Int(i as i64 + 1),
                        self.data_of(*v, on_path, depth + 1)?,
                    ));
                }
                for (k, v) in hash {
                    out.push((
                        self.data_of(*k, on_path, depth + 1)?,
                        self.data_of(*v, on_path, depth + 1)?,
                    ));
                }
                on_path[id] = false;
                Data::Table(out)
            }
            SendValue::LightUserData(_) => return Err("a light userdata is not data".into()),
            SendValue::Function(_) => return Err("a function is not data".into()),
            SendValue::UserData(_) => return Err("a userdata is not data".into()),
            SendValue::Globals => return Err("the globals table is not data".into()),
            SendValue::Named(at, len) => {
                return Err(format!(
                    "'{}' is not data",
                    String::from_utf8_lossy(self.arena(at, len))
                ))
            }
        })
    }

    /// Append the roots of `other` after this packet's roots (objects are renumbered).
    pub fn append(&mut self, other: &Packet) {
        let t0 = self.tables.len() as u32;
        let f0 = self.funcs.len() as u32;
        let c0 = self.cells.len() as u32;
        let u0 = self.udata.len() as u32;
        let b0 = self.bytes.len() as u32;
        let v0 = self.values.len() as u32;
        let p0 = self.pairs.len() as u32;
        let up0 = self.upvals.len() as u32;
        let shift = |v: &SendValue| match *v {
            SendValue::Table(i) => SendValue::Table(i + t0),
            SendValue::Function(i) => SendValue::Function(i + f0),
            SendValue::UserData(i) => SendValue::UserData(i + u0),
            SendValue::Str(at, len) => SendValue::Str(at + b0, len),
            SendValue::Named(at, len) => SendValue::Named(at + b0, len),
            other => other,
        };
        self.bytes.extend_from_slice(&other.bytes);
        self.values.extend(other.values.iter().map(shift));
        self.pairs
            .extend(other.pairs.iter().map(|(k, v)| (shift(k), shift(v))));
        for t in &other.tables {
            self.tables.push(TableData {
                array: Span {
                    start: t.array.start + v0,
                    len: t.array.len,
                },
                hash: Span {
                    start: t.hash.start + p0,
                    len: t.hash.len,
                },
                meta: t.meta.as_ref().map(shift),
            });
        }
        self.upvals.extend(other.upvals.iter().map(|c| c + c0));
        for f in &other.funcs {
            self.funcs.push(FuncData {
                proto: f.proto.clone(),
                upvals: Span {
                    start: f.upvals.start + up0,
                    len: f.upvals.len,
                },
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
    seen: AHashMap<usize, SendValue>,
    cell_ids: AHashMap<usize, u32>,
    table_from: Vec<(Obj, Seg)>,
    func_from: Vec<(Obj, Seg)>,
    cell_from: Vec<(Obj, Seg)>,
    work: Vec<Pending>,
    names: Option<Names>,
    rebuilt: bool,
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
        seen: AHashMap::default(),
        cell_ids: AHashMap::default(),
        table_from: Vec::new(),
        func_from: Vec::new(),
        cell_from: Vec::new(),
        work: Vec::new(),
        names: None,
        rebuilt: false,
    };
    for (i, v) in values.iter().enumerate() {
        let sv = e.value(*v, Obj::Root(i), Seg::Root)?;
        e.p.roots.push(sv);
    }
    while let Some(w) = e.work.pop() {
        match w {
            Pending::Table(id, t) => e.fill_table(id, t)?,
            Pending::Func(id, cl) => e.fill_func(id, cl)?,
            Pending::Cell(id, u) => {
                let v = e.value(u.get(), Obj::Cell(id), Seg::Content)?;
                e.p.cells[id as usize] = v;
            }
        }
    }
    Ok(e.p)
}

impl Exporter<'_, '_> {
    /// The name of a Rust function or library table; for a function without one, the
    /// name tables are rebuilt once (it may have been registered since).
    fn name_of(&mut self, v: Value) -> Result<Option<SendValue>, String> {
        let names = match self.names {
            Some(n) => n,
            None => {
                let n = Names::of(self.s);
                self.names = Some(n);
                n
            }
        };
        let mut found = names.name_of(v);
        if found.is_none() && !self.rebuilt && !matches!(v, Value::Table(_)) {
            self.rebuilt = true;
            let n = Names::rebuild(self.s);
            self.names = Some(n);
            found = n.name_of(v);
        }
        match found {
            Some(n) => {
                let (at, len) = self.p.bytes_of(n.as_bytes())?;
                Ok(Some(SendValue::Named(at, len)))
            }
            None => Ok(None),
        }
    }

    fn new_id(len: usize) -> Result<u32, String> {
        u32::try_from(len).map_err(|_| "too many objects to send".to_string())
    }

    fn value(&mut self, v: Value, from: Obj, seg: Seg) -> Result<SendValue, String> {
        Ok(match v {
            Value::Nil => SendValue::Nil,
            Value::Bool(b) => SendValue::Bool(b),
            Value::Int(i) => SendValue::Int(i),
            Value::Num(f) => SendValue::Num(f),
            Value::LightUserData(p) => SendValue::LightUserData(p),
            Value::Str(s) => {
                let (at, len) = self.p.bytes_of(s.as_bytes())?;
                SendValue::Str(at, len)
            }
            Value::Table(t) => {
                if Gc::ptr_eq(t, self.globals) {
                    return Ok(SendValue::Globals);
                }
                if let Some(sv) = self.seen.get(&t.addr()) {
                    return Ok(*sv);
                }
                let sv = match self.name_of(v)? {
                    Some(n) => n,
                    None => {
                        let id = Self::new_id(self.p.tables.len())?;
                        self.p.tables.push(TableData::default());
                        self.table_from.push((from, seg));
                        self.work.push(Pending::Table(id, t));
                        SendValue::Table(id)
                    }
                };
                self.seen.insert(t.addr(), sv);
                sv
            }
            Value::LuaFn(cl) => {
                if let Some(sv) = self.seen.get(&cl.addr()) {
                    return Ok(*sv);
                }
                let id = Self::new_id(self.p.funcs.len())?;
                self.p.funcs.push(FuncData {
                    proto: cl.p.proto.clone(),
                    upvals: Span::default(),
                });
                self.func_from.push((from, seg));
                self.work.push(Pending::Func(id, cl));
                let sv = SendValue::Function(id);
                self.seen.insert(cl.addr(), sv);
                sv
            }
            Value::NativeFn(_) | Value::NativeClosure(_) => match self.name_of(v)? {
                Some(n) => n,
                None => return Err(self.refuse(from, seg, "Rust function")),
            },
            Value::UserData(u) => {
                if let Some(sv) = self.seen.get(&u.addr()) {
                    return Ok(*sv);
                }
                match export_userdata(u) {
                    Some(ud) => {
                        let id = Self::new_id(self.p.udata.len())?;
                        self.p.udata.push(ud);
                        let sv = SendValue::UserData(id);
                        self.seen.insert(u.addr(), sv);
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
        // entries go straight to the packet's vectors: converting a value never appends
        // to them (new objects are only numbered and queued), so they stay contiguous
        let vstart = self.p.values.len();
        let pstart = self.p.pairs.len();
        let mut k = Value::Nil;
        while let Ok(Some((nk, nv))) = t.next(k) {
            k = nk;
            let in_array = self.p.pairs.len() == pstart
                && matches!(nk, Value::Int(i) if i == (self.p.values.len() - vstart) as i64 + 1);
            let vv = self.value(nv, Obj::Table(id), Seg::Field(nk))?;
            if in_array {
                self.p.values.push(vv);
            } else {
                let kv = self.value(nk, Obj::Table(id), Seg::Key)?;
                self.p.pairs.push((kv, vv));
            }
        }
        let meta = match (self.opts.metatables, t.metatable()) {
            (true, Some(mt)) => {
                Some(self.value(Value::Table(mt), Obj::Table(id), Seg::Metatable)?)
            }
            _ => None,
        };
        let td = &mut self.p.tables[id as usize];
        td.array = span_of(vstart, self.p.values.len());
        td.hash = span_of(pstart, self.p.pairs.len());
        td.meta = meta;
        Ok(())
    }

    fn fill_func(&mut self, id: u32, cl: Gc<LuaClosure>) -> Result<(), String> {
        let start = self.p.upvals.len();
        for (i, u) in cl.upvals.iter().enumerate() {
            let cid = match self.cell_ids.get(&u.addr()) {
                Some(c) => *c,
                None => {
                    let c = Self::new_id(self.p.cells.len())?;
                    self.p.cells.push(SendValue::Nil);
                    self.cell_ids.insert(u.addr(), c);
                    self.cell_from.push((Obj::Func(id), Seg::Upvalue(i as u32)));
                    self.work.push(Pending::Cell(c, *u));
                    c
                }
            };
            self.p.upvals.push(cid);
        }
        self.p.funcs[id as usize].upvals = span_of(start, self.p.upvals.len());
        Ok(())
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
    map: AHashMap<usize, (Arc<Proto>, i64)>,
}

static NEXT_CACHE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Default for ProtoCache {
    fn default() -> Self {
        let n = NEXT_CACHE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ProtoCache {
            key: format!("luavm.dispatcher.protos.{n}"),
            map: AHashMap::new(),
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
    /// Lua error whose value is a message without position) when a name cannot be
    /// resolved or a userdata kind is unknown here.
    pub fn import(&self, s: &mut State, cache: &mut ProtoCache) -> LuaResult<usize> {
        let tables: Vec<Gc<Table>> = self
            .tables
            .iter()
            .map(|t| s.new_table_with(t.array.len as usize, t.hash.len as usize))
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
            let ids = self.upvals.get(f.upvals.range()).unwrap_or(&[]);
            if lp.proto.upvalues.len() != ids.len() {
                return Err(fail(s, "malformed function in transfer"));
            }
            let mut ups = Vec::with_capacity(ids.len());
            for c in ids {
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
        let mut objs = Objects {
            p: self,
            tables: &tables,
            funcs: &funcs,
            udata: &udata,
            names: None,
        };
        for (i, c) in self.cells.iter().enumerate() {
            let v = objs.value(s, *c)?;
            cells[i].set(v);
        }
        for (i, td) in self.tables.iter().enumerate() {
            let t = tables[i];
            for (j, v) in self
                .values
                .get(td.array.range())
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let v = objs.value(s, *v)?;
                s.raw_set_int(t, j as i64 + 1, v);
            }
            for (k, v) in self.pairs.get(td.hash.range()).unwrap_or(&[]) {
                let k = objs.value(s, *k)?;
                let v = objs.value(s, *v)?;
                if k.is_nil() || matches!(k, Value::Num(f) if f.is_nan()) {
                    continue;
                }
                s.raw_set(t, k, v);
            }
            if let Some(m) = td.meta {
                if let Value::Table(mt) = objs.value(s, m)? {
                    t.set_metatable(Some(mt));
                }
            }
        }
        s.check_stack(self.roots.len())?;
        for r in &self.roots {
            let v = objs.value(s, *r)?;
            s.push(v);
        }
        Ok(self.roots.len())
    }
}

struct Objects<'a> {
    p: &'a Packet,
    tables: &'a [Gc<Table>],
    funcs: &'a [Gc<LuaClosure>],
    udata: &'a [Gc<UserData>],
    names: Option<Names>,
}

impl Objects<'_> {
    fn value(&mut self, s: &mut State, v: SendValue) -> LuaResult<Value> {
        Ok(match v {
            SendValue::Nil => Value::Nil,
            SendValue::Bool(b) => Value::Bool(b),
            SendValue::Int(i) => Value::Int(i),
            SendValue::Num(f) => Value::Num(f),
            SendValue::LightUserData(p) => Value::LightUserData(p),
            SendValue::Str(at, len) => s.str_value(self.p.arena(at, len)),
            SendValue::Table(i) => match self.tables.get(i as usize) {
                Some(t) => Value::Table(*t),
                None => return Err(fail(s, "malformed packet")),
            },
            SendValue::Function(i) => match self.funcs.get(i as usize) {
                Some(f) => Value::LuaFn(*f),
                None => return Err(fail(s, "malformed packet")),
            },
            SendValue::UserData(i) => match self.udata.get(i as usize) {
                Some(u) => Value::UserData(*u),
                None => return Err(fail(s, "malformed packet")),
            },
            SendValue::Globals => Value::Table(s.globals()),
            SendValue::Named(at, len) => {
                let name = self.p.arena(at, len);
                let names = match self.names {
                    Some(n) => n,
                    None => {
                        let n = Names::of(s);
                        self.names = Some(n);
                        n
                    }
                };
                let mut v = names.resolve(s, name);
                if v.is_nil() {
                    let n = Names::rebuild(s);
                    self.names = Some(n);
                    v = n.resolve(s, name);
                }
                if v.is_nil() {
                    let m = format!(
                        "'{}' is not available in this VM",
                        String::from_utf8_lossy(name)
                    );
                    return Err(fail(s, &m));
                }
                v
            }
        })
    }
}
