//! luavm-gc: the per-state heap — allocation, `Gc<T>` handles, tracing, mark and sweep,
//! with the hooks Lua needs for weak tables (ephemerons) and finalizers.
//!
//! One `Heap` belongs to one Lua state. Every object lives in a `GcBox` (header + value)
//! allocated with `Box` and owned by the heap's object list until a sweep frees it.
//!
//! A collection is driven by its caller (the VM), in phases that keep all their state in
//! the heap (no Rust recursion, nothing on the Rust stack between phases), so that the
//! marking can later be cut into increments:
//! 1. `mark_from(roots)`: mark the roots and drain the gray list (`Trace::trace`). Objects
//!    with weak parts (weak tables) mark only their strong parts and register themselves
//!    with `Marker::defer_weak` (and `Marker::defer_ephemeron` when they are ephemerons);
//! 2. `converge_ephemerons()`: re-visit ephemerons (`Trace::retrace`) until nothing new is
//!    marked;
//! 3. `clear_weak(part, from)`: deferred objects drop their references to unmarked objects
//!    (`Trace::clear_weak`);
//! 4. the caller may resurrect objects (more `mark_from` calls: finalizers), converge and
//!    clear again, and must drop every unmarked object from its own weak caches;
//! 5. `sweep()`: free every unmarked object, clear the marks of the others.
//!
//! Invariants:
//! - A `Gc<T>` is a plain pointer: `Copy`, `!Send`, `!Sync`. It is valid as long as its object
//!   has not been swept. The heap frees an object only in `sweep`, and only if the mark
//!   phase did not reach it (that call is `unsafe`: its caller promises that every handle
//!   it will use afterwards is reachable from the roots it traced).
//! - Between collections every mark bit is clear and the deferred lists are empty.
//! - `allocated` counts every box plus the `extra_size` its object reported at allocation,
//!   corrected by `account` when an object's buffers grow or shrink; sweep re-measures the
//!   survivors (plus what the caller owns outside objects).

#![deny(unsafe_op_in_unsafe_fn)]

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;

/// Objects that can hold GC handles say how to reach them.
pub trait Trace {
    /// Call `m.mark` on every handle held strongly by `self`; objects with weak parts
    /// also register themselves with `m.defer_weak` / `m.defer_ephemeron`.
    fn trace(&self, m: &mut Marker);
    /// Bytes owned by this object outside its `GcBox` (buffers), for memory accounting.
    fn extra_size(&self) -> usize {
        0
    }
    /// For an object registered with `defer_ephemeron`: mark the values whose keys are
    /// marked now. Returns whether anything was newly marked.
    fn retrace(&self, _m: &mut Marker) -> bool {
        false
    }
    /// For an object registered with `defer_weak`: forget the references of `part` that
    /// point to unmarked objects.
    fn clear_weak(&self, _part: WeakPart) {}
}

/// Which references `Trace::clear_weak` clears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakPart {
    /// Weak values (and anything else that is cleared before finalizers resurrect).
    Values,
    /// Weak keys and dead keys (cleared after resurrection).
    Keys,
}

const MARKED: u8 = 1;
/// The object is registered for finalization (PUC's `FINALIZEDBIT`).
const TO_FINALIZE: u8 = 2;

