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
use std::ptr::NonNull;

use luavm_gc::{Gc, Heap, Marker, Trace};

/// Longest string that is interned (PUC's `LUAI_MAXSHORTLEN`).
pub const MAX_SHORT_LEN: usize = 40;

/// An immutable Lua string: its hash and its bytes, which it owns or borrows for the
/// whole program. 16 bytes (24 with the collector's header): the 32-bit hash, `meta`
/// (the length shifted left by one, with the "borrowed" bit below it) and the pointer to
/// the bytes — the same places for both kinds, so reading the bytes or the hash takes no
/// branch on the kind.
///
/// The hot tests read one field and need no mask: `hash` is the field itself, and
/// `is_short` is one comparison of `meta` (the borrowed bit is below the length, so
/// `meta <= 2 * MAX_SHORT_LEN + 1` exactly when the length is short; a mask there kept
/// a constant in a register of the interpreter loop, which then spilled others).
///
/// Invariants: `meta >> 1` is the length, except `HUGE`, which means that `ptr` points
/// to a `Box<Box<[u8]>>` (strings of 2 GB and more, whose length does not fit; the one
/// branch of `as_bytes`, never taken in practice); with `BORROWED`, `ptr` is a
/// `&'static [u8]`'s pointer (never huge); otherwise the bytes are a `Box<[u8]>` of that
/// length that this string owns.
pub struct LuaStr {
    hash: u32,
    meta: u32,
    ptr: NonNull<u8>,
}

/// `meta`'s low bit: the bytes are borrowed for the whole program (not freed).
const BORROWED: u32 = 1;
/// `meta >> 1` of a string whose bytes are in a second box (`LuaStr::huge`).
const HUGE: u32 = u32::MAX >> 1;
/// `meta` of the longest short string, borrowed.
const SHORT_META: u32 = (MAX_SHORT_LEN as u32) << 1 | BORROWED;

const _: () = assert!(std::mem::size_of::<LuaStr>() == 16);

impl Drop for LuaStr {
    fn drop(&mut self) {
        if self.meta & BORROWED != 0 {
            return;
        }
        let n = self.meta >> 1;
        if n == HUGE {
            return self.drop_huge();
        }
        // SAFETY: an owned string's `ptr` came from `Box::leak` of a `Box<[u8]>` of
        // length `n` (type invariant); it is dropped once, here.
        unsafe {
            let slice = std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), n as usize);
            drop(Box::from_raw(slice));
        }
    }
}

impl Trace for LuaStr {
    fn trace(&self, _m: &mut Marker) {}
    fn extra_size(&self) -> usize {
        if self.meta & BORROWED != 0 {
            0
        } else if self.meta >> 1 == HUGE {
            self.len() + std::mem::size_of::<Box<[u8]>>()
        } else {
            (self.meta >> 1) as usize
        }
    }
    fn cache_key(&self) -> Option<u64> {
        // short strings are in the intern table, under their hash
        self.is_short().then(|| self.hash())
    }
}

