//! Tables: an array part for keys `1..=n` and a hash part for the rest, PUC's chained
//! scatter table with Brent's variation (`ltable.c`): each key has a *main position*
//! (its hash modulo the size); keys that collide there are linked in a chain through
//! the nodes' links (`Node::link`), and a key that sits in another key's main position is
//! moved away when that key arrives. A node is 24 bytes, as PUC 5.4's: the value as a
//! `Value` (tag, payload) with the key's tag and the link in its padding, then the key's
//! payload (see `Node`). A lookup walks one chain: a miss usually costs one or two
//! comparisons, even in a full hash part.
//!
//! Invariants:
//! - an integer key `k` with `1 <= k <= array.len()` is never live in the hash part;
//! - keys are normalised before they get here: a float with an exact integer value is an
//!   `Int` key; `nil` and NaN are never keys (the VM raises the error first);
//! - a node's key payload is normalised (`key_payload`), so two keys are raw-equal exactly
//!   when their tags and payload words are equal (long strings aside, which compare
//!   bytes): the lookups compare a tag byte and a word;
//! - a node is free (`key` nil, link 0, in no chain), live (value non-nil) or dead (key
//!   kept, value nil): assigning nil never removes a key, so `next` stays valid while
//!   existing fields are assigned (never while new keys are added, as the manual says); an
//!   insertion may reuse a dead node at the new key's main position;
//! - every non-free node is reachable by following links from the main position of its
//!   key, and every link is an index inside `nodes` (plus one; chains end with 0): the
//!   lookups follow them unchecked;
//! - the hash part has a power-of-two number of nodes; every node at or above `lastfree`
//!   is not free; when an insertion finds no free node the table is rebuilt (PUC's
//!   `rehash`: array size = largest `n` with more than `n/2` integer keys in `1..=n`, the
//!   hash part the smallest power of two that holds the other keys, and 4 nodes at least
//!   when it grows from empty, so objects filled field by field rehash once).
//!
//! All mutation goes through `&self` methods on an `UnsafeCell`: a `Table` is `!Sync`, and
//! no method calls out to other code or lets a reference into the cell escape, so no two
//! borrows of the inner data can overlap — except the `get_*_ref` methods, which give
//! the interpreter a shared reference to a value slot: their callers copy the value at
//! once and drop the reference before anything else touches the table.

use std::cell::{Cell, UnsafeCell};
use std::mem::MaybeUninit;

use luavm_gc::{Gc, Marker, Trace, WeakPart};

use crate::array_part::ArrayPart;
use crate::function::NativeFn;
use crate::string::LuaStr;
use crate::value::{float_to_int_exact, Value, TAG_INT, TAG_NUM};

/// A hash slot: 24 bytes, as PUC 5.4's `Node`, kept as raw words so that copying a node
/// keeps every byte (a typed copy of a `Value` may drop its padding):
/// - words 0..2 are the value, laid out as a `Value` (tag byte at offset 0, payload at
///   offset 8), so `val_ref` can lend it as a `&Value`; a `Value`'s bytes 1..8 are padding,
///   and here they hold the key's tag (byte 1) and the link (bytes 4..8);
/// - word 2 is the key's payload, normalised (a boolean is 0 or 1 in its first byte, the
///   other bytes 0; `nil` is 0), so that equal keys have equal bits.
///
/// Bytes 0..8 and 16..24 are always initialised; word 1 may not be (the payload of a
/// `nil` or boolean value), so the words are `MaybeUninit`. Words 1 and 2 are written as
/// the bytes of the value and key they hold (`stored_parts`), never from an integer, so a
/// pointer keeps its provenance and can be read back as a `Gc` (`key`, `val`).
#[derive(Clone, Copy)]
#[repr(C, align(8))]
struct Node {
    w: [MaybeUninit<u64>; 3],
}

const _: () = assert!(std::mem::size_of::<Node>() == 24);

/// The tag byte of `Value::Nil` (a free node's key).
const TAG_NIL: u8 = 0;
/// The tag byte of `Value::Bool`.
const TAG_BOOL: u8 = 1;
/// The tag byte of `Value::Str` (checked by a test).
const TAG_STR: u8 = 5;

const _: () = assert!(
    // SAFETY: by `repr(C, u8)` the first byte of a `Value` is its tag.
    unsafe { *(&Value::Nil as *const Value as *const u8) } == TAG_NIL
        && unsafe { *(&Value::Bool(true) as *const Value as *const u8) } == TAG_BOOL
);

/// The tag byte and the payload word of `v`, normalised: the 8 bytes at offset 8 of the
/// `Value` (`repr(C, u8)`), with a boolean's 7 padding bytes zeroed and `nil`'s 0, so
/// that equal keys have equal bits and every byte of a node is initialised. Taken apart
/// by a `match` rather than through a pointer, so that a value in registers stays there.
#[inline(always)]
fn parts(v: Value) -> (u8, u64) {
    match v {
        Value::Nil => (TAG_NIL, 0),
        Value::Bool(b) => (TAG_BOOL, u64::from_ne_bytes([b as u8, 0, 0, 0, 0, 0, 0, 0])),
        Value::Int(i) => (TAG_INT, i as u64),
        Value::Num(f) => (TAG_NUM, f.to_bits()),
        Value::LightUserData(p) => (4, p as u64),
        Value::Str(g) => (TAG_STR, g.addr() as u64),
        Value::Table(g) => (6, g.addr() as u64),
        Value::LuaFn(g) => (7, g.addr() as u64),
        Value::NativeFn(f) => (8, f as usize as u64),
        Value::NativeClosure(g) => (9, g.addr() as u64),
        Value::UserData(g) => (10, g.addr() as u64),
        Value::Thread(g) => (11, g.addr() as u64),
    }
}

/// The payload word of `k` as a node keeps it (see `parts`), as bits to compare with
/// (`Node::key_is`).
#[inline(always)]
fn key_payload(k: Value) -> u64 {
    parts(k).1
}

/// The tag byte and payload word of `v` as a node stores them: `parts`'s bits, with a
/// pointer (a `Gc` handle, a function pointer) kept as its own bytes, so that a key or
/// value read back from the node is a pointer with its provenance. A pointer remade from
/// an integer (`g.addr()`) has none, and using it is undefined behaviour (Miri reports
/// it). A `match` like `parts`'s, so that a value in registers stays there.
#[inline(always)]
fn stored_parts(v: Value) -> (u8, MaybeUninit<u64>) {
    let bits = MaybeUninit::new;
    match v {
        Value::Nil => (TAG_NIL, bits(0)),
        Value::Bool(b) => (
            TAG_BOOL,
            bits(u64::from_ne_bytes([b as u8, 0, 0, 0, 0, 0, 0, 0])),
        ),
        Value::Int(i) => (TAG_INT, bits(i as u64)),
        Value::Num(f) => (TAG_NUM, bits(f.to_bits())),
        Value::LightUserData(p) => (4, bits(p as u64)),
        Value::Str(g) => (TAG_STR, handle_word(g)),
        Value::Table(g) => (6, handle_word(g)),
        Value::LuaFn(g) => (7, handle_word(g)),
        // SAFETY: a function pointer is 8 bytes; any bytes are a valid `MaybeUninit`.
        Value::NativeFn(f) => (8, unsafe {
            std::mem::transmute::<NativeFn, MaybeUninit<u64>>(f)
        }),
        Value::NativeClosure(g) => (9, handle_word(g)),
        Value::UserData(g) => (10, handle_word(g)),
        Value::Thread(g) => (11, handle_word(g)),
    }
}

