//! luavm-gc: the per-state heap — allocation, `Gc<T>` handles, tracing, mark and sweep.
//!
//! One `Heap` belongs to one Lua state. Every object lives in a `GcBox` (header + value)
//! allocated with `Box` and owned by the heap's object list until a sweep frees it.
//!
//! Invariants:
//! - A `Gc<T>` is a plain pointer: `Copy`, `!Send`, `!Sync`. It is valid as long as its object
//!   has not been swept. The heap frees an object only in `Heap::collect`, and only if the
//!   object was not reached from the roots that the caller of `collect` traced (that call is
//!   `unsafe`: its caller promises that every handle it will use afterwards is reachable
//!   from those roots).
//! - Marking uses an explicit gray list (no Rust recursion): `Marker::mark` sets the mark
//!   bit and queues the object; `Heap::collect` drains the queue calling `Trace::trace`.
//! - Between collections every mark bit is clear.
//!
//! Room for what comes next (weak tables, finalizers, incremental steps): the mark phase is
//! separate from the sweep (`mark_from` / `sweep`), and the caller can inspect `is_marked`
//! between them (as it does to clear the string intern table of dead strings).

#![deny(unsafe_op_in_unsafe_fn)]

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

/// Objects that can hold GC handles say how to reach them.
pub trait Trace {
    /// Call `m.mark` on every handle held directly by `self`.
    fn trace(&self, m: &mut Marker);
    /// Bytes owned by this object outside its `GcBox` (buffers), for memory accounting.
    fn extra_size(&self) -> usize {
        0
    }
}

struct Header {
    marked: Cell<bool>,
}

#[repr(C)]
struct GcBox<T: ?Sized> {
    header: Header,
    value: T,
}

/// A handle to a heap object. See the crate invariants for when it is valid.
pub struct Gc<T: ?Sized + 'static> {
    ptr: NonNull<GcBox<T>>,
    _not_send: PhantomData<*const ()>,
}

impl<T: ?Sized> Clone for Gc<T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Gc<T> {}

impl<T: ?Sized> Gc<T> {
    /// Identity comparison.
    #[inline(always)]
    pub fn ptr_eq(a: Gc<T>, b: Gc<T>) -> bool {
        std::ptr::addr_eq(a.ptr.as_ptr(), b.ptr.as_ptr())
    }
    /// The address, for hashing and `%p`-style printing.
    #[inline(always)]
    pub fn addr(self) -> usize {
        self.ptr.as_ptr() as *const u8 as usize
    }
    /// A raw pointer to the object, with the provenance of its allocation (writes through
    /// it are allowed). Dereferencing it is up to the caller: the object must be live and
    /// no reference to the written part may be in use at the same time.
    #[inline]
    pub fn as_ptr(self) -> *mut T {
        // SAFETY: a live handle points to a live GcBox (crate invariant); taking the field's
        // address reads nothing.
        unsafe { &raw mut (*self.ptr.as_ptr()).value }
    }
    /// Whether the current mark phase reached this object.
    #[inline]
    pub fn is_marked(self) -> bool {
        self.header().marked.get()
    }
    #[inline(always)]
    fn header(&self) -> &Header {
        // SAFETY: a live handle points to a live GcBox (crate invariant).
        unsafe { &self.ptr.as_ref().header }
    }
}

impl<T: ?Sized> Deref for Gc<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: a handle in use is reachable from the roots traced at every collection
        // since it was created (crate invariant), so its box has not been freed.
        unsafe { &self.ptr.as_ref().value }
    }
}

impl<T: ?Sized> fmt::Debug for Gc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gc({:#x})", self.addr())
    }
}

/// Erased pointer to a box, as the heap keeps it.
type Erased = NonNull<GcBox<dyn Trace>>;

/// The marking context handed to `Trace::trace`.
pub struct Marker {
    gray: Vec<Erased>,
}

impl Marker {
    /// Mark `gc` and queue it for tracing if it was not marked yet.
    #[inline]
    pub fn mark<T: Trace + 'static>(&mut self, gc: Gc<T>) {
        let h = gc.header();
        if !h.marked.get() {
            h.marked.set(true);
            let erased: NonNull<GcBox<dyn Trace>> = gc.ptr;
            self.gray.push(erased);
        }
    }
    /// Mark an object that holds no handles (strings): no queueing needed.
    #[inline]
    pub fn mark_leaf<T: ?Sized>(&mut self, gc: Gc<T>) {
        gc.header().marked.set(true);
    }
}

/// Collector tuning, as PUC's `pause` and `stepmul` (percentages).
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    pub pause: usize,
    pub stepmul: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            pause: 200,
            stepmul: 200,
        }
    }
}

/// A per-state heap.
pub struct Heap {
    objects: Vec<Erased>,
    /// Bytes currently allocated (boxes plus their reported extra sizes).
    allocated: usize,
    /// Collect when `allocated` reaches this.
    threshold: usize,
    marker: Marker,
    pub tuning: Tuning,
    /// `collectgarbage("stop")` sets this to false.
    pub running: bool,
    /// Collect at every safe point (for tests).
    pub stress: bool,
    /// Number of completed collections.
    pub cycles: u64,
    _not_send: PhantomData<*const ()>,
}

const MIN_THRESHOLD: usize = 256 * 1024;

impl Default for Heap {
    fn default() -> Self {
        Self::new()
    }
}