impl LuaStr {
    fn owned(hash: u64, bytes: Box<[u8]>) -> LuaStr {
        let n = bytes.len();
        if n >= HUGE as usize {
            return LuaStr::huge(hash, bytes);
        }
        LuaStr {
            hash: hash as u32,
            meta: (n as u32) << 1,
            ptr: NonNull::from(Box::leak(bytes)).cast(),
        }
    }
    /// The representation of strings whose length does not fit in `meta`.
    fn huge(hash: u64, bytes: Box<[u8]>) -> LuaStr {
        LuaStr {
            hash: hash as u32,
            meta: HUGE << 1,
            ptr: NonNull::from(Box::leak(Box::new(bytes))).cast(),
        }
    }
    fn borrowed(hash: u64, bytes: &'static [u8]) -> LuaStr {
        if bytes.len() >= HUGE as usize {
            return LuaStr::owned(hash, bytes.into());
        }
        LuaStr::short_borrowed(hash, bytes)
    }
    /// `borrowed` for bytes whose length fits in `meta` (every short string's does).
    #[inline(always)]
    fn short_borrowed(hash: u64, bytes: &'static [u8]) -> LuaStr {
        debug_assert!(bytes.len() < HUGE as usize);
        LuaStr {
            hash: hash as u32,
            meta: (bytes.len() as u32) << 1 | BORROWED,
            ptr: NonNull::from(bytes).cast(),
        }
    }
    #[inline(always)]
    pub fn as_bytes(&self) -> &[u8] {
        let n = self.meta >> 1;
        if n == HUGE {
            return self.huge_bytes();
        }
        // SAFETY: `ptr` points to `n` bytes owned by this string or borrowed for the
        // whole program (type invariant).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), n as usize) }
    }
    /// `as_bytes` of a short string (the intern table's): no huge case to test.
    #[inline(always)]
    fn short_bytes(&self) -> &[u8] {
        debug_assert!(self.is_short());
        // SAFETY: a short string's `ptr` points to `meta >> 1` (at most 40) bytes, owned
        // or borrowed for the whole program (type invariant).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), (self.meta >> 1) as usize) }
    }
    #[cold]
    #[inline(never)]
    fn drop_huge(&mut self) {
        // SAFETY: a huge string's `ptr` came from `Box::leak` of its `Box<Box<[u8]>>`
        // (type invariant); `drop` calls this once.
        unsafe { drop(Box::from_raw(self.ptr.as_ptr() as *mut Box<[u8]>)) }
    }
    #[cold]
    #[inline(never)]
    fn huge_bytes(&self) -> &[u8] {
        // SAFETY: a huge string's `ptr` is its `Box<Box<[u8]>>` (type invariant).
        unsafe { &*(self.ptr.as_ptr() as *const Box<[u8]>) }
    }
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.meta >> 1 == 0
    }
    /// The string's hash (32 bits, as `Interner::hash_bytes` computes them).
    #[inline(always)]
    pub fn hash(&self) -> u64 {
        u64::from(self.hash)
    }
    #[inline(always)]
    pub fn is_short(&self) -> bool {
        self.meta <= SHORT_META
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
        if let Some(s) = self.set.find(spread(hash), |s| s.short_bytes() == bytes) {
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
        if bytes.len() > MAX_SHORT_LEN {
            return heap.alloc(LuaStr::borrowed(hash, bytes));
        }
        if let Some(s) = self.set.find(spread(hash), |s| s.short_bytes() == bytes) {
            // during a sweep it may be a dead string not freed yet: it lives on
            heap.keep_alive(*s);
            return *s;
        }
        let s = heap.alloc(LuaStr::short_borrowed(hash, bytes));
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
            .find(spread(hash), |s| s.short_bytes() == bytes)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_representation_gives_its_bytes_back() {
        let owned = LuaStr::owned(7, b"hello".as_slice().into());
        let borrowed = LuaStr::borrowed(8, b"world");
        let huge = LuaStr::huge(9, b"a long one".as_slice().into());
        let empty = LuaStr::owned(10, Box::new([]));
        assert_eq!(owned.as_bytes(), b"hello");
        assert_eq!(borrowed.as_bytes(), b"world");
        assert_eq!(huge.as_bytes(), b"a long one");
        assert_eq!(empty.as_bytes(), b"");
        assert_eq!((owned.hash(), borrowed.hash(), huge.hash()), (7, 8, 9));
        assert_eq!((owned.len(), borrowed.len(), huge.len()), (5, 5, 10));
        assert!(owned.is_short() && borrowed.is_short() && !huge.is_short());
        assert!(empty.is_empty());
        assert_eq!(owned.extra_size(), 5);
        assert_eq!(borrowed.extra_size(), 0);
        assert_eq!(huge.extra_size(), 10 + 16);
    }

    #[test]
    fn short_means_at_most_40_bytes_owned_or_borrowed() {
        static B41: [u8; 41] = [b'x'; 41];
        let at = |n: usize| LuaStr::owned(0, vec![b'x'; n].into_boxed_slice());
        assert!(at(0).is_short() && at(40).is_short());
        assert!(!at(41).is_short() && !at(1 << 20).is_short());
        assert!(LuaStr::borrowed(0, &B41[..40]).is_short());
        assert!(!LuaStr::borrowed(0, &B41).is_short());
        assert!(!LuaStr::huge(0, Box::new([])).is_short());
        assert_eq!(LuaStr::borrowed(0, &B41).len(), 41);
        assert!(at(0).is_empty() && !LuaStr::borrowed(0, &B41).is_empty());
    }
}