/// A handle's bytes (its pointer, provenance included) as a payload word.
#[inline(always)]
fn handle_word<T>(g: Gc<T>) -> MaybeUninit<u64> {
    // SAFETY: a `Gc` is one pointer (8 bytes, checked by `transmute`); any bytes are a
    // valid `MaybeUninit`.
    unsafe { std::mem::transmute::<Gc<T>, MaybeUninit<u64>>(g) }
}

/// The payload word of `v` as it is (`repr(C, u8)`: the 8 bytes at offset 8), pointer
/// provenance included.
#[inline(always)]
fn payload_word(v: &Value) -> MaybeUninit<u64> {
    // SAFETY: by `repr(C, u8)` the payload is the 8 bytes at offset 8 of the `Value`,
    // read as `MaybeUninit` (a nil's or a boolean's may be partly uninitialised).
    unsafe { (v as *const Value).cast::<MaybeUninit<u64>>().add(1).read() }
}

impl Node {
    /// A free node: nil key and value, link 0, every byte 0.
    const FREE: Node = Node {
        w: [MaybeUninit::new(0); 3],
    };

    /// The value slot, lent as a `Value` (its padding holds the key tag and the link,
    /// which a `Value` never reads).
    #[inline(always)]
    fn val_ref(&self) -> &Value {
        // SAFETY: words 0..2 hold a valid `Value` (tag byte at 0, payload at 8: written by
        // `set_val` from a `Value`, or a free node's zeros, a nil); the node is 8-aligned
        // and 24 bytes, so the 16 bytes are inside it; bytes 1..8 are padding of `Value`,
        // any content is allowed there.
        unsafe { &*(self as *const Node).cast::<Value>() }
    }

    /// A copy of the value.
    #[inline(always)]
    fn val(&self) -> Value {
        // SAFETY: as in `val_ref`: words 0..2 are a valid `Value`.
        unsafe { Value::load(self.val_ref()) }
    }

    /// Whether the value is nil (the node is free or dead).
    #[inline(always)]
    fn val_is_nil(&self) -> bool {
        self.val_ref().tag() == TAG_NIL
    }

    /// Write the value: its tag byte and its payload word, never the key's tag or the link
    /// in between (two stores; readers of a value slot load the same two parts,
    /// `Value::load`, so each load is forwarded from one store).
    #[inline(always)]
    fn set_val(&mut self, v: Value) {
        let p = (self as *mut Node).cast::<u8>();
        // SAFETY: byte 0 is inside the node.
        unsafe { p.write(v.tag()) };
        self.w[1] = payload_word(&v);
    }

    /// Write a key and its value at once, keeping the link: the three words whole (a new
    /// key's node, in `hash_insert`).
    #[inline(always)]
    fn set_key_val(&mut self, k: Value, v: Value) {
        let (vtag, payload) = stored_parts(v);
        let (ktag, key) = stored_parts(k);
        let w0 = (self.link() as u64) << 32 | (ktag as u64) << 8 | vtag as u64;
        self.w = [MaybeUninit::new(w0), payload, key];
    }

    /// The key's tag byte (`TAG_NIL`: a free node).
    #[inline(always)]
    fn key_tag(&self) -> u8 {
        // SAFETY: byte 1 is inside word 0, always initialised (zero in a fresh node, then
        // written by `set_key`).
        unsafe { (self as *const Node).cast::<u8>().add(1).read() }
    }

    /// The key's payload word (see `key_payload`), as bits (a pointer's provenance is
    /// dropped: only `key` makes a pointer of it again, from the word itself).
    #[inline(always)]
    fn key_bits(&self) -> u64 {
        // SAFETY: word 2 is always initialised (zero in a fresh node, then written whole
        // by `set_key`).
        unsafe { self.w[2].assume_init() }
    }

    /// Whether the key is `k`, whose tag is `tag` and payload word `bits` (the normalised
    /// bits of a key: raw equality for every key but long strings and NaN).
    #[inline(always)]
    fn key_is(&self, tag: u8, bits: u64) -> bool {
        self.key_bits() == bits && self.key_tag() == tag
    }

    /// The key, rebuilt from its tag and payload.
    #[inline(always)]
    fn key(&self) -> Value {
        let mut out = MaybeUninit::<Value>::uninit();
        let o = out.as_mut_ptr().cast::<u8>();
        // SAFETY: the tag byte and payload word were taken from a valid `Value` by
        // `set_key` (`stored_parts`: a boolean's payload normalised to 0 or 1 in its first
        // byte, a pointer's bytes with their provenance), so writing them back at offsets
        // 0 and 8 of a `Value` rebuilds it (`repr(C, u8)`).
        unsafe {
            o.write(self.key_tag());
            o.add(8).cast::<MaybeUninit<u64>>().write(self.w[2]);
            out.assume_init()
        }
    }

    /// Replace the key (tag and payload), keeping the link and the value.
    #[inline(always)]
    fn set_key(&mut self, k: Value) {
        let (tag, key) = stored_parts(k);
        let p = (self as *mut Node).cast::<u8>();
        // SAFETY: byte 1 is inside word 0.
        unsafe { p.add(1).write(tag) };
        self.w[2] = key;
    }

    /// The next node of this node's collision chain, as its index + 1 (0: end of chain).
    #[inline(always)]
    fn link(&self) -> u32 {
        // SAFETY: bytes 4..8 are inside word 0 (4-aligned in the 8-aligned node) and always
        // initialised: zero in a fresh node, then written only by `set_link` (`set_val`
        // and `set_key` write other bytes).
        unsafe {
            (self as *const Node)
                .cast::<u8>()
                .add(4)
                .cast::<u32>()
                .read()
        }
    }

    #[inline(always)]
    fn set_link(&mut self, link: u32) {
        // SAFETY: as in `link`: writes only bytes 4..8.
        unsafe {
            (self as *mut Node)
                .cast::<u8>()
                .add(4)
                .cast::<u32>()
                .write(link)
        }
    }
}

#[derive(Default)]
struct Inner {
    array: ArrayPart,
    nodes: Box<[Node]>,
    /// Every node at or above this index has a key (PUC's `lastfree`); free nodes are
    /// searched for downwards from here. (`u32`, as the links: a hash part never reaches
    /// 2^32 nodes, 128 GB.)
    lastfree: u32,
    /// Cache of absent metamethods (bit set = absent), as PUC's `flags`; reset on writes
    /// of keys that can be event names. (Here rather than in `Table` to keep it small.)
    meta_absent: u8,
}

/// A Lua table. 48 bytes, so that with the collector's header an object is 56 bytes, as
/// PUC 5.4's `Table` (programs make many small tables; the array part is an `ArrayPart`,
/// 16 bytes, for this).
#[derive(Default)]
pub struct Table {
    inner: UnsafeCell<Inner>,
    metatable: Cell<Option<Gc<Table>>>,
}

const _: () = assert!(std::mem::size_of::<Table>() == 48);

