//! A table's array part: a growable vector of values in 16 bytes (pointer, `u32`
//! length, `u32` capacity) instead of `Vec`'s 24, so that a `Table` is 48 bytes and,
//! with the collector's header, 56 — PUC 5.4's `Table` size (programs make many small
//! tables: every node of a binary tree is one).
//!
//! Every growth and shrink is `Vec`'s own: the parts are put back into a `Vec` for the
//! operation (`with_vec`) and taken out again, so the allocation always has the layout
//! `Vec<Value>` gives it and the growth policy is `Vec`'s.
//!
//! Invariants: `ptr`, `len`, `cap` are the raw parts of a `Vec<Value>` this value owns
//! (`ptr` dangling when `cap` is 0); `len` and `cap` fit in `u32` (4 G values, 64 GB: the
//! allocation fails long before; a growth past it is handled as a failed allocation).

use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

use crate::value::Value;

/// The array part of a table (see the module comment).
pub struct ArrayPart {
    ptr: NonNull<Value>,
    len: u32,
    cap: u32,
}

impl Default for ArrayPart {
    fn default() -> ArrayPart {
        ArrayPart::from_vec(Vec::new())
    }
}

impl ArrayPart {
    /// An empty array part with room for `n` values.
    pub fn with_capacity(n: usize) -> ArrayPart {
        ArrayPart::from_vec(Vec::with_capacity(n.min(u32::MAX as usize)))
    }

    fn from_vec(v: Vec<Value>) -> ArrayPart {
        if v.capacity() > u32::MAX as usize {
            // 4 G values (64 GB): treated as the failed allocation it nearly is
            std::alloc::handle_alloc_error(std::alloc::Layout::new::<[Value; 2]>());
        }
        let mut v = ManuallyDrop::new(v);
        ArrayPart {
            // `Vec::as_mut_ptr` is never null (dangling when nothing is allocated)
            ptr: NonNull::new(v.as_mut_ptr()).unwrap_or(NonNull::dangling()),
            len: v.len() as u32,
            cap: v.capacity() as u32,
        }
    }

    /// Run `f` on the parts as a `Vec`, then take them back.
    #[inline]
    fn with_vec<R>(&mut self, f: impl FnOnce(&mut Vec<Value>) -> R) -> R {
        // `self` is left empty while the `Vec` owns the parts: if `f` unwinds, the `Vec`
        // frees them and `self` owns nothing
        let parts = ManuallyDrop::new(std::mem::take(self));
        // SAFETY: `parts` holds the raw parts of a `Vec<Value>` (module invariant), given
        // up by `self` (now empty) and never dropped (`ManuallyDrop`): the `Vec` is
        // their one owner.
        let mut v = unsafe {
            Vec::from_raw_parts(parts.ptr.as_ptr(), parts.len as usize, parts.cap as usize)
        };
        let r = f(&mut v);
        *self = ArrayPart::from_vec(v);
        r
    }

    /// How many values the allocation holds.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.cap as usize
    }

    /// Append `v` (`Vec::push`'s amortised growth).
    #[inline]
    pub fn push(&mut self, v: Value) {
        if self.len < self.cap {
            // SAFETY: `len < cap`: the slot is inside the allocation and unused.
            unsafe { self.ptr.as_ptr().add(self.len as usize).write(v) };
            self.len += 1;
        } else {
            self.with_vec(|vec| vec.push(v));
        }
    }

    /// Remove the last value.
    pub fn pop(&mut self) -> Option<Value> {
        let last = self.last().copied();
        if last.is_some() {
            self.len -= 1;
        }
        last
    }

    /// Keep the first `n` values.
    pub fn truncate(&mut self, n: usize) {
        if n < self.len as usize {
            self.len = n as u32;
        }
    }

    /// Give back the room past the length.
    pub fn shrink_to_fit(&mut self) {
        if self.cap > self.len {
            self.with_vec(|v| v.shrink_to_fit());
        }
    }

    /// Grow to `n` values (`n` at least the length), the new ones nil, with no room past
    /// them unless the allocation already had it: PUC's `luaH_resizearray` (table
    /// constructors and rehashes size the array part exactly).
    #[inline]
    pub fn grow_exact(&mut self, n: usize) {
        debug_assert!(n >= self.len as usize);
        if n > self.cap as usize {
            self.with_vec(|v| v.reserve_exact(n - v.len()));
        }
        for i in self.len as usize..n {
            // SAFETY: `i < n <= cap`: inside the allocation (unused slots).
            unsafe { self.ptr.as_ptr().add(i).write(Value::Nil) };
        }
        self.len = n as u32;
    }
}

impl Drop for ArrayPart {
    fn drop(&mut self) {
        // SAFETY: the parts of a `Vec<Value>` this value owns (module invariant), dropped
        // once; `Value` has no destructor, so only the allocation is given back.
        drop(unsafe {
            Vec::from_raw_parts(self.ptr.as_ptr(), self.len as usize, self.cap as usize)
        });
    }
}

impl Deref for ArrayPart {
    type Target = [Value];
    #[inline(always)]
    fn deref(&self) -> &[Value] {
        // SAFETY: the first `len` values of the allocation are initialised (module
        // invariant: the parts of a `Vec` of length `len`).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len as usize) }
    }
}

impl DerefMut for ArrayPart {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [Value] {
        // SAFETY: as in `deref`, and `&mut self` is the only access.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len as usize) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_shrinks_and_keeps_values() {
        let mut a = ArrayPart::default();
        assert!(a.is_empty());
        for i in 0..100 {
            a.push(Value::Int(i));
        }
        assert_eq!(a.len(), 100);
        assert!(a.capacity() >= 100);
        assert!(matches!(a[57], Value::Int(57)));
        a.truncate(10);
        a.shrink_to_fit();
        assert_eq!(a.capacity(), 10);
        assert!(matches!(a.pop(), Some(Value::Int(9))));
        a.grow_exact(20);
        assert_eq!(a.len(), 20);
        assert_eq!(a.capacity(), 20);
        assert!(matches!(a[8], Value::Int(8)));
        assert!(matches!(a[19], Value::Nil));
        a.grow_exact(25);
        assert_eq!((a.len(), a.capacity()), (25, 25));
        assert!(matches!(a[24], Value::Nil));
        let b = ArrayPart::with_capacity(3);
        assert_eq!((b.len(), b.capacity()), (0, 3));
    }
}