struct Header {
    flags: Cell<u8>,
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
        self.header().flags.get() & MARKED != 0
    }
    /// Whether the object is registered for finalization (and not finalized since).
    #[inline]
    pub fn is_to_finalize(self) -> bool {
        self.header().flags.get() & TO_FINALIZE != 0
    }
    /// Set or clear the "registered for finalization" bit (the VM keeps the list).
    #[inline]
    pub fn set_to_finalize(self, on: bool) {
        let h = self.header();
        let f = h.flags.get();
        h.flags.set(if on {
            f | TO_FINALIZE
        } else {
            f & !TO_FINALIZE
        });
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

/// The marking context handed to `Trace::trace`: the gray list and the objects with weak
/// parts found in this cycle.
pub struct Marker {
    gray: Vec<Erased>,
    /// Objects to visit again at clearing time (`Trace::clear_weak`).
    weak: Vec<Erased>,
    /// Objects to visit again until marking converges (`Trace::retrace`).
    ephemerons: Vec<Erased>,
    /// The object whose `trace` is running.
    current: Option<Erased>,
    /// Past the first propagation of the cycle (PUC's atomic phase).
    atomic: bool,
}

impl Marker {
    /// Mark `gc` and queue it for tracing if it was not marked yet.
    #[inline]
    pub fn mark<T: Trace + 'static>(&mut self, gc: Gc<T>) {
        let h = gc.header();
        let f = h.flags.get();
        if f & MARKED == 0 {
            h.flags.set(f | MARKED);
            let erased: NonNull<GcBox<dyn Trace>> = gc.ptr;
            self.gray.push(erased);
        }
    }
    /// Whether the cycle is past its first propagation from the roots (PUC's atomic
    /// phase): set by `Heap::enter_atomic`, cleared by `sweep`.
    pub fn is_atomic(&self) -> bool {
        self.atomic
    }
    /// Mark an object that holds no handles (strings): no queueing needed.
    #[inline]
    pub fn mark_leaf<T: ?Sized>(&mut self, gc: Gc<T>) {
        let h = gc.header();
        h.flags.set(h.flags.get() | MARKED);
    }
    /// From `Trace::trace`: register the object being traced for `Trace::clear_weak`
    /// after marking.
    pub fn defer_weak(&mut self) {
        if let Some(obj) = self.current {
            self.weak.push(obj);
        }
    }
    /// From `Trace::trace`: register the object being traced for `Trace::retrace` until
    /// marking converges.
    pub fn defer_ephemeron(&mut self) {
        if let Some(obj) = self.current {
            self.ephemerons.push(obj);
        }
    }
}