impl Trace for Table {
    fn trace(&self, m: &mut Marker) {
        let mode = match self.metatable.get() {
            Some(mt) => {
                m.mark(mt);
                weak_mode(mt)
            }
            None => 0,
        };
        if mode != 0 {
            // weak tables stay gray for the whole cycle and are traced again in the
            // atomic phase (as PUC's): their weak parts are decided there
            m.keep_gray();
        }
        let inner = self.inner();
        match mode {
            0 => {
                for v in inner.array.iter() {
                    mark_value(m, *v);
                }
                let mut dead_keys = false;
                for n in inner.nodes.iter() {
                    if n.val_is_nil() {
                        // a dead key is not a reference (PUC's dead keys): it becomes a
                        // tombstone if nothing else keeps its object alive
                        dead_keys |= is_collectable(n.key());
                    } else {
                        mark_value(m, n.key());
                        mark_value(m, n.val());
                    }
                }
                if dead_keys {
                    m.defer_weak();
                }
            }
            WEAK_VALUES => {
                for v in inner.array.iter() {
                    mark_string(m, *v);
                }
                for n in inner.nodes.iter() {
                    if !n.val_is_nil() {
                        mark_value(m, n.key());
                        mark_string(m, n.val());
                    }
                }
                m.defer_weak();
            }
            WEAK_KEYS => {
                // an ephemeron table: a value is reachable if its key is
                for v in inner.array.iter() {
                    mark_value(m, *v);
                }
                let mut pending = false;
                for n in inner.nodes.iter() {
                    if n.val_is_nil() {
                        continue;
                    }
                    if !is_weak_ref(n.key()) || value_is_marked(n.key()) {
                        mark_value(m, n.key());
                        mark_value(m, n.val());
                    } else if !value_is_marked(n.val()) {
                        pending = true;
                    }
                }
                m.defer_weak();
                if pending {
                    m.defer_ephemeron();
                }
            }
            _ => {
                for v in inner.array.iter() {
                    mark_string(m, *v);
                }
                for n in inner.nodes.iter() {
                    if !n.val_is_nil() {
                        mark_string(m, n.key());
                        mark_string(m, n.val());
                    }
                }
                m.defer_weak();
            }
        }
    }
    fn extra_size(&self) -> usize {
        self.inner().size_bytes()
    }
    fn retrace(&self, m: &mut Marker) -> bool {
        let mut marked = false;
        for n in self.inner().nodes.iter() {
            if !n.val_is_nil()
                && is_weak_ref(n.key())
                && value_is_marked(n.key())
                && !value_is_marked(n.val())
            {
                mark_value(m, n.val());
                marked = true;
            }
        }
        marked
    }
    fn clear_weak(&self, part: WeakPart) {
        let mode = self.metatable.get().map_or(0, weak_mode);
        let inner = self.inner_mut();
        match part {
            WeakPart::Values => {
                if mode & WEAK_VALUES == 0 {
                    return;
                }
                for v in inner.array.iter_mut() {
                    if is_weak_ref(*v) && !value_is_marked(*v) {
                        *v = Value::Nil;
                    }
                }
                for n in inner.nodes.iter_mut() {
                    if is_weak_ref(n.val()) && !value_is_marked(n.val()) {
                        n.set_val(Value::Nil);
                    }
                }
            }
            WeakPart::Keys => {
                for n in inner.nodes.iter_mut() {
                    if n.key_tag() == TAG_NIL || value_is_marked(n.key()) {
                        continue;
                    }
                    if n.val_is_nil() {
                        if is_collectable(n.key()) {
                            n.set_key(DEAD_KEY);
                        }
                    } else if mode & WEAK_KEYS != 0 && is_weak_ref(n.key()) {
                        n.set_val(Value::Nil);
                        n.set_key(DEAD_KEY);
                    }
                }
            }
        }
    }
}

/// `__mode` contains `'k'`.
pub const WEAK_KEYS: u8 = 1;
/// `__mode` contains `'v'`.
pub const WEAK_VALUES: u8 = 2;

/// What a hash slot's key becomes when its entry is dead and its object is collected:
/// a NaN is never a key and never equal to one, so the slot stays occupied for probing
/// and `next` skips it (its value is nil), and nothing dereferences it.
const DEAD_KEY: Value = Value::Num(f64::NAN);

/// The weakness of tables with metatable `mt` (`__mode` looked up at each collection,
/// as PUC does).
pub fn weak_mode(mt: Gc<Table>) -> u8 {
    if crate::meta::cached_absent(mt, crate::meta::Tm::Mode) {
        return 0;
    }
    match mt.get_str_bytes(crate::string::mode_hash(), b"__mode") {
        Value::Str(s) => {
            let b = s.as_bytes();
            let mut mode = 0;
            if b.contains(&b'k') {
                mode |= WEAK_KEYS;
            }
            if b.contains(&b'v') {
                mode |= WEAK_VALUES;
            }
            mode
        }
        Value::Nil => {
            crate::meta::note_absent(mt, crate::meta::Tm::Mode);
            0
        }
        _ => 0,
    }
}

/// Whether `v` refers to a heap object.
#[inline]
fn is_collectable(v: Value) -> bool {
    matches!(
        v,
        Value::Str(_)
            | Value::Table(_)
            | Value::LuaFn(_)
            | Value::NativeClosure(_)
            | Value::UserData(_)
            | Value::Thread(_)
    )
}

/// Whether `v` can be removed from a weak table: objects other than strings (strings are
/// values, as in PUC).
#[inline]
fn is_weak_ref(v: Value) -> bool {
    matches!(
        v,
        Value::Table(_)
            | Value::LuaFn(_)
            | Value::NativeClosure(_)
            | Value::UserData(_)
            | Value::Thread(_)
    )
}

/// Whether the current mark phase reached what `v` refers to (true for non-objects).
#[inline]
pub fn value_is_marked(v: Value) -> bool {
    match v {
        Value::Str(s) => s.is_marked(),
        Value::Table(t) => t.is_marked(),
        Value::LuaFn(f) => f.is_marked(),
        Value::NativeClosure(f) => f.is_marked(),
        Value::UserData(u) => u.is_marked(),
        Value::Thread(t) => t.is_marked(),
        _ => true,
    }
}

/// Mark whatever a value refers to.
#[inline]
pub fn mark_value(m: &mut Marker, v: Value) {
    match v {
        Value::Str(s) => m.mark_leaf(s),
        Value::Table(t) => m.mark(t),
        Value::LuaFn(f) => m.mark(f),
        Value::NativeClosure(f) => m.mark(f),
        Value::UserData(u) => m.mark(u),
        Value::Thread(t) => m.mark(t),
        _ => {}
    }
}

/// Mark `v` if it is a string (strings in weak tables are never collected).
#[inline]
fn mark_string(m: &mut Marker, v: Value) {
    if let Value::Str(s) = v {
        m.mark_leaf(s);
    }
}

/// `next` was given a key that is not in the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidKey;

const FIB: u64 = 0x9E37_79B9_7F4A_7C15;

/// Hash of a (normalised) key.
#[inline(always)]
pub fn hash_value(v: Value) -> u64 {
    match v {
        Value::Str(s) => s.hash(),
        Value::Int(i) => i as u64,
        Value::Num(f) => f.to_bits(),
        Value::Bool(b) => b as u64 + 1,
        other => other.addr() as u64 >> 3,
    }
}

#[inline(always)]
fn slot_of(h: u64, mask: usize) -> usize {
    (h.wrapping_mul(FIB) >> 32) as usize & mask
}

impl Table {
    pub fn new() -> Table {
        Table::default()
    }

    pub fn with_capacity(narray: usize, nhash: usize) -> Table {
        let t = Table::default();
        {
            let inner = t.inner_mut();
            inner.array = ArrayPart::with_capacity(narray);
            if nhash > 0 {
                inner.set_node_vector(hash_capacity_for(nhash));
            }
        }
        t
    }

    /// Grow the hash part at once so that `additional` more keys go in without a rehash
    /// (for tables filled with a known number of fields, like `_G` by the libraries).
    /// Returns the change in owned bytes (for GC accounting).
    pub fn reserve_hash(&self, additional: usize) -> isize {
        let inner = self.inner_mut();
        let used = inner.nodes.iter().filter(|n| !n.val_is_nil()).count();
        let need = used + additional;
        if hash_capacity_for(need) <= inner.nodes.len() {
            return 0;
        }
        let old_size = inner.size_bytes() as isize;
        let old_nodes = std::mem::take(&mut inner.nodes);
        inner.set_node_vector(hash_capacity_for(need));
        for n in old_nodes.iter() {
            if n.val_is_nil() {
                continue;
            }
            let done = inner.hash_insert(n.key(), n.val());
            debug_assert!(done, "a grown hash part holds its keys");
        }
        inner.size_bytes() as isize - old_size
    }

