//! Lua strings: immutable byte strings with a cached hash, and the per-state intern table.
//!
//! Invariants:
//! - strings of at most `MAX_SHORT_LEN` bytes are interned: two short strings with the same
//!   bytes are the same object, so their equality is pointer equality;
//! - longer strings are never interned; their equality compares bytes;
//! - `hash` is computed once, at creation, from the bytes (the same function for short and
//!   long strings, so a long string and a short one never compare equal anyway);
//! - the intern table holds its strings weakly: the sweep tells it about each string it
//!   frees (`Trace::cache_key`, `forget`), and a string found in it during a sweep is
//!   kept alive (`Heap::keep_alive`), so it never hands out a freed string;
//! - a string made from `&'static` bytes (library names, metamethod names: `intern_static`)
//!   borrows them instead of copying: one allocation, not two, and no bytes to account.

use hashbrown::HashTable;
use luavm_gc::{Gc, Heap, Marker, Trace};

/// Longest string that is interned (PUC's `LUAI_MAXSHORTLEN`).
pub const MAX_SHORT_LEN: usize = 40;

/// An immutable Lua string: its hash and its bytes, which it owns or borrows for the
/// whole program. 24 bytes: the variant tag and the 32-bit hash share the first word,
/// and both variants keep (pointer, length) at the same place, so reading the bytes or
/// the hash takes no branch.
pub struct LuaStr(Repr);

enum Repr {
    Owned { hash: u32, bytes: Box<[u8]> },
    Static { hash: u32, bytes: &'static [u8] },
}

const _: () = assert!(std::mem::size_of::<LuaStr>() == 24);

impl Trace for LuaStr {
    fn trace(&self, _m: &mut Marker) {}
    fn extra_size(&self) -> usize {
        match &self.0 {
            Repr::Owned { bytes, .. } => bytes.len(),
            Repr::Static { .. } => 0,
        }
    }
    fn cache_key(&self) -> Option<u64> {
        // short strings are in the intern table, under their hash
        self.is_short().then(|| self.hash())
    }
}

impl LuaStr {
    fn owned(hash: u64, bytes: Box<[u8]>) -> LuaStr {
        LuaStr(Repr::Owned {
            hash: hash as u32,
            bytes,
        })
    }
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Owned { bytes, .. } => bytes,
            Repr::Static { bytes, .. } => bytes,
        }
    }
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }
    /// The string's hash (32 bits, as `Interner::hash_bytes` computes them).
    #[inline(always)]
    pub fn hash(&self) -> u64 {
        match &self.0 {
            Repr::Owned { hash, .. } | Repr::Static { hash, .. } => u64::from(*hash),
        }
    }
    #[inline(always)]
    pub fn is_short(&self) -> bool {
        self.len() <= MAX_SHORT_LEN
    }
    /// Lossy UTF-8 view, for messages.
    pub fn to_str_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }
    /// String equality: identity for short strings, bytes for long ones.
    #[inline(always)]
    pub fn equal(a: Gc<LuaStr>, b: Gc<LuaStr>) -> bool {
        Gc::ptr_eq(a, b) || (!a.is_short() && a.hash() == b.hash() && a.as_bytes() == b.as_bytes())
    }
}

fn hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    )
}

/// The hash of `"__mode"` as every state's interner computes it (the collector looks the
/// field up by bytes while tracing).
pub(crate) fn mode_hash() -> u64 {
    static HASH: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *HASH.get_or_init(|| hasher().hash_one(b"__mode".as_slice()) as u32 as u64)
}

/// The intern table's own hash of a string hash: hashbrown takes its control bits from
/// the top of the word, which a 32-bit hash leaves at zero.
#[inline(always)]
fn spread(h: u64) -> u64 {
    h.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The per-state set of interned short strings.
pub struct Interner {
    set: HashTable<Gc<LuaStr>>,
    hasher: ahash::RandomState,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            set: HashTable::new(),
            hasher: hasher(),
        }
    }
}

impl Interner {
    /// The hash of a string with these bytes (32 bits).
    #[inline]
    pub fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        self.hasher.hash_one(bytes) as u32 as u64
    }

    /// The string with these bytes: the interned one for short strings, a new one otherwise.
    #[inline]
    pub fn intern(&mut self, heap: &mut Heap, bytes: &[u8]) -> Gc<LuaStr> {
        let hash = self.hash_bytes(bytes);
        if bytes.len() > MAX_SHORT_LEN {
            return heap.alloc(LuaStr::owned(hash, bytes.into()));
        }
        if let Some(s) = self.set.find(spread(hash), |s| s.as_bytes() == bytes) {
            // during a sweep it may be a dead string not freed yet: it lives on
            heap.keep_alive(*s);
            return *s;
        }
        let s = heap.alloc(LuaStr::owned(hash, bytes.into()));
        self.set
            .insert_unique(spread(hash), s, |s| spread(s.hash()));
        s
    }

    /// `intern` for bytes that live for the whole program: a new string borrows them.
    #[inline]
    pub fn intern_static(&mut self, heap: &mut Heap, bytes: &'static [u8]) -> Gc<LuaStr> {
        let hash = self.hash_bytes(bytes);
        let new = LuaStr(Repr::Static {
            hash: hash as u32,
            bytes,
        });
        if bytes.len() > MAX_SHORT_LEN {
            return heap.alloc(new);
        }
        if let Some(s) = self.set.find(spread(hash), |s| s.as_bytes() == bytes) {
            // during a sweep it may be a dead string not freed yet: it lives on
            heap.keep_alive(*s);
            return *s;
        }
        let s = heap.alloc(new);
        self.set
            .insert_unique(spread(hash), s, |s| spread(s.hash()));
        s
    }

    /// Make room for `additional` more strings (no rehash while they come).
    pub fn reserve(&mut self, additional: usize) {
        self.set.reserve(additional, |s| spread(s.hash()));
    }

    /// The interned string with these bytes, if there is one (no allocation). During a
    /// sweep it may be a dead string not freed yet: use it only for an identity comparison
    /// right away (e.g. a table lookup), never keep it.
    pub fn find(&self, bytes: &[u8]) -> Option<Gc<LuaStr>> {
        if bytes.len() > MAX_SHORT_LEN {
            return None;
        }
        let hash = self.hash_bytes(bytes);
        self.set
            .find(spread(hash), |s| s.as_bytes() == bytes)
            .copied()
    }

    /// Like `intern` but takes ownership of a buffer (saves a copy for long strings).
    pub fn intern_vec(&mut self, heap: &mut Heap, bytes: Vec<u8>) -> Gc<LuaStr> {
        if bytes.len() <= MAX_SHORT_LEN {
            return self.intern(heap, &bytes);
        }
        let hash = self.hash_bytes(&bytes);
        heap.alloc(LuaStr::owned(hash, bytes.into_boxed_slice()))
    }

    /// The sweep is about to free the interned string at `addr` (hash `hash`): forget it.
    pub fn forget(&mut self, addr: usize, hash: u64) {
        if let Ok(e) = self.set.find_entry(spread(hash), |s| s.addr() == addr) {
            e.remove();
        }
    }

    pub fn len(&self) -> usize {
        self.set.len()
    }
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
    /// Slots of the intern table (for memory accounting).
    pub fn capacity(&self) -> usize {
        self.set.capacity()
    }
}