/// Collector tuning, as PUC's `pause` and `stepmul` (percentages).
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    pub pause: i64,
    pub stepmul: i64,
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
    /// The next automatic collection is due when `allocated` reaches this
    /// (from `pause` and the live size after the last collection).
    threshold: usize,
    /// What `should_collect` compares with: `threshold`, or 0 when every safe point must
    /// act (stress mode, pending finalizers), or `usize::MAX` when stopped.
    trigger: usize,
    marker: Marker,
    pub tuning: Tuning,
    running: bool,
    stress: bool,
    pending: bool,
    limit: Option<usize>,
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
            trigger: MIN_THRESHOLD,
            marker: Marker {
                gray: Vec::new(),
                weak: Vec::new(),
                ephemerons: Vec::new(),
                current: None,
                atomic: false,
            },
            tuning: Tuning::default(),
            running: true,
            stress: false,
            pending: false,
            limit: None,
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
                flags: Cell::new(0),
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

    /// Make room in the object list for `additional` more objects.
    pub fn reserve(&mut self, additional: usize) {
        self.objects.reserve(additional);
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

    /// Whether a safe point has work to do: a collection is due, or finalizers are
    /// pending, or stress mode is on, or the memory limit was passed.
    #[inline(always)]
    pub fn should_collect(&self) -> bool {
        self.allocated >= self.trigger
    }

    /// Whether automatic collection is on (`collectgarbage("stop"/"restart")`).
    pub fn is_running(&self) -> bool {
        self.running
    }
    pub fn set_running(&mut self, on: bool) {
        self.running = on;
        self.update_trigger();
    }
    /// Stress mode: every safe point collects (for tests).
    pub fn is_stress(&self) -> bool {
        self.stress
    }
    pub fn set_stress(&mut self, on: bool) {
        self.stress = on;
        self.update_trigger();
    }
    /// The VM has finalizers waiting to run: safe points should run them.
    pub fn set_pending_finalizers(&mut self, on: bool) {
        if self.pending != on {
            self.pending = on;
            self.update_trigger();
        }
    }
    /// The memory limit (bytes), if any.
    pub fn memory_limit(&self) -> Option<usize> {
        self.limit
    }
    pub fn set_memory_limit(&mut self, limit: Option<usize>) {
        self.limit = limit;
        self.update_trigger();
    }
    /// Whether `allocated + extra` passes the memory limit.
    #[inline]
    pub fn over_limit(&self, extra: usize) -> bool {
        match self.limit {
            Some(l) => self.allocated.saturating_add(extra) > l,
            None => false,
        }
    }
    /// The live size measured by the last sweep plus what was allocated since, as the
    /// threshold is computed from (for `collectgarbage("step")` estimates).
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    fn update_trigger(&mut self) {
        self.trigger = if !self.running {
            usize::MAX
        } else if self.stress || self.pending {
            0
        } else {
            self.threshold
        };
        if let Some(l) = self.limit {
            // past the limit every safe point checks (and may raise)
            self.trigger = self.trigger.min(l.saturating_add(1));
        }
    }

    /// Postpone the next automatic collection: `threshold` becomes `allocated` plus the
    /// pause (used when a safe point collected but the limit is still passed and it cannot
    /// raise, so that it does not collect at every safe point).
    pub fn postpone(&mut self) {
        self.threshold = self.next_threshold(self.allocated);
        self.trigger = self.threshold;
    }

    fn next_threshold(&self, live: usize) -> usize {
        let pause = self.tuning.pause.clamp(100, 100_000) as usize;
        let live = live.max(MIN_THRESHOLD / 2);
        (live / 100).saturating_mul(pause).max(MIN_THRESHOLD)
    }

    /// Mark phase: `roots` marks a set of roots; the gray list is then drained. It may be
    /// called again in the same cycle to mark more roots (resurrection).
    pub fn mark_from(&mut self, roots: impl FnOnce(&mut Marker)) {
        roots(&mut self.marker);
        self.propagate();
    }

    fn propagate(&mut self) {
        while let Some(obj) = self.marker.gray.pop() {
            // SAFETY: gray objects were reached from roots during this mark phase, so they
            // are live boxes owned by `objects`; nothing is freed during marking.
            let value: &dyn Trace = unsafe { &obj.as_ref().value };
            self.marker.current = Some(obj);
            value.trace(&mut self.marker);
        }
        self.marker.current = None;
    }

    /// The first propagation from the roots is over: what is marked from now on is
    /// marked in the atomic phase (`Marker::is_atomic`).
    pub fn enter_atomic(&mut self) {
        self.marker.atomic = true;
    }

    /// Re-visit the registered ephemerons until no more values become reachable.
    pub fn converge_ephemerons(&mut self) {
        loop {
            let mut changed = false;
            let mut i = 0;
            // the list may grow while it is walked (newly traced ephemerons)
            while i < self.marker.ephemerons.len() {
                let obj = self.marker.ephemerons[i];
                // SAFETY: registered objects were traced in this cycle (marked, so live).
                let value: &dyn Trace = unsafe { &obj.as_ref().value };
                if value.retrace(&mut self.marker) {
                    changed = true;
                    self.propagate();
                }
                i += 1;
            }
            if !changed {
                break;
            }
        }
    }

    /// How many objects registered for weak clearing so far in this cycle (a position
    /// for `clear_weak`'s `from`).
    pub fn weak_count(&self) -> usize {
        self.marker.weak.len()
    }

    /// Let the registered objects from position `from` on forget their references of
    /// `part` to unmarked objects.
    pub fn clear_weak(&mut self, part: WeakPart, from: usize) {
        for obj in self.marker.weak.iter().skip(from) {
            // SAFETY: registered objects were traced in this cycle (marked, so live).
            let value: &dyn Trace = unsafe { &obj.as_ref().value };
            value.clear_weak(part);
        }
    }

    /// Sweep phase: free every unmarked object, clear the marks of the rest, forget the
    /// cycle's deferred lists and set the threshold of the next collection.
    ///
    /// # Safety
    /// The caller must have called `mark_from` with a root set that reaches every handle
    /// that will be used after this call (and must have dropped all others, e.g. removed
    /// dead strings from weak caches, cleared weak tables).
    ///
    /// `outside` is what the caller owns outside any object (buffers that count as
    /// allocated memory: the running thread's stack, caches), measured now.
    pub unsafe fn sweep(&mut self, outside: usize) {
        self.marker.weak.clear();
        self.marker.ephemerons.clear();
        self.marker.atomic = false;
        let mut allocated = 0usize;
        self.objects.retain(|obj| {
            // SAFETY: every pointer in `objects` is a live box until freed right here,
            // and each is freed at most once (it is removed from the list as it is freed).
            unsafe {
                let r = obj.as_ref();
                let f = r.header.flags.get();
                if f & MARKED != 0 {
                    r.header.flags.set(f & !MARKED);
                    allocated += std::mem::size_of_val(r) + r.value.extra_size();
                    true
                } else {
                    drop(Box::from_raw(obj.as_ptr()));
                    false
                }
            }
        });
        self.allocated = allocated + outside;
        self.threshold = self.next_threshold(self.allocated);
        self.update_trigger();
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
        unsafe { heap.sweep(0) };
        assert_eq!(heap.object_count(), 2);
        assert!(!a.is_marked());
        heap.mark_from(|_| {});
        // SAFETY: nothing is used after this.
        unsafe { heap.sweep(0) };
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
        unsafe { heap.sweep(0) };
        assert_eq!(heap.object_count(), 200_001);
    }

    /// A one-entry ephemeron: the value is reachable only if the key is.
    struct Eph {
        entry: RefCell<Option<(Gc<Node>, Gc<Node>)>>,
    }
    impl Trace for Eph {
        fn trace(&self, m: &mut Marker) {
            m.defer_weak();
            if let Some((k, v)) = *self.entry.borrow() {
                if k.is_marked() {
                    m.mark(v);
                } else {
                    m.defer_ephemeron();
                }
            }
        }
        fn retrace(&self, m: &mut Marker) -> bool {
            match *self.entry.borrow() {
                Some((k, v)) if k.is_marked() && !v.is_marked() => {
                    m.mark(v);
                    true
                }
                _ => false,
            }
        }
        fn clear_weak(&self, part: WeakPart) {
            let dead = matches!(*self.entry.borrow(), Some((k, _)) if !k.is_marked());
            if part == WeakPart::Keys && dead {
                *self.entry.borrow_mut() = None;
            }
        }
    }

    fn node(heap: &mut Heap) -> Gc<Node> {
        heap.alloc(Node {
            next: RefCell::new(None),
            _payload: 0,
        })
    }

    fn collect(heap: &mut Heap, roots: &[Gc<Eph>], extra: &[Gc<Node>]) {
        heap.mark_from(|m| {
            for r in roots {
                m.mark(*r);
            }
            for n in extra {
                m.mark(*n);
            }
        });
        heap.enter_atomic();
        heap.converge_ephemerons();
        heap.clear_weak(WeakPart::Values, 0);
        heap.clear_weak(WeakPart::Keys, 0);
        // SAFETY: only the roots and what they reach are used afterwards.
        unsafe { heap.sweep(0) };
    }

    #[test]
    fn ephemerons_converge_and_clear() {
        let mut heap = Heap::new();
        // e1: k1 -> k2 (the value of e1 is the key of e2); e2: k2 -> v2
        let (k1, k2, v2) = (node(&mut heap), node(&mut heap), node(&mut heap));
        let e2 = heap.alloc(Eph {
            entry: RefCell::new(Some((k2, v2))),
        });
        let e1 = heap.alloc(Eph {
            entry: RefCell::new(Some((k1, k2))),
        });
        // k1 alive: everything is reached through the two ephemerons, in either order
        collect(&mut heap, &[e2, e1], &[k1]);
        assert_eq!(heap.object_count(), 5);
        assert!(e1.entry.borrow().is_some() && e2.entry.borrow().is_some());
        // k1 dead: both entries go, and so do their objects
        collect(&mut heap, &[e2, e1], &[]);
        assert!(e1.entry.borrow().is_none() && e2.entry.borrow().is_none());
        assert_eq!(heap.object_count(), 2);
    }

    #[test]
    fn trigger_follows_stress_running_and_limit() {
        let mut heap = Heap::new();
        assert!(!heap.should_collect());
        heap.set_stress(true);
        assert!(heap.should_collect());
        heap.set_running(false);
        assert!(!heap.should_collect());
        heap.set_running(true);
        heap.set_stress(false);
        heap.set_pending_finalizers(true);
        assert!(heap.should_collect());
        heap.set_pending_finalizers(false);
        let _n = node(&mut heap);
        heap.set_memory_limit(Some(1));
        assert!(heap.should_collect() && heap.over_limit(0));
        heap.set_memory_limit(None);
        assert!(!heap.should_collect());
    }
}