    #[inline(always)]
    fn inner(&self) -> &Inner {
        // SAFETY: see the module comment — no `&mut Inner` is alive while this shared
        // borrow is used, because every `&mut` borrow is confined to one method body that
        // does not call out.
        unsafe { &*self.inner.get() }
    }

    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    fn inner_mut(&self) -> &mut Inner {
        // SAFETY: see the module comment — the borrow stays inside the calling method, which
        // neither calls out nor holds another borrow of the same cell.
        unsafe { &mut *self.inner.get() }
    }

    #[inline(always)]
    pub fn metatable(&self) -> Option<Gc<Table>> {
        self.metatable.get()
    }
    pub fn set_metatable(&self, mt: Option<Gc<Table>>) {
        self.metatable.set(mt);
    }

    /// The cache of absent metamethods (see `meta::cached_absent`).
    #[inline(always)]
    pub(crate) fn meta_absent(&self) -> u8 {
        self.inner().meta_absent
    }
    #[inline(always)]
    pub(crate) fn set_meta_absent(&self, bits: u8) {
        self.inner_mut().meta_absent = bits;
    }

    /// How many dead keys (value nil) still name an object: each must be cleared (made a
    /// tombstone) by the collection that frees its object. For the collector's tests.
    pub fn dead_object_keys(&self) -> usize {
        self.inner()
            .nodes
            .iter()
            .filter(|n| n.val_is_nil() && is_collectable(n.key()))
            .count()
    }

    /// Size of the array part.
    #[inline(always)]
    pub fn array_len(&self) -> usize {
        self.inner().array.len()
    }

    /// The interpreter's `t[i] = v` fast path: store into the array part when `i` is in it
    /// and no `__newindex` can apply (no metatable, or the slot is not nil). Returns
    /// whether it stored.
    #[inline(always)]
    pub fn set_in_array(&self, i: i64, v: Value) -> bool {
        let no_meta = self.metatable.get().is_none();
        let inner = self.inner_mut();
        let idx = (i as u64).wrapping_sub(1);
        if idx < inner.array.len() as u64 {
            let slot = &mut inner.array[idx as usize];
            if no_meta || !slot.is_nil() {
                *slot = v;
                return true;
            }
        }
        false
    }

    /// Raw get of any key (no metamethods).
    #[inline]
    pub fn get(&self, key: Value) -> Value {
        match key {
            Value::Int(i) => self.get_int(i),
            Value::Str(s) => self.get_str(s),
            Value::Num(f) => match float_to_int_exact(f) {
                Some(i) => self.get_int(i),
                None => self.get_hashed(key),
            },
            Value::Nil => Value::Nil,
            _ => self.get_hashed(key),
        }
    }

    #[inline(always)]
    pub fn get_int(&self, i: i64) -> Value {
        self.inner().get_int(i)
    }

    #[inline(always)]
    pub fn get_str(&self, s: Gc<LuaStr>) -> Value {
        let inner = self.inner();
        match inner.str_slot(s) {
            // SAFETY: a slot index comes from the lookup, inside `nodes`.
            Some(i) => unsafe { inner.nodes.get_unchecked(i).val() },
            None => Value::Nil,
        }
    }

    /// The slot holding the value of integer key `i`, or a `nil` (`value::NIL`) when the
    /// key is absent: the interpreter copies the value straight from the slot into the
    /// destination register. The reference must be dropped before the table is used
    /// again (see the module comment).
    #[inline(always)]
    pub fn get_int_ref(&self, i: i64) -> &Value {
        let inner = self.inner();
        let idx = (i as u64).wrapping_sub(1);
        if idx < inner.array.len() as u64 {
            // SAFETY: idx < array.len().
            return unsafe { inner.array.get_unchecked(idx as usize) };
        }
        inner.get_int_hashed_ref(i)
    }

    /// As `get_int_ref`, for a string key.
    #[inline(always)]
    pub fn get_str_ref(&self, s: Gc<LuaStr>) -> &Value {
        let inner = self.inner();
        match inner.str_slot(s) {
            // SAFETY: a slot index comes from the lookup, inside `nodes`.
            Some(i) => unsafe { inner.nodes.get_unchecked(i).val_ref() },
            None => &crate::value::NIL.0,
        }
    }

    /// As `get_str_ref`, for a short (interned) string key whose hash the caller read.
    #[inline(always)]
    pub fn get_short_str_ref(&self, s: Gc<LuaStr>, hash: u64) -> &Value {
        let inner = self.inner();
        match inner.short_str_slot(s, hash) {
            // SAFETY: a slot index comes from the lookup, inside `nodes`.
            Some(i) => unsafe { inner.nodes.get_unchecked(i).val_ref() },
            None => &crate::value::NIL.0,
        }
    }

    /// As `get_int_ref`, for any key (raw: no metamethods).
    pub fn get_ref(&self, key: Value) -> &Value {
        match key {
            Value::Int(i) => self.get_int_ref(i),
            Value::Str(s) => self.get_str_ref(s),
            Value::Num(f) => match float_to_int_exact(f) {
                Some(i) => self.get_int_ref(i),
                None => self.get_hashed_ref(key),
            },
            Value::Nil => &crate::value::NIL.0,
            _ => self.get_hashed_ref(key),
        }
    }

    fn get_hashed_ref(&self, key: Value) -> &Value {
        let inner = self.inner();
        match inner.find_slot(key) {
            Some(i) => inner.nodes[i].val_ref(),
            None => &crate::value::NIL.0,
        }
    }

    /// Raw get of a short (interned) string key whose hash the caller already read.
    #[inline(always)]
    pub fn get_short_str(&self, s: Gc<LuaStr>, hash: u64) -> Value {
        let inner = self.inner();
        match inner.short_str_slot(s, hash) {
            // SAFETY: a slot index comes from the lookup, inside `nodes`.
            Some(i) => unsafe { inner.nodes.get_unchecked(i).val() },
            None => Value::Nil,
        }
    }

    fn get_hashed(&self, key: Value) -> Value {
        self.inner().get_hashed(key)
    }

    /// Raw get of a string key given by its bytes and hash (no interned string needed:
    /// the collector uses it to read `__mode`).
    pub fn get_str_bytes(&self, hash: u64, bytes: &[u8]) -> Value {
        let inner = self.inner();
        if inner.nodes.is_empty() {
            return Value::Nil;
        }
        let mut i = slot_of(hash, inner.nodes.len() - 1);
        loop {
            let n = &inner.nodes[i];
            match n.key() {
                Value::Str(k) if k.hash() == hash && k.as_bytes() == bytes => return n.val(),
                _ if n.link() == 0 => return Value::Nil,
                _ => i = n.link() as usize - 1,
            }
        }
    }

    /// Raw set. `key` must not be nil or NaN (callers check). Floats with an integer value
    /// are normalised here. Returns the change in owned bytes (for GC accounting).
    #[inline]
    pub fn set(&self, key: Value, val: Value) -> isize {
        match key {
            Value::Int(i) => self.set_int(i, val),
            Value::Num(f) => match float_to_int_exact(f) {
                Some(i) => self.set_int(i, val),
                None => self.inner_mut().set_hashed(key, val),
            },
            _ => {
                let inner = self.inner_mut();
                inner.meta_absent = 0;
                inner.set_hashed(key, val)
            }
        }
    }