impl Heap {
    pub fn new() -> Heap {
        Heap {
            objects: Vec::new(),
            allocated: 0,
            threshold: MIN_THRESHOLD,
            marker: Marker { gray: Vec::new() },
            tuning: Tuning::default(),
            running: true,
            stress: false,
            cycles: 0,
            _not_send: PhantomData,
        }
    }

    /// Move `value` into the heap.
    #[inline]
    pub fn alloc<T: Trace + 'static>(&mut self, value: T) -> Gc<T> {
        let size = std::mem::size_of::<GcBox<T>>() + value.extra_size();
        self.allocated += size;
        let boxed = Box::new(GcBox {
            header: Header {
                marked: Cell::new(false),
            },
            value,
        });
        let ptr = NonNull::from(Box::leak(boxed));
        self.objects.push(ptr);
        Gc {
            ptr,
            _not_send: PhantomData,
        }
    }

    /// Record `bytes` more (or fewer, negative) owned by existing objects (buffer growth).
    #[inline]
    pub fn account(&mut self, delta: isize) {
        self.allocated = self.allocated.saturating_add_signed(delta);
    }

    /// Bytes in use.
    pub fn allocated(&self) -> usize {
        self.allocated
    }

    /// Number of live objects (after the last sweep, plus new ones).
    pub fn object_count(&self) -> usize {
        self.objects.len()
    }

    /// Whether a safe point should collect now.
    #[inline(always)]
    pub fn should_collect(&self) -> bool {
        (self.allocated >= self.threshold && self.running) || self.stress
    }

    /// Mark phase: `roots` marks the root set; the gray list is then drained.
    /// Afterwards `Gc::is_marked` tells which objects are alive.
    pub fn mark_from(&mut self, roots: impl FnOnce(&mut Marker)) {
        roots(&mut self.marker);
        while let Some(obj) = self.marker.gray.pop() {
            // SAFETY: gray objects were reached from roots during this mark phase, so they
            // are live boxes owned by `objects`; nothing is freed during marking.
            let value: &dyn Trace = unsafe { &obj.as_ref().value };
            value.trace(&mut self.marker);
        }
    }

    /// Sweep phase: free every unmarked object, clear the marks of the rest.
    ///
    /// # Safety
    /// The caller must have called `mark_from` with a root set that reaches every handle
    /// that will be used after this call (and must have dropped all others, e.g. removed
    /// dead strings from weak caches).
    pub unsafe fn sweep(&mut self) {
        let mut allocated = 0usize;
        self.objects.retain(|obj| {
            // SAFETY: every pointer in `objects` is a live box until freed right here,
            // and each is freed at most once (it is removed from the list as it is freed).
            unsafe {
                let r = obj.as_ref();
                if r.header.marked.get() {
                    r.header.marked.set(false);
                    allocated += std::mem::size_of_val(r) + r.value.extra_size();
                    true
                } else {
                    drop(Box::from_raw(obj.as_ptr()));
                    false
                }
            }
        });
        self.allocated = allocated;
        let live = allocated.max(MIN_THRESHOLD / 2);
        self.threshold = live / 100 * self.tuning.pause.max(100);
        self.threshold = self.threshold.max(MIN_THRESHOLD);
        self.cycles += 1;
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        for obj in self.objects.drain(..) {
            // SAFETY: the heap owns every box in `objects`; when the heap goes, no handle
            // may be used any more (they all belong to this heap's state).
            unsafe { drop(Box::from_raw(obj.as_ptr())) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    struct Node {
        next: RefCell<Option<Gc<Node>>>,
        _payload: u64,
    }
    impl Trace for Node {
        fn trace(&self, m: &mut Marker) {
            if let Some(n) = *self.next.borrow() {
                m.mark(n);
            }
        }
    }

    #[test]
    fn collects_unreachable_and_keeps_reachable() {
        let mut heap = Heap::new();
        let a = heap.alloc(Node {
            next: RefCell::new(None),
            _payload: 1,
        });
        let b = heap.alloc(Node {
            next: RefCell::new(None),
            _payload: 2,
        });
        *a.next.borrow_mut() = Some(b);
        *b.next.borrow_mut() = Some(a); // a cycle
        let _c = heap.alloc(Node {
            next: RefCell::new(None),
            _payload: 3,
        });
        assert_eq!(heap.object_count(), 3);
        heap.mark_from(|m| m.mark(a));
        // SAFETY: only `a` (and what it reaches) is used after this.
        unsafe { heap.sweep() };
        assert_eq!(heap.object_count(), 2);
        assert!(!a.is_marked());
        heap.mark_from(|_| {});
        // SAFETY: nothing is used after this.
        unsafe { heap.sweep() };
        assert_eq!(heap.object_count(), 0);
        assert_eq!(heap.allocated(), 0);
    }

    #[test]
    fn long_chains_do_not_recurse() {
        let mut heap = Heap::new();
        let first = heap.alloc(Node {
            next: RefCell::new(None),
            _payload: 0,
        });
        let mut last = first;
        for i in 0..200_000 {
            let n = heap.alloc(Node {
                next: RefCell::new(None),
                _payload: i,
            });
            *last.next.borrow_mut() = Some(n);
            last = n;
        }
        heap.mark_from(|m| m.mark(first));
        // SAFETY: only the chain from `first` is used after this.
        unsafe { heap.sweep() };
        assert_eq!(heap.object_count(), 200_001);
    }
}