    /// The interpreter's `t.k = v` fast path for a string key: store when the key holds
    /// a non-nil value, or when no `__newindex` can apply (no metatable, or one whose
    /// `__newindex` is known to be absent: instances of classes).
    /// `None`: the metamethod path is needed. `Some(delta)`: stored, with the change in
    /// owned bytes.
    #[inline(always)]
    pub fn set_str_fast(&self, key: Gc<LuaStr>, val: Value) -> Option<isize> {
        if key.is_short() {
            let inner = self.inner_mut();
            if let Some(i) = inner.short_str_slot(key, key.hash()) {
                // SAFETY: a slot index comes from the lookup, inside `nodes`.
                let n = unsafe { inner.nodes.get_unchecked_mut(i) };
                if !n.val_is_nil() {
                    // the key is present, so no cached absence can concern it
                    n.set_val(val);
                    return Some(0);
                }
            }
        }
        self.set_str_rest(key, val)
    }

    /// `set_str_fast` when the key is absent, dead or long.
    #[inline(never)]
    fn set_str_rest(&self, key: Gc<LuaStr>, val: Value) -> Option<isize> {
        let no_meta = match self.metatable.get() {
            None => true,
            Some(mt) => crate::meta::cached_absent(mt, crate::meta::Tm::NewIndex),
        };
        let inner = self.inner_mut();
        if let Some(i) = inner.str_slot(key) {
            let n = &mut inner.nodes[i];
            if no_meta || !n.val_is_nil() {
                n.set_val(val);
                inner.meta_absent = 0;
                return Some(0);
            }
            return None;
        }
        if !no_meta {
            return None;
        }
        if val.is_nil() {
            return Some(0);
        }
        inner.meta_absent = 0;
        Some(inner.insert_new(Value::Str(key), val))
    }

    /// Raw set with a string key.
    #[inline]
    pub fn set_str(&self, key: Gc<LuaStr>, val: Value) -> isize {
        let inner = self.inner_mut();
        inner.meta_absent = 0;
        if let Some(i) = inner.str_slot(key) {
            inner.nodes[i].set_val(val);
            return 0;
        }
        if val.is_nil() {
            return 0;
        }
        inner.insert_new(Value::Str(key), val)
    }

    #[inline]
    pub fn set_int(&self, i: i64, val: Value) -> isize {
        self.inner_mut().set_int(i, val)
    }

    /// The border `#t` (PUC's `luaH_getn`).
    pub fn len(&self) -> i64 {
        self.inner().len()
    }

    /// Whether the table has no live entries.
    pub fn is_empty(&self) -> bool {
        self.next(Value::Nil).ok().flatten().is_none()
    }

    /// The entry after `key` in traversal order (`None` at the end); `Err` if `key` is not
    /// in the table ("invalid key to 'next'").
    pub fn next(&self, key: Value) -> Result<Option<(Value, Value)>, InvalidKey> {
        self.inner().next(key)
    }

    /// Copy of the array part's values `from..=to` when they all lie in it.
    pub fn array_slice_copy(&self, from: usize, to: usize) -> Option<Vec<Value>> {
        let inner = self.inner();
        if from >= 1 && to <= inner.array.len() && from <= to {
            Some(inner.array[from - 1..to].to_vec())
        } else {
            None
        }
    }

    /// `t[dest .. dest+n-1] = t[from .. from+n-1]` (the ranges may overlap) when both lie
    /// in the array part: how `table.insert` and `table.remove` shift a sequence, in one
    /// `memmove`. No write barrier is needed, the values stay in the same table. `false`
    /// (nothing moved) when a range leaves the array part.
    pub fn move_in_array(&self, from: i64, dest: i64, n: usize) -> bool {
        let inner = self.inner_mut();
        let len = inner.array.len() as u64;
        let inside = |first: i64| {
            first >= 1
                && (first as u64 - 1)
                    .checked_add(n as u64)
                    .is_some_and(|end| end <= len)
        };
        if !inside(from) || !inside(dest) {
            return false;
        }
        let (from, dest) = (from as usize - 1, dest as usize - 1);
        inner.array.copy_within(from..from + n, dest);
        true
    }

    /// Store `values` at `first+1 ..= first+values.len()` in the array part, growing it to
    /// cover them (table constructors' `SETLIST`: nils keep their slots, as in PUC).
    pub fn set_list(&self, first: usize, values: &[Value]) -> isize {
        let inner = self.inner_mut();
        let before = inner.array.capacity();
        let end = first + values.len();
        if inner.array.len() < end {
            // keys now covered by the array part must leave the hash part
            if !inner.nodes.is_empty() {
                for k in inner.array.len() + 1..=end {
                    if let Some(s) = inner.int_slot(k as i64) {
                        inner.nodes[s].set_val(Value::Nil);
                    }
                }
            }
            // exactly the constructor's size (no growth room)
            inner.array.grow_exact(end);
        }
        inner.array[first..end].copy_from_slice(values);
        (inner.array.capacity() as isize - before as isize) * 16
    }
}

impl Inner {
    fn size_bytes(&self) -> usize {
        self.array.capacity() * 16 + self.nodes.len() * std::mem::size_of::<Node>()
    }

    /// A fresh hash part of `size` free nodes (a power of two, or 0).
    fn set_node_vector(&mut self, size: usize) {
        self.nodes = vec![Node::FREE; size].into_boxed_slice();
        self.lastfree = size as u32;
    }

    /// The main position of `key` (a live key: not nil, not a tombstone).
    #[inline(always)]
    fn main_position(&self, key: Value) -> usize {
        slot_of(hash_value(key), self.nodes.len() - 1)
    }

    /// The node holding string key `s`, if any.
    #[inline(always)]
    fn str_slot(&self, s: Gc<LuaStr>) -> Option<usize> {
        if s.is_short() {
            self.short_str_slot(s, s.hash())
        } else {
            self.long_str_slot(s)
        }
    }

    /// The node holding short string `s` (whose hash is `hash`), if any: a short string
    /// is interned, so it equals only itself and one pointer comparison tests a node.
    #[inline(always)]
    fn short_str_slot(&self, s: Gc<LuaStr>, hash: u64) -> Option<usize> {
        let nodes = &*self.nodes;
        if nodes.is_empty() {
            return None;
        }
        let bits = key_payload(Value::Str(s));
        let mut i = slot_of(hash, nodes.len() - 1);
        loop {
            // SAFETY: `i` is a main position (masked by len - 1, len a power of two) or a
            // chain link, and every link is an index inside `nodes` (module invariant).
            let n = unsafe { nodes.get_unchecked(i) };
            if n.key_is(TAG_STR, bits) {
                return Some(i);
            }
            if n.link() == 0 {
                return None;
            }
            i = n.link() as usize - 1;
        }
    }

    /// The node holding long string `s`, if any (compares bytes).
    #[inline(never)]
    fn long_str_slot(&self, s: Gc<LuaStr>) -> Option<usize> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut i = slot_of(s.hash(), self.nodes.len() - 1);
        loop {
            let n = &self.nodes[i];
            match n.key() {
                Value::Str(k) if LuaStr::equal(k, s) => return Some(i),
                _ if n.link() == 0 => return None,
                _ => i = n.link() as usize - 1,
            }
        }
    }

    /// The node holding integer key `k`, if any (keys are normalised, so only `Int` keys
    /// can equal it).
    #[inline]
    fn int_slot(&self, k: i64) -> Option<usize> {
        let nodes = &*self.nodes;
        if nodes.is_empty() {
            return None;
        }
        let mut i = slot_of(k as u64, nodes.len() - 1);
        loop {
            // SAFETY: as in `short_str_slot`.
            let n = unsafe { nodes.get_unchecked(i) };
            if n.key_is(TAG_INT, k as u64) {
                return Some(i);
            }
            if n.link() == 0 {
                return None;
            }
            i = n.link() as usize - 1;
        }
    }

    #[inline(always)]
    fn get_int(&self, i: i64) -> Value {
        let idx = (i as u64).wrapping_sub(1);
        if idx < self.array.len() as u64 {
            return self.array[idx as usize];
        }
        self.get_int_hashed(i)
    }

    /// `get_int_ref` outside the array part (out of line, as `get_int_hashed`).
    #[inline(never)]
    fn get_int_hashed_ref(&self, i: i64) -> &Value {
        match self.int_slot(i) {
            // SAFETY: a slot index comes from the lookup, inside `nodes`.
            Some(s) => unsafe { self.nodes.get_unchecked(s).val_ref() },
            None => &crate::value::NIL.0,
        }
    }

    /// `get_int` outside the array part (out of line: the loop inlines `get_int`).
    #[inline(never)]
    fn get_int_hashed(&self, i: i64) -> Value {
        match self.int_slot(i) {
            Some(s) => self.nodes[s].val(),
            None => Value::Nil,
        }
    }

    fn find_slot(&self, key: Value) -> Option<usize> {
        match key {
            Value::Str(s) => return self.str_slot(s),
            Value::Int(k) => return self.int_slot(k),
            _ => {}
        }
        if self.nodes.is_empty() {
            return None;
        }
        if let Value::Num(f) = key {
            if f.is_nan() {
                // never a key; and a tombstone's NaN must not be found
                return None;
            }
        }
        // every other key equals only keys with its tag and bits (floats with an integer
        // value are `Int` keys, and -0.0 is 0)
        let (tag, bits) = (key.tag(), key_payload(key));
        let mut i = self.main_position(key);
        loop {
            let n = &self.nodes[i];
            if n.key_is(tag, bits) {
                return Some(i);
            }
            if n.link() == 0 {
                return None;
            }
            i = n.link() as usize - 1;
        }
    }

    fn get_hashed(&self, key: Value) -> Value {
        match self.find_slot(key) {
            Some(i) => self.nodes[i].val(),
            None => Value::Nil,
        }
    }

    fn set_int(&mut self, i: i64, val: Value) -> isize {
        let idx = (i as u64).wrapping_sub(1);
        if idx < self.array.len() as u64 {
            self.array[idx as usize] = val;
            return 0;
        }
        if let Some(s) = self.int_slot(i) {
            self.nodes[s].set_val(val);
            return 0;
        }
        if val.is_nil() {
            return 0;
        }
        if idx == self.array.len() as u64 {
            return self.push_array(val);
        }
        self.insert_new(Value::Int(i), val)
    }

    /// Append at `array.len() + 1` and pull following keys out of the hash part.
    fn push_array(&mut self, val: Value) -> isize {
        let before = self.array.capacity();
        self.array.push(val);
        if !self.nodes.is_empty() {
            loop {
                match self.int_slot(self.array.len() as i64 + 1) {
                    Some(s) if !self.nodes[s].val_is_nil() => {
                        let v = self.nodes[s].val();
                        self.nodes[s].set_val(Value::Nil);
                        self.array.push(v);
                    }
                    _ => break,
                }
            }
        }
        (self.array.capacity() as isize - before as isize) * 16
    }

    fn set_hashed(&mut self, key: Value, val: Value) -> isize {
        if let Some(i) = self.find_slot(key) {
            self.nodes[i].set_val(val);
            return 0;
        }
        if val.is_nil() {
            return 0;
        }
        self.insert_new(key, val)
    }

    /// Insert a key known to be absent (its value not nil), rebuilding the table when the
    /// hash part has no free node left.
    fn insert_new(&mut self, key: Value, val: Value) -> isize {
        if self.hash_insert(key, val) {
            return 0;
        }
        let delta = self.rehash(key);
        // the key may now belong to the array part
        if let Value::Int(i) = key {
            let idx = (i as u64).wrapping_sub(1);
            if idx < self.array.len() as u64 {
                self.array[idx as usize] = val;
                return delta;
            }
            if idx == self.array.len() as u64 {
                return delta + self.push_array(val);
            }
        }
        let done = self.hash_insert(key, val);
        debug_assert!(done, "rehash leaves a free node for the new key");
        delta
    }

    /// A free node, searched downwards from `lastfree` (PUC's `getfreepos`).
    #[inline]
    fn free_pos(&mut self) -> Option<usize> {
        while self.lastfree > 0 {
            self.lastfree -= 1;
            if self.nodes[self.lastfree as usize].key_tag() == TAG_NIL {
                return Some(self.lastfree as usize);
            }
        }
        None
    }

    /// Put an absent key into the hash part (PUC's `luaH_newkey`): at its main position if
    /// that node holds no value; otherwise the new key takes a free node chained after the
    /// main position, unless the node there belongs to another chain, which then moves
    /// to the free node. `false` (nothing changed) when a free node is needed and there is
    /// none.
    fn hash_insert(&mut self, key: Value, val: Value) -> bool {
        if self.nodes.is_empty() {
            return false;
        }
        let mut mp = self.main_position(key);
        if !self.nodes[mp].val_is_nil() {
            let Some(f) = self.free_pos() else {
                return false;
            };
            let other = self.main_position(self.nodes[mp].key());
            if other != mp {
                // the colliding node is out of its main position: move it to the free
                // node (relinking its predecessor) and take its place
                let mut prev = other;
                while self.nodes[prev].link() as usize != mp + 1 {
                    prev = self.nodes[prev].link() as usize - 1;
                }
                self.nodes[prev].set_link(f as u32 + 1);
                // a copy of the raw words: key, value and link
                self.nodes[f] = self.nodes[mp];
                self.nodes[mp].set_link(0);
            } else {
                // the colliding node is in its main position: the new key goes to the
                // free node, second in that chain
                let link = self.nodes[mp].link();
                self.nodes[f].set_link(link);
                self.nodes[mp].set_link(f as u32 + 1);
                mp = f;
            }
        }
        let n = &mut self.nodes[mp];
        n.set_key_val(key, val);
        true
    }

    /// Rebuild both parts for the current live keys plus `extra` (PUC's `rehash`).
    fn rehash(&mut self, extra: Value) -> isize {
        let old_size = self.size_bytes() as isize;
        // all live keys, and whether any could go to the array part
        let mut total = 1usize; // `extra`
        let mut any_int = !self.array.is_empty() || matches!(extra, Value::Int(k) if k >= 1);
        for n in self.nodes.iter() {
            if !n.val_is_nil() {
                total += 1;
                any_int |= matches!(n.key(), Value::Int(k) if k >= 1);
            }
        }
        let (optimal, na) = if any_int {
            self.array_size(extra, &mut total)
        } else {
            (0, 0)
        };
        let old_nodes = std::mem::take(&mut self.nodes);
        let mut nhash = total - na;
        if old_nodes.is_empty() && nhash > 0 {
            nhash = nhash.max(4);
        }
        self.set_node_vector(hash_capacity_for(nhash));
        // the array part becomes 1..=optimal: keys beyond it move to the hash part
        if optimal < self.array.len() {
            for i in optimal..self.array.len() {
                let v = self.array[i];
                if !v.is_nil() {
                    let done = self.hash_insert(Value::Int(i as i64 + 1), v);
                    debug_assert!(done, "a rebuilt hash part holds its keys");
                }
            }
            self.array.truncate(optimal);
            self.array.shrink_to_fit();
        } else if optimal > self.array.len() {
            self.array.grow_exact(optimal);
        }
        for n in old_nodes.iter() {
            if n.val_is_nil() {
                continue;
            }
            if let Value::Int(k) = n.key() {
                let idx = (k as u64).wrapping_sub(1);
                if idx < optimal as u64 {
                    self.array[idx as usize] = n.val();
                    continue;
                }
            }
            let done = self.hash_insert(n.key(), n.val());
            debug_assert!(done, "a rebuilt hash part holds its keys");
        }
        // the array part ends at its last non-nil element (later appends extend it), or
        // at `extra` when that key belongs to it (the caller stores it there)
        let keep = match extra {
            Value::Int(k) if k >= 1 && k as u64 <= optimal as u64 => k as usize,
            _ => 0,
        };
        while self.array.len() > keep && matches!(self.array.last(), Some(Value::Nil)) {
            self.array.pop();
        }
        self.size_bytes() as isize - old_size
    }

    /// PUC's `computesizes`: the array part's new size, the largest power of two `n` with
    /// more than `n/2` integer keys in `1..=n` (counting `extra`), and how many keys it
    /// takes. Adds the array part's live values to `total`.
    fn array_size(&self, extra: Value, total: &mut usize) -> (usize, usize) {
        // nums[b] = number of integer keys k with 2^(b-1) < k <= 2^b
        let mut nums = [0usize; 65];
        let mut total_int = 0usize;
        let mut count = |k: i64| {
            if k >= 1 {
                let b = if k == 1 {
                    0
                } else {
                    64 - ((k - 1) as u64).leading_zeros() as usize
                };
                nums[b] += 1;
                total_int += 1;
            }
        };
        for (i, v) in self.array.iter().enumerate() {
            if !v.is_nil() {
                *total += 1;
                count(i as i64 + 1);
            }
        }
        for n in self.nodes.iter() {
            if !n.val_is_nil() {
                if let Value::Int(k) = n.key() {
                    count(k);
                }
            }
        }
        if let Value::Int(k) = extra {
            count(k);
        }
        let mut a = 0usize;
        let mut optimal = 0usize;
        let mut na = 0usize;
        let mut twotoi = 1usize;
        for n in nums.iter() {
            if twotoi / 2 >= total_int {
                break;
            }
            a += n;
            if a > twotoi / 2 {
                optimal = twotoi;
                na = a;
            }
            twotoi = twotoi.saturating_mul(2);
        }
        (optimal, na)
    }

    fn len(&self) -> i64 {
        let inner = self;
        let n = inner.array.len();
        if n > 0 && inner.array[n - 1].is_nil() {
            // binary search for a border in the array part
            let (mut lo, mut hi) = (0usize, n);
            while hi - lo > 1 {
                let m = (lo + hi) / 2;
                if inner.array[m - 1].is_nil() {
                    hi = m;
                } else {
                    lo = m;
                }
            }
            return lo as i64;
        }
        if inner.nodes.is_empty() {
            return n as i64;
        }
        // unbound search in the hash part
        let mut i = n as i64;
        let mut j = i + 1;
        while !self.get_int(j).is_nil() {
            i = j;
            if j > i64::MAX / 2 {
                // pathological: linear search
                let mut k = 1;
                while !self.get_int(k).is_nil() {
                    k += 1;
                }
                return k - 1;
            }
            j *= 2;
        }
        while j - i > 1 {
            let m = i + (j - i) / 2;
            if self.get_int(m).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        i
    }

    /// The entry after `key` in traversal order (`None` at the end); `Err` if `key` is not
    /// in the table ("invalid key to 'next'").
    fn next(&self, key: Value) -> Result<Option<(Value, Value)>, InvalidKey> {
        let inner = self;
        let alen = inner.array.len();
        let mut idx = match key {
            Value::Nil => 0,
            _ => {
                let key = match key {
                    Value::Num(f) => match float_to_int_exact(f) {
                        Some(i) => Value::Int(i),
                        None => key,
                    },
                    k => k,
                };
                match key {
                    Value::Int(i) if i >= 1 && (i as u64) <= alen as u64 => i as usize,
                    _ => match self.find_slot(key) {
                        Some(s) => alen + s + 1,
                        None => return Err(InvalidKey),
                    },
                }
            }
        };
        while idx < alen {
            let v = inner.array[idx];
            idx += 1;
            if !v.is_nil() {
                return Ok(Some((Value::Int(idx as i64), v)));
            }
        }
        let mut s = idx - alen;
        while s < inner.nodes.len() {
            let n = inner.nodes[s];
            if !n.val_is_nil() {
                return Ok(Some((n.key(), n.val())));
            }
            s += 1;
        }
        Ok(None)
    }
}

/// Number of nodes for a hash part that holds `n` keys: the smallest power of two,
/// as PUC's `setnodevector` (a chained hash part can be full).
#[cfg(test)]
impl Inner {
    /// Check the module invariants of the hash part (tests only).
    fn check(&self) {
        let len = self.nodes.len();
        assert!(len == 0 || len.is_power_of_two());
        for (i, n) in self.nodes.iter().enumerate() {
            assert!(n.link() as usize <= len, "link inside the nodes");
            if n.key_tag() == TAG_NIL {
                assert_eq!(n.link(), 0, "a free node is in no chain");
                assert!(n.val_is_nil());
                assert!(
                    i < self.lastfree as usize,
                    "no free node at or above lastfree"
                );
                continue;
            }
            if n.val_is_nil() {
                continue;
            }
            if let Value::Int(k) = n.key() {
                assert!(!(k >= 1 && k as u64 <= self.array.len() as u64));
            }
            // reachable from its main position
            let mut j = self.main_position(n.key());
            let mut steps = 0;
            while j != i {
                let nx = self.nodes[j].link();
                assert!(nx != 0, "key not on the chain of its main position");
                j = nx as usize - 1;
                steps += 1;
                assert!(steps <= len, "cycle in a chain");
            }
        }
    }
}

fn hash_capacity_for(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        n.next_power_of_two()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_and_hash() {
        let t = Table::new();
        for i in 1..=100 {
            t.set_int(i, Value::Int(i * 10));
        }
        assert_eq!(t.array_len(), 100);
        assert_eq!(t.len(), 100);
        t.set(Value::Num(2.0), Value::Int(7));
        assert!(matches!(t.get_int(2), Value::Int(7)));
        t.set_int(1000, Value::Bool(true));
        assert!(matches!(t.get(Value::Num(1000.0)), Value::Bool(true)));
        assert_eq!(t.len(), 100);
        t.set_int(100, Value::Nil);
        assert_eq!(t.len(), 99);
    }

    #[test]
    fn reverse_fill_moves_to_array() {
        let t = Table::new();
        for i in (1..=64).rev() {
            t.set_int(i, Value::Int(i));
        }
        assert_eq!(t.len(), 64);
        let mut n = 0;
        let mut k = Value::Nil;
        while let Some((nk, _)) = t.next(k).unwrap() {
            n += 1;
            k = nk;
        }
        assert_eq!(n, 64);
    }

    /// Random inserts, updates and removals of integer, float and boolean keys against a
    /// model; the chain invariants hold after every operation and `next` visits exactly
    /// the live keys.
    #[test]
    fn hash_part_matches_model() {
        use std::collections::HashMap;
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rand = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        // Miri (~1000x slower) runs a few short rounds of the same operations
        let (rounds, steps) = if cfg!(miri) { (3, 300) } else { (40, 3000) };
        for round in 0..rounds {
            let t = Table::new();
            let mut model: HashMap<(u8, u64), (Value, i64)> = HashMap::new();
            let model_id = |k: Value| match k {
                Value::Int(i) => (0, i as u64),
                Value::Num(f) => (1, f.to_bits()),
                Value::Bool(b) => (2, b as u64),
                _ => unreachable!(),
            };
            // keys collide a lot: small ranges, multiples of powers of two
            let spread = [8, 64, 1000][round % 3];
            for step in 0..steps {
                let key = match rand(4) {
                    0 => Value::Int(rand(spread) as i64 * 1024 - 20),
                    1 => Value::Int(rand(spread) as i64),
                    2 => Value::Num(rand(spread) as f64 + 0.5),
                    _ => Value::Bool(rand(2) == 0),
                };
                let id = model_id(key);
                if rand(3) == 0 {
                    t.set(key, Value::Nil);
                    model.remove(&id);
                } else {
                    t.set(key, Value::Int(step));
                    model.insert(id, (key, step));
                }
                t.inner().check();
                if step % 97 == 0 {
                    for (k, v) in model.values() {
                        assert!(matches!(t.get(*k), Value::Int(x) if x == *v));
                    }
                    let mut n = 0;
                    let mut k = Value::Nil;
                    while let Some((nk, nv)) = t.next(k).unwrap() {
                        let id = model_id(nk);
                        assert!(
                            matches!((model.get(&id), nv), (Some((_, a)), Value::Int(b)) if *a == b)
                        );
                        n += 1;
                        k = nk;
                    }
                    assert_eq!(n, model.len());
                }
            }
        }
    }

    #[test]
    fn node_tags() {
        let mut st = crate::state::State::new();
        let s = st.new_str(b"k");
        assert_eq!(Value::Str(s).tag(), TAG_STR);
        assert_eq!(Value::Nil.tag(), TAG_NIL);
        assert_eq!(Value::Bool(false).tag(), TAG_BOOL);
        assert_eq!(std::mem::size_of::<Node>(), 24);
    }

    fn native(_: &mut crate::state::State) -> Result<usize, crate::LuaError> {
        Ok(0)
    }

    /// Keys of every type (booleans, integers, floats, short and long strings, tables,
    /// functions of the three kinds, full and light userdata, threads) among colliding
    /// integer keys: after every insertion each key is found with its value, whatever
    /// rehashes and Brent moves happened (moves are counted: some must happen), and `next`
    /// visits every key once; then half of them are removed and re-added.
    #[test]
    fn keys_of_every_type_survive_moves() {
        let mut st = crate::state::State::new();
        let mut keys = vec![
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(0),
            Value::Int(-1),
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::Num(0.5),
            Value::Num(-1.5),
            Value::Num(f64::INFINITY),
            Value::Num(f64::NEG_INFINITY),
            Value::Num(1e300),
            Value::Str(st.new_str(b"short")),
            Value::Str(st.new_str(b"")),
            Value::Str(st.new_str(&[b'x'; 100])),
            Value::Table(st.new_table()),
            Value::Table(st.new_table()),
            st.load(b"return 1", b"=t").unwrap(),
            Value::NativeFn(native),
            st.new_native_closure(native, "c", vec![Value::Int(1)]),
            Value::UserData(st.new_userdata(Box::new(1u8), None)),
            Value::LightUserData(0x1000),
            Value::LightUserData(0),
            Value::Thread(st.new_thread(Value::Nil)),
        ];
        // integer keys that collide in small hash parts, to force chains and moves
        for i in 0..24 {
            keys.push(Value::Int(i * 1024 + 2));
        }
        let val_of = |i: usize| Value::Int(i as i64 * 7 + 1);
        let mut moves = 0;
        for order in 0..4 {
            let t = Table::new();
            let mut ks = keys.clone();
            // a different insertion order each round
            let n = ks.len();
            for i in 0..n {
                ks.swap(i, (i * 17 + order * 5) % n);
            }
            let mut slots: Vec<Option<usize>> = vec![None; n];
            for (i, &k) in ks.iter().enumerate() {
                t.set(k, val_of(i));
                t.inner().check();
                for (j, &kj) in ks[..=i].iter().enumerate() {
                    assert!(t.get(kj).raw_equal(val_of(j)), "key {j} lost");
                    let now = t.inner().find_slot(kj);
                    if j < i && slots[j].is_some() && now != slots[j] && now.is_some() {
                        moves += 1;
                    }
                    slots[j] = now;
                }
            }
            let visit = |t: &Table| {
                let mut seen = vec![0; n];
                let mut k = Value::Nil;
                while let Some((nk, nv)) = t.next(k).unwrap() {
                    let j = ks
                        .iter()
                        .position(|x| x.raw_equal(nk))
                        .expect("a known key");
                    assert!(nv.raw_equal(val_of(j)));
                    seen[j] += 1;
                    k = nk;
                }
                seen
            };
            assert!(visit(&t).iter().all(|&c| c == 1));
            for &k in ks.iter().step_by(2) {
                t.set(k, Value::Nil);
            }
            let seen = visit(&t);
            for (j, c) in seen.iter().enumerate() {
                assert_eq!(*c, (j % 2) as i32, "key {j} after removals");
            }
            for (j, &k) in ks.iter().enumerate().step_by(2) {
                t.set(k, val_of(j));
                t.inner().check();
            }
            assert!(visit(&t).iter().all(|&c| c == 1));
        }
        assert!(moves > 0, "Brent moves happened");
    }

    /// A node stores each key as `stored_parts` (pointers with their provenance) and
    /// lookups compare `parts`'s bits: the two must agree for every type, and a key read
    /// back from a node (`Node::key`) must be the key itself. (Under Miri,
    /// `keys_of_every_type_survive_moves` also checks that the keys read back are usable
    /// pointers.)
    #[test]
    fn stored_words_are_the_compared_bits() {
        let mut st = crate::state::State::new();
        let keys = [
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(-3),
            Value::Num(0.25),
            Value::LightUserData(7),
            Value::Str(st.new_str(b"s")),
            Value::Table(st.new_table()),
            st.load(b"return 1", b"=t").unwrap(),
            Value::NativeFn(native),
            st.new_native_closure(native, "c", vec![]),
            Value::UserData(st.new_userdata(Box::new(1u8), None)),
            Value::Thread(st.new_thread(Value::Nil)),
        ];
        for k in keys {
            let (tag, word) = stored_parts(k);
            // SAFETY: a key's payload word is always initialised (`stored_parts`).
            assert_eq!((tag, unsafe { word.assume_init() }), parts(k));
            let mut n = Node::FREE;
            n.set_key_val(k, k);
            assert!(n.key_is(k.tag(), key_payload(k)));
            assert!(n.key().raw_equal(k) && n.val().raw_equal(k));
            n.set_key(Value::Int(1));
            n.set_key(k);
            assert!(n.key().raw_equal(k) && n.key_tag() == tag);
            // the handles read back are usable (Miri: they have their provenance)
            if let (Value::Str(a), Value::Str(b)) = (n.key(), n.val()) {
                assert_eq!(a.as_bytes(), b"s");
                assert_eq!(b.as_bytes(), b"s");
            }
        }
    }

    #[test]
    fn next_survives_clearing() {
        let t = Table::new();
        for i in 0..50 {
            t.set(Value::Num(i as f64 + 0.5), Value::Int(i));
        }
        let mut k = Value::Nil;
        let mut n = 0;
        while let Some((nk, _)) = t.next(k).unwrap() {
            t.set(nk, Value::Nil);
            k = nk;
            n += 1;
        }
        assert_eq!(n, 50);
        assert!(t.is_empty());
    }
}
