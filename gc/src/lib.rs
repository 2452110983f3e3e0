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
//! Two modes (`Mode`), chosen by the caller:
//! - **incremental** (PUC 5.3): a cycle is cut into steps (`Phase`); between cycles every
//!   object is white;
//! - **generational** (PUC 5.4-like, with sticky marks): the object list is split into
//!   old objects (`objects[..old_end]`) and young ones. Between collections every old
//!   object is marked, so a *minor* collection (`start_minor`, then the caller's atomic
//!   phase, then a sweep of the young part only) never traces an old object: it reaches
//!   the young ones from the roots and from the old objects the barriers listed. An old
//!   object that may refer to an unmarked young object is not black and is listed for
//!   the next minor (`grayagain` by `barrier_back`, or `again` for objects that stay gray:
//!   threads and weak tables), or that young object is marked and gray (`barrier_forward`).
//!   Survivors of a minor become old. A *major* collection (`start_major`) whitens the
//!   old objects in increments (`Phase::Whiten`), then runs an incremental cycle whose
//!   sweep keeps the marks of the survivors (all old afterwards); objects born during it
//!   are born marked and black. Minors wait while a major runs.
//!
//! Invariants:
//! - A `Gc<T>` is a plain pointer: `Copy`, `!Send`, `!Sync`. It is valid as long as its object
//!   has not been swept. The heap frees an object only in `sweep`, and only if the mark
//!   phase did not reach it (that call is `unsafe`: its caller promises that every handle
//!   it will use afterwards is reachable from the roots it traced).
//! - Incremental mode: between cycles every mark bit is clear and the deferred lists are
//!   empty. Generational mode: see above; the lists the barriers fill persist until the
//!   next minor.
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
    /// For objects a weak cache of the VM finds by key (interned strings, by their hash):
    /// the key. The sweep reports such objects to its caller just before it frees them,
    /// so the cache forgets them then (`Heap::sweep_step`'s `on_free`).
    fn cache_key(&self) -> Option<u64> {
        None
    }
    /// The object's type, for diagnostics.
    fn type_name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }
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
/// The object was traced in this cycle and has not been written since (PUC's black):
/// a write that stores a reference into it must call `Heap::barrier_back`.
const BLACK: u8 = 4;
/// The object is in this cycle's list for `Trace::clear_weak`.
const WEAK_LISTED: u8 = 8;
/// Generational mode: the object is not new — it survived a minor collection, or was
/// marked by a barrier of an old object (both make it old at the next minor it
/// survives), or it is old.
const AGED: u8 = 16;

/// An object's header: one word holding its type's `VTable` address (64-byte aligned)
/// with the flags in the low 6 bits, so that the object list holds thin pointers (8 bytes
/// per object, not a 16-byte `dyn` pointer) and the header stays one word.
struct Header {
    flags: Flags,
}

impl Header {
    /// Forget this cycle's marking: unmarked, not black, not listed for weak clearing.
    #[inline(always)]
    fn make_white(&self) {
        self.flags
            .set(self.flags.get() & !(MARKED | BLACK | WEAK_LISTED));
    }
}

/// The header word; `get`/`set` see only the flags. It is kept as a pointer whose
/// address carries the flags (`map_addr`), not as an integer, so the vtable pointer keeps
/// its provenance (strict provenance: no integer-to-pointer cast, which Miri would
/// have to guess through).
struct Flags(Cell<*const VTable>);

const FLAG_BITS: usize = 63;
const _: () = assert!(
    AGED as usize * 2 <= FLAG_BITS + 1,
    "flags fit below the vtable"
);

impl Flags {
    #[inline(always)]
    fn new(vtable: &'static VTable, flags: u8) -> Flags {
        let p: *const VTable = vtable;
        Flags(Cell::new(p.map_addr(|a| a | flags as usize)))
    }
    #[inline(always)]
    fn get(&self) -> u8 {
        (self.0.get().addr() & FLAG_BITS) as u8
    }
    #[inline(always)]
    fn set(&self, flags: u8) {
        let p = self.0.get();
        self.0
            .set(p.map_addr(|a| (a & !FLAG_BITS) | flags as usize));
    }
    #[inline(always)]
    fn vtable(&self) -> &'static VTable {
        // SAFETY: the pointer was made by `Flags::new` from a `&'static VTable` whose low
        // bits are zero (64-byte alignment), and `set` keeps the high bits.
        unsafe { &*self.0.get().map_addr(|a| a & !FLAG_BITS) }
    }
}

/// What the heap needs to know of an object's type to use it from a thin pointer: how
/// to make its `dyn Trace` pointer back.
#[repr(align(64))]
struct VTable {
    to_dyn: unsafe fn(Thin) -> Erased,
}

/// The `VTable` of `T` (one per type, a promoted constant).
struct TypeInfo<T>(PhantomData<T>);
impl<T: Trace + 'static> TypeInfo<T> {
    const VTABLE: &'static VTable = &VTable {
        to_dyn: to_dyn::<T>,
    };
}

/// # Safety
/// `h` is the header of a live `GcBox<T>`.
unsafe fn to_dyn<T: Trace + 'static>(h: Thin) -> Erased {
    let p: NonNull<GcBox<T>> = h.cast();
    p
}

/// A thin pointer to a box (its header), as the object list keeps it.
type Thin = NonNull<Header>;

/// The `dyn` pointer of the object whose header `h` is.
#[inline(always)]
fn fat(h: Thin) -> Erased {
    // SAFETY: every thin pointer the heap keeps is the header of a live box, made by
    // `alloc` with its type's vtable (`GcBox` is `repr(C)`: the header is at offset 0).
    unsafe { (h.as_ref().flags.vtable().to_dyn)(h) }
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
    /// Whether the object was traced in this cycle and not written since (a write of a
    /// reference into it needs `Heap::barrier_back`).
    #[inline(always)]
    pub fn is_black(self) -> bool {
        self.header().flags.get() & BLACK != 0
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
    /// Objects that stay gray for the whole cycle (threads: their stacks change without
    /// barriers) and are traced again in the atomic phase.
    again: Vec<Erased>,
    /// The object whose `trace` is running.
    current: Option<Erased>,
    /// Past the first propagation of the cycle (PUC's atomic phase).
    atomic: bool,
    /// Checking mode (`Heap::verify_black`): `mark` counts white objects instead of
    /// marking them.
    checking: bool,
    violations: usize,
    current_is_ephemeron: bool,
    /// What `mark` sets: `MARKED`, plus `AGED` in the barriers of generational mode.
    mark_bits: u8,
    /// The object being traced refers to a new object (not `AGED`): after a minor it
    /// must be traced again at the next one (its new children become survivors, white).
    touches_new: bool,
    /// The object being traced called `keep_gray` (it is listed already).
    kept_gray: bool,
}

impl Marker {
    /// Mark `gc` and queue it for tracing if it was not marked yet.
    #[inline]
    pub fn mark<T: Trace + 'static>(&mut self, gc: Gc<T>) {
        let h = gc.header();
        let f = h.flags.get();
        self.touches_new |= f & AGED == 0;
        if f & MARKED == 0 {
            if self.checking {
                self.violations += 1;
                return;
            }
            h.flags.set(f | self.mark_bits);
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
        let f = h.flags.get();
        self.touches_new |= f & AGED == 0;
        if f & MARKED == 0 && self.checking {
            self.violations += 1;
            return;
        }
        h.flags.set(f | self.mark_bits);
    }
    /// From `Trace::trace`: the object being traced stays gray for the whole cycle and is
    /// traced again in the atomic phase (for objects written without barriers: threads).
    /// In the atomic phase the object goes into the list of the next cycle (which in
    /// generational mode is the next minor's; in incremental mode `start_sweep` drops it).
    pub fn keep_gray(&mut self) {
        if let Some(obj) = self.current {
            if !self.checking && !self.kept_gray {
                self.kept_gray = true;
                // SAFETY: `current` is the live object being traced.
                let h = unsafe { &obj.as_ref().header };
                h.flags.set(h.flags.get() & !BLACK);
                self.again.push(obj);
            }
        }
    }
    /// From `Trace::trace`: register the object being traced for `Trace::clear_weak`
    /// after marking.
    pub fn defer_weak(&mut self) {
        if self.checking {
            return;
        }
        if let Some(obj) = self.current {
            self.list_weak(obj);
        }
    }

    fn list_weak(&mut self, obj: Erased) {
        // SAFETY: `obj` is a live object (being traced, or written by the mutator).
        let h = unsafe { &obj.as_ref().header };
        let f = h.flags.get();
        if f & WEAK_LISTED == 0 {
            h.flags.set(f | WEAK_LISTED);
            self.weak.push(obj);
        }
    }
    /// From `Trace::trace`: register the object being traced for `Trace::retrace` until
    /// marking converges.
    pub fn defer_ephemeron(&mut self) {
        self.current_is_ephemeron = true;
        if self.checking {
            return;
        }
        if let Some(obj) = self.current {
            self.ephemerons.push(obj);
        }
    }
}

/// What the collector measured (for benchmarks and tuning).
#[derive(Clone, Copy, Debug, Default)]
pub struct GcStats {
    /// Incremental steps run (automatic and `collectgarbage("step")`).
    pub steps: u64,
    /// The longest incremental step (the longest pause the program saw from them).
    pub longest_step: std::time::Duration,
    /// Steps by duration: under 0.1, 0.5, 1, 2, 5, 10 ms, and longer (`STEP_BUCKETS`).
    pub step_histogram: [u64; 7],
    /// Full collections run (`collectgarbage()`, memory limit, stress mode).
    pub full: u64,
    /// The longest full collection.
    pub longest_full: std::time::Duration,
    /// Minor collections run (generational mode).
    pub minors: u64,
    /// The longest minor collection.
    pub longest_minor: std::time::Duration,
    /// The time spent in minor collections, in all.
    pub minor_total: std::time::Duration,
}

impl GcStats {
    /// Upper bounds (ms) of `step_histogram`'s buckets; the last one is open.
    pub const STEP_BUCKETS: [f64; 6] = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0];

    /// Count one incremental step that took `d`.
    pub fn record_step(&mut self, d: std::time::Duration) {
        self.steps += 1;
        self.longest_step = self.longest_step.max(d);
        let ms = d.as_secs_f64() * 1e3;
        let i = Self::STEP_BUCKETS
            .iter()
            .position(|&b| ms < b)
            .unwrap_or(Self::STEP_BUCKETS.len());
        self.step_histogram[i] += 1;
    }

    /// Count one minor collection that took `d`.
    pub fn record_minor(&mut self, d: std::time::Duration) {
        self.minors += 1;
        self.longest_minor = self.longest_minor.max(d);
        self.minor_total += d;
    }

    /// The longest pause the program saw from the collector's automatic work (steps and
    /// minors; full collections are asked for).
    pub fn longest_pause(&self) -> std::time::Duration {
        self.longest_step.max(self.longest_minor)
    }
}

/// Collector tuning, as PUC's `pause` and `stepmul` (percentages).
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    pub pause: i64,
    pub stepmul: i64,
    /// Generational mode: a minor collection runs when the program has allocated this
    /// percentage of the heap's size after the last collection (PUC 5.4's `genminormul`),
    /// within `MINOR_MIN..=MINOR_MAX` bytes (the cap keeps minors of a big heap short: a
    /// minor traces its survivors twice, as new and as aged objects).
    pub minormul: i64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            pause: 200,
            stepmul: 200,
            minormul: 20,
        }
    }
}

/// Where the collector is in its cycle (PUC's `gcstate`; the atomic phase runs inside one
/// call, so it is not a state here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Between cycles. Incremental mode: every object is white (unmarked). Generational
    /// mode: between minors (old objects are marked; barriers act as in `Propagate`).
    Pause,
    /// Generational mode, the start of a major: the old objects are made white in
    /// increments (`whiten_step`); new objects are born white, barriers act as in an
    /// incremental `Pause`.
    Whiten,
    /// Marking in increments: gray objects are traced a few at a time; new objects are
    /// born white; writes into black objects go through `barrier_back`.
    Propagate,
    /// Freeing in increments: the object list is walked a slice at a time; new objects
    /// are born marked so that the walk keeps them (and black in generational mode,
    /// where the survivors keep their marks and become old).
    Sweep,
}

/// How the collector works (`Heap::set_mode`; see the crate documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Incremental,
    Generational,
}

impl Mode {
    /// The name `collectgarbage` uses (PUC 5.4).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Incremental => "incremental",
            Mode::Generational => "generational",
        }
    }
}

/// Generational mode: the least and the most allocation between two minors (bytes).
/// The least spares a tiny heap a minor every few kilobytes (PUC has none).
pub const MINOR_MIN: usize = 32 * 1024;
pub const MINOR_MAX: usize = 4 * 1024 * 1024;
/// Generational mode: how much faster than `stepmul` says a major runs.
const GEN_MAJOR_SPEED: usize = 4;
/// Generational mode: the minors between a `request_major` and the major it asks for.
const MINORS_BEFORE_REQUESTED_MAJOR: u32 = 4;

/// Allocation (bytes) between two incremental steps, and the base of a step's work.
pub const STEP_SIZE: usize = 16 * 1024;
/// Work units charged for visiting one object in the sweep.
const SWEEP_COST: isize = 8;

/// A per-state heap.
pub struct Heap {
    objects: Vec<Thin>,
    /// Bytes currently allocated (boxes plus their reported extra sizes).
    allocated: usize,
    /// The next cycle starts when `allocated` reaches this (from `pause` and the live
    /// size after the last cycle).
    threshold: usize,
    /// What `should_collect` compares with: `threshold` between cycles, the next step's
    /// allocation mark during a cycle, 0 when every safe point must act (stress mode,
    /// pending finalizers), `usize::MAX` when stopped.
    trigger: usize,
    /// `allocated` at the end of the last step (a step's debt is what was allocated since).
    step_base: usize,
    marker: Marker,
    /// Black objects written since they were traced (`barrier_back`): traced again in the
    /// atomic phase.
    grayagain: Vec<Erased>,
    /// Generational mode: the objects listed for weak clearing at the last minor that
    /// became (or were) old, visited by `clear_weak` at the next minor too.
    weak_carried: Vec<Erased>,
    phase: Phase,
    /// Flags a new object is born with (marked during the sweep).
    birth: u8,
    /// The sweep's read and write positions in `objects` (compaction in place) and the
    /// bytes of the survivors so far, plus what the caller owned outside objects.
    sweep_read: usize,
    sweep_write: usize,
    sweep_live: usize,
    sweep_outside: usize,
    /// Generational mode: `allocated` and the number of objects when the major in
    /// progress started, and the bytes its sweep freed so far of those objects: the
    /// difference is the base of the next major's threshold (what the major examined and
    /// kept; what the program allocated while it ran is left out, as if the major had
    /// been atomic, so that the threshold of a growing heap does not drift up by that
    /// much at every major).
    major_start: usize,
    major_len: usize,
    sweep_freed: usize,
    pub tuning: Tuning,
    mode: Mode,
    /// Generational mode: `objects[..old_end]` are old (marked between collections).
    old_end: usize,
    /// The collection in progress is a minor one (its sweep walks the young part only).
    minor: bool,
    /// The sweep in progress keeps the marks of the survivors (generational mode).
    sweep_keeps: bool,
    /// `Phase::Whiten`: the next object to whiten and the end of the walk.
    whiten_pos: usize,
    whiten_end: usize,
    /// Generational mode: `allocated` after the last collection (minor or major).
    minor_base: usize,
    /// Generational mode: a major was asked for (`request_major`), and the minors since
    /// the last major.
    major_requested: bool,
    minors_since_major: u32,
    running: bool,
    stress: bool,
    stress_steps: bool,
    pending: bool,
    limit: Option<usize>,
    /// Number of completed collections.
    pub cycles: u64,
    /// Step and pause measurements.
    pub stats: GcStats,
    /// Check the tri-color invariant at every atomic phase (`verify_black`; tests).
    pub verify: bool,
    /// Black-to-white references found by `verify_black` (missing write barriers).
    pub violations: usize,
    /// The types of the first objects found with such references.
    pub violation_types: Vec<&'static str>,
    _not_send: PhantomData<*const ()>,
}

/// The smallest heap at which a cycle starts: PUC has none (its first threshold is the
/// pause times the heap after the libraries were opened); this floor only spares a tiny
/// heap a collection every few kilobytes. Above it thresholds follow `pause` exactly, as
/// PUC's, so a growing heap is collected at the same sizes as `lua5.4`'s.
const MIN_THRESHOLD: usize = 32 * 1024;

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
            step_base: 0,
            marker: Marker {
                gray: Vec::new(),
                weak: Vec::new(),
                ephemerons: Vec::new(),
                again: Vec::new(),
                current: None,
                atomic: false,
                checking: false,
                violations: 0,
                current_is_ephemeron: false,
                mark_bits: MARKED,
                touches_new: false,
                kept_gray: false,
            },
            grayagain: Vec::new(),
            weak_carried: Vec::new(),
            phase: Phase::Pause,
            birth: 0,
            sweep_read: 0,
            sweep_write: 0,
            sweep_live: 0,
            sweep_outside: 0,
            major_start: 0,
            major_len: 0,
            sweep_freed: 0,
            tuning: Tuning::default(),
            mode: Mode::Incremental,
            old_end: 0,
            minor: false,
            sweep_keeps: false,
            whiten_pos: 0,
            whiten_end: 0,
            minor_base: 0,
            major_requested: false,
            minors_since_major: 0,
            running: true,
            stress: false,
            stress_steps: false,
            pending: false,
            limit: None,
            cycles: 0,
            stats: GcStats::default(),
            verify: false,
            violations: 0,
            violation_types: Vec::new(),
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
                flags: Flags::new(TypeInfo::<T>::VTABLE, self.birth),
            },
            value,
        });
        let ptr = NonNull::from(Box::leak(boxed));
        self.objects.push(ptr.cast());
        Gc {
            ptr,
            _not_send: PhantomData,
        }
    }

    /// The write barrier (PUC's `luaC_barrierback`): call it after storing a reference
    /// to a collectable value into `obj` (a table's fields or metatable, an upvalue, a
    /// userdata's metatable or user value, a prototype's closure cache, a closure's
    /// upvalue list). If `obj` is black it becomes gray again and is traced again in the
    /// atomic phase, so the stored object cannot be missed.
    #[inline(always)]
    pub fn barrier_back<T: Trace + 'static>(&mut self, obj: Gc<T>) {
        if obj.header().flags.get() & BLACK != 0 {
            self.barrier_slow(obj.ptr);
        }
    }

    /// The forward write barrier (PUC's `luaC_barrier`), for objects that may be large
    /// (tables): call it after storing references into `obj` when `obj.is_black()`;
    /// `mark` marks what was stored (it is traced later in the cycle), so `obj` is not
    /// traced again. Outside the marking, `obj` just stops being black.
    pub fn barrier_forward<T: Trace + 'static>(
        &mut self,
        obj: Gc<T>,
        mark: impl FnOnce(&mut Marker),
    ) {
        if self.barriers_mark() {
            if self.mode == Mode::Generational {
                // what an old object gets is old after the next minor
                self.marker.mark_bits = MARKED | AGED;
                mark(&mut self.marker);
                self.marker.mark_bits = MARKED;
            } else {
                mark(&mut self.marker);
            }
        } else {
            let h = obj.header();
            h.flags.set(h.flags.get() & !BLACK);
        }
    }

    /// The barrier for writes that only create weak references (a table entry set to nil
    /// keeps its key as a dead key; a prototype's closure cache): `obj` is listed for
    /// `Trace::clear_weak` in this cycle's atomic phase. Call it when `obj.is_black()`.
    pub fn barrier_weak<T: Trace + 'static>(&mut self, obj: Gc<T>) {
        if self.barriers_mark() {
            self.marker.list_weak(obj.ptr);
        } else {
            let h = obj.header();
            h.flags.set(h.flags.get() & !BLACK);
        }
    }

    #[cold]
    #[inline(never)]
    fn barrier_slow(&mut self, obj: Erased) {
        // SAFETY: `obj` comes from a live handle.
        let h = unsafe { &obj.as_ref().header };
        h.flags.set(h.flags.get() & !BLACK);
        if self.barriers_mark() {
            self.grayagain.push(obj);
        }
        // in an incremental sweep, marks mean nothing to the mutator any more: the object
        // just stops being black (PUC's `makewhite` there)
    }

    /// Whether the barriers must keep the invariant for a marking (in progress, or the
    /// next minor's): while marking, and in generational mode between minors and in the
    /// sweep of a major (whose survivors stay marked). Otherwise (incremental pause and
    /// sweep, whitening) a barrier just makes the object stop being black.
    #[inline]
    fn barriers_mark(&self) -> bool {
        match self.phase {
            Phase::Propagate => true,
            Phase::Pause => self.mode == Mode::Generational,
            Phase::Sweep => self.sweep_keeps,
            Phase::Whiten => false,
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

    /// Number of objects in the heap (live ones, plus dead ones not swept yet).
    pub fn object_count(&self) -> usize {
        if self.phase == Phase::Sweep {
            self.objects.len() - (self.sweep_read - self.sweep_write)
        } else {
            self.objects.len()
        }
    }

    /// Where the collector is in its cycle.
    #[inline]
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether a safe point has work to do: a step is due (or a cycle), or finalizers are
    /// pending, or stress mode is on, or the memory limit was passed.
    #[inline(always)]
    pub fn should_collect(&self) -> bool {
        self.allocated >= self.trigger
    }

    /// Whether the next automatic step is due by allocation (ignores stress, finalizers
    /// and the limit).
    pub fn step_due(&self) -> bool {
        self.running && self.allocated >= self.step_mark()
    }

    fn step_mark(&self) -> usize {
        if self.phase == Phase::Pause {
            match self.mode {
                Mode::Incremental => self.threshold,
                Mode::Generational => self.threshold.min(self.minor_mark()),
            }
        } else {
            self.step_base.saturating_add(STEP_SIZE)
        }
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
    /// Incremental stress mode: every safe point does a small step (for tests of the
    /// write barriers, with `verify`).
    pub fn is_stress_steps(&self) -> bool {
        self.stress_steps
    }
    pub fn set_stress_steps(&mut self, on: bool) {
        self.stress_steps = on;
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
    /// The allocation level at which the next cycle starts (for `collectgarbage("step")`
    /// estimates).
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// Generational mode: the allocation level of the next minor.
    fn minor_mark(&self) -> usize {
        self.minor_base
            .saturating_add(self.minor_debt(self.minor_base))
    }

    /// Generational mode: the allocation between two minors when `base` bytes are in use
    /// after a collection.
    fn minor_debt(&self, base: usize) -> usize {
        let mul = self.tuning.minormul.clamp(1, 1000) as usize;
        (base / 100).saturating_mul(mul).clamp(MINOR_MIN, MINOR_MAX)
    }

    /// Generational mode: the threshold of the next major when `base` bytes survived the
    /// last one: the heap grown by `pause` (PUC 5.4's `genmajormul`), and by two minors'
    /// worth of allocation at least. Without that floor a small heap (whose minors wait
    /// for `MINOR_MIN` bytes, more than the pause) would reach the major threshold before
    /// every minor: only majors would run.
    fn major_threshold(&self, base: usize) -> usize {
        let floor = base.saturating_add(self.minor_debt(base).saturating_mul(2));
        self.next_threshold(base).max(floor)
    }

    /// Generational mode, between minors: whether the next collection is a major one
    /// (the heap passed the threshold set from `pause` and the size after the last major).
    pub fn major_due(&self) -> bool {
        self.allocated >= self.threshold
            || (self.major_requested && self.minors_since_major >= MINORS_BEFORE_REQUESTED_MAJOR)
    }

    /// Generational mode: ask for a major collection soon (after a few more minors),
    /// whatever the heap's growth (a minor found an object with a finalizer unreachable:
    /// only a major finalizes).
    pub fn request_major(&mut self) {
        self.major_requested = true;
    }

    fn update_trigger(&mut self) {
        self.trigger = if !self.running {
            usize::MAX
        } else if self.stress || self.stress_steps || self.pending {
            0
        } else {
            self.step_mark()
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
        self.step_base = self.allocated;
        self.minor_base = self.allocated;
        self.update_trigger();
    }

    fn next_threshold(&self, live: usize) -> usize {
        let pause = self.tuning.pause.clamp(100, 100_000) as usize;
        let live = live.max(MIN_THRESHOLD / 2);
        (live / 100).saturating_mul(pause).max(MIN_THRESHOLD)
    }

    /// The work a step should do now (PUC's `luaC_step` debt): what was allocated since
    /// the last step plus a basic step, times `stepmul` percent (in units of bytes
    /// traced).
    pub fn step_budget(&self) -> isize {
        // a cycle's first step starts from nothing: the allocation that led to the
        // threshold is the pause, not debt
        let debt = match self.phase {
            Phase::Pause => STEP_SIZE,
            _ => self.allocated.saturating_sub(self.step_base) + STEP_SIZE,
        };
        let mut stepmul = self.tuning.stepmul.clamp(40, 1_000_000) as usize;
        if self.mode == Mode::Generational {
            // minors wait while a major runs, so young garbage piles up meanwhile: a
            // major goes faster
            stepmul = stepmul.saturating_mul(GEN_MAJOR_SPEED);
        }
        (debt / 100)
            .saturating_mul(stepmul)
            .min(isize::MAX as usize) as isize
    }

    /// A step ended without finishing the cycle: the next one is due after `STEP_SIZE`
    /// more bytes.
    pub fn end_step(&mut self) {
        self.step_base = self.allocated;
        self.update_trigger();
    }

    /// Start a cycle (pause → propagate): `roots` marks the roots; tracing is left to
    /// `propagate_step`.
    ///
    /// In generational mode it follows `start_major`'s whitening (or `abort_cycle`).
    pub fn start_cycle(&mut self, roots: impl FnOnce(&mut Marker)) {
        debug_assert!(matches!(self.phase, Phase::Pause | Phase::Whiten));
        if self.phase == Phase::Pause {
            self.major_start = self.allocated;
            self.major_len = self.objects.len();
        }
        self.phase = Phase::Propagate;
        self.minor = false;
        self.birth = 0;
        self.step_base = self.allocated;
        roots(&mut self.marker);
    }

    /// The collector's mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Switch modes. The caller makes the heap consistent for the new mode: out of a
    /// sweep (`sweep_step` to its end) before; `abort_cycle` before switching to
    /// incremental; a full collection right after switching to generational (which makes
    /// every object old).
    pub fn set_mode(&mut self, mode: Mode) {
        debug_assert_ne!(self.phase, Phase::Sweep);
        self.mode = mode;
        self.old_end = 0;
        self.minor_base = self.allocated;
        self.update_trigger();
    }

    /// Generational mode, between minors: start a minor collection. The caller then runs
    /// its atomic phase (roots, `mark_from`, `remark_gray_again`, weak clearing,
    /// finalizers) and `start_sweep`, whose sweep walks the young objects only; the gray,
    /// gray-again and weak lists the barriers filled since the last collection are part
    /// of its marking.
    pub fn start_minor(&mut self) {
        debug_assert_eq!(self.phase, Phase::Pause);
        debug_assert_eq!(self.mode, Mode::Generational);
        self.phase = Phase::Propagate;
        self.minor = true;
        self.marker.atomic = false;
    }

    /// Whether the collection in progress is a minor one.
    pub fn is_minor(&self) -> bool {
        self.minor
    }

    /// Generational mode, between minors: start a major collection. Its first phase
    /// (`Phase::Whiten`, `whiten_step`) makes the objects white again; the lists of the
    /// minors are dropped (the major's marking starts from the roots).
    pub fn start_major(&mut self) {
        debug_assert_eq!(self.phase, Phase::Pause);
        self.major_requested = false;
        self.minors_since_major = 0;
        self.drop_lists();
        self.phase = Phase::Whiten;
        self.minor = false;
        self.birth = 0;
        self.whiten_pos = 0;
        self.whiten_end = self.objects.len();
        self.step_base = self.allocated;
        self.major_start = self.allocated;
        self.major_len = self.objects.len();
    }

    /// Make white objects until `budget` units of work are done; returns the work done
    /// and whether every object is white (then call `start_cycle`).
    pub fn whiten_step(&mut self, budget: isize) -> (isize, bool) {
        debug_assert_eq!(self.phase, Phase::Whiten);
        let mut done = 0isize;
        let end = self.whiten_end.min(self.objects.len());
        while self.whiten_pos < end && done < budget {
            // SAFETY: nothing is freed outside the sweep; every listed object is live.
            unsafe { self.objects[self.whiten_pos].as_ref() }.make_white();
            self.whiten_pos += 1;
            done += SWEEP_COST;
        }
        (done, self.whiten_pos >= end)
    }

    fn drop_lists(&mut self) {
        self.weak_carried.clear();
        self.marker.gray.clear();
        self.marker.again.clear();
        self.marker.weak.clear();
        self.marker.ephemerons.clear();
        self.marker.atomic = false;
        self.grayagain.clear();
    }

    /// Mark roots without tracing them (the gray list grows; `propagate_step` or
    /// `mark_from` traces).
    pub fn mark_roots_with(&mut self, roots: impl FnOnce(&mut Marker)) {
        roots(&mut self.marker);
    }

    /// Trace gray objects until `budget` units of work are done or none is left; returns
    /// the work done.
    pub fn propagate_step(&mut self, budget: isize) -> isize {
        let mut done = 0isize;
        while done < budget {
            let Some(obj) = self.marker.gray.pop() else {
                break;
            };
            done += self.trace_one(obj);
        }
        self.marker.current = None;
        done
    }

    /// Whether the gray list is empty (the propagation from the roots is over).
    pub fn gray_is_empty(&self) -> bool {
        self.marker.gray.is_empty()
    }

    #[inline]
    fn trace_one(&mut self, obj: Erased) -> isize {
        // SAFETY: gray objects were reached from roots (or written while black) in this
        // cycle, so they are live boxes owned by `objects`; nothing is freed while marking.
        let r = unsafe { obj.as_ref() };
        r.header.flags.set(r.header.flags.get() | BLACK);
        self.marker.current = Some(obj);
        self.marker.touches_new = false;
        self.marker.kept_gray = false;
        r.value.trace(&mut self.marker);
        if self.minor && self.marker.touches_new && !self.marker.kept_gray {
            // it refers to new objects, which stay young (white) after this minor: it
            // stays gray and is traced again at the next one
            r.header.flags.set(r.header.flags.get() & !BLACK);
            self.marker.again.push(obj);
        }
        (std::mem::size_of_val(r) + r.value.extra_size()) as isize
    }

    /// Mark phase: `roots` marks a set of roots; the gray list is then drained. It may be
    /// called again in the same cycle to mark more roots (resurrection).
    pub fn mark_from(&mut self, roots: impl FnOnce(&mut Marker)) {
        if self.phase == Phase::Pause {
            self.phase = Phase::Propagate;
            self.birth = 0;
        }
        roots(&mut self.marker);
        self.propagate();
    }

    fn propagate(&mut self) {
        while let Some(obj) = self.marker.gray.pop() {
            self.trace_one(obj);
        }
        self.marker.current = None;
    }

    /// The first propagation from the roots is over: what is marked from now on is
    /// marked in the atomic phase (`Marker::is_atomic`).
    pub fn enter_atomic(&mut self) {
        self.marker.atomic = true;
    }

    /// Atomic phase: trace again the objects written while black (`barrier_back`) and
    /// those that stay gray (`Marker::keep_gray`), and everything they reach.
    pub fn remark_gray_again(&mut self) {
        let again = std::mem::take(&mut self.marker.again);
        for obj in again.iter().chain(self.grayagain.iter()) {
            self.marker.gray.push(*obj);
        }
        self.grayagain.clear();
        self.propagate();
    }

    /// Tests: check the tri-color invariant — no black object refers to a white one
    /// (except through weak references and ephemerons). Call at the start of the atomic
    /// phase, before anything is marked again. Returns the number of white references
    /// found (each one a missing write barrier) and adds it to `violations`.
    pub fn verify_black(&mut self) -> usize {
        let mut found = 0;
        self.marker.checking = true;
        for &thin in &self.objects {
            let obj = fat(thin);
            // SAFETY: nothing is freed while marking; every listed object is live.
            let r = unsafe { obj.as_ref() };
            if r.header.flags.get() & BLACK == 0 {
                continue;
            }
            self.marker.violations = 0;
            self.marker.current_is_ephemeron = false;
            self.marker.current = Some(obj);
            r.value.trace(&mut self.marker);
            if !self.marker.current_is_ephemeron {
                found += self.marker.violations;
                if self.marker.violations > 0 && self.violation_types.len() < 8 {
                    self.violation_types.push(r.value.type_name());
                }
            }
        }
        self.marker.checking = false;
        self.marker.current = None;
        self.marker.violations = 0;
        self.violations += found;
        found
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
    ///
    /// In a minor (`from` 0) the objects listed at the previous minor are visited too:
    /// their weak references to new objects that survived it (young, white now) must be
    /// cleared if those die in this one.
    pub fn clear_weak(&mut self, part: WeakPart, from: usize) {
        let carried = if from == 0 {
            &self.weak_carried[..]
        } else {
            &[]
        };
        for obj in self.marker.weak.iter().skip(from).chain(carried) {
            // SAFETY: registered objects were traced in this cycle (marked, so live).
            let value: &dyn Trace = unsafe { &obj.as_ref().value };
            value.clear_weak(part);
        }
    }

    /// Give up the marking in progress (PUC's `entersweep` before a full collection):
    /// every object becomes white again and the cycle's lists are forgotten. Not in the
    /// sweep (finish it with `sweep_step` first). Afterwards the heap is in `Pause`.
    ///
    /// In generational mode every object is made white too (old ones were marked): the
    /// caller must follow with a full cycle (`start_cycle`) or switch to incremental.
    pub fn abort_cycle(&mut self) {
        let whiten = match self.phase {
            Phase::Sweep => false,
            Phase::Pause => self.mode == Mode::Generational,
            Phase::Propagate | Phase::Whiten => true,
        };
        if whiten {
            for obj in &self.objects {
                // SAFETY: every listed object is live (nothing is freed outside the sweep).
                unsafe { obj.as_ref() }.make_white();
            }
            self.drop_lists();
            self.phase = Phase::Pause;
            self.minor = false;
            self.birth = 0;
            self.old_end = 0;
        }
    }

    /// An object the mutator found through a weak cache (the intern table) after the
    /// atomic phase: if the sweep has not decided its fate yet, it stays alive (PUC's
    /// resurrection of dead strings in `luaS_newlstr`). In other phases it does nothing.
    /// (An object the sweep already passed keeps the mark until the next sweep: it lives
    /// one cycle longer.)
    #[inline]
    pub fn keep_alive<T: ?Sized>(&self, obj: Gc<T>) {
        if self.phase == Phase::Sweep {
            let h = obj.header();
            h.flags.set(h.flags.get() | MARKED);
        }
    }

    /// End of the atomic phase: start freeing every unmarked object (in increments,
    /// `sweep_step`). Objects allocated from now on are born marked so that the sweep
    /// keeps them.
    ///
    /// # Safety
    /// The caller must have marked, in this cycle, everything reachable from the roots
    /// (every handle that will be used from now on), and must have dropped every other
    /// handle (e.g. removed dead strings from weak caches, cleared weak tables).
    ///
    /// `outside` is what the caller owns outside any object (buffers that count as
    /// allocated memory: the running thread's stack, caches), measured now.
    ///
    /// In generational mode the objects that stay gray (`Marker::keep_gray` in the atomic
    /// phase) stay listed for the next minor, and the survivors keep their marks.
    pub unsafe fn start_sweep(&mut self, outside: usize) {
        for obj in &self.marker.weak {
            // SAFETY: listed objects were traced or written in this cycle: live.
            let h = unsafe { &obj.as_ref().header };
            h.flags.set(h.flags.get() & !WEAK_LISTED);
        }
        if self.minor {
            // kept for the next minor (`promote` drops the young ones)
            self.weak_carried.clear();
            self.weak_carried.append(&mut self.marker.weak);
        } else {
            self.weak_carried.clear();
            self.marker.weak.clear();
        }
        self.marker.ephemerons.clear();
        self.marker.atomic = false;
        self.grayagain.clear();
        self.sweep_keeps = self.mode == Mode::Generational;
        if !self.sweep_keeps {
            self.marker.again.clear();
        }
        self.phase = Phase::Sweep;
        self.birth = if self.sweep_keeps {
            MARKED | BLACK | AGED
        } else {
            MARKED
        };
        let from = if self.minor { self.old_end } else { 0 };
        self.sweep_read = from;
        self.sweep_write = from;
        self.sweep_live = 0;
        self.sweep_outside = outside;
        self.sweep_freed = 0;
    }

    /// Sweep objects until `budget` units of work are done; returns the work done and
    /// whether the sweep (and the cycle) is over — then the heap is in `Pause` and the
    /// threshold of the next cycle is set. `on_free(address, key)` is called for every
    /// object with a `Trace::cache_key` just before it is freed.
    pub fn sweep_step(
        &mut self,
        budget: isize,
        on_free: &mut dyn FnMut(usize, u64),
    ) -> (isize, bool) {
        debug_assert_eq!(self.phase, Phase::Sweep);
        let mut done = 0isize;
        let mut freed = 0usize;
        let (mut read, mut write) = (self.sweep_read, self.sweep_write);
        while read < self.objects.len() && done < budget {
            let slot = self.objects[read];
            let obj = fat(slot);
            read += 1;
            done += SWEEP_COST;
            // SAFETY: every pointer in `objects` past the read position is a live box
            // until freed right here; each is freed at most once (it is not copied to the
            // write position). Unmarked ones are unreachable (`start_sweep`'s contract).
            unsafe {
                let r = obj.as_ref();
                let f = r.header.flags.get();
                let size = std::mem::size_of_val(r) + r.value.extra_size();
                if f & MARKED != 0 {
                    if self.minor {
                        if f & AGED == 0 {
                            // a new object survives its first minor: it stays young
                            // (white) until the next one
                            r.header.flags.set((f & !(MARKED | BLACK)) | AGED);
                        }
                        // an aged one is promoted (old: it keeps its marks)
                    } else if self.sweep_keeps {
                        r.header.flags.set(f | AGED);
                    } else {
                        r.header.make_white();
                    }
                    self.sweep_live += size;
                    self.objects[write] = slot;
                    write += 1;
                } else {
                    freed += size;
                    if read <= self.major_len {
                        self.sweep_freed += size;
                    }
                    if let Some(key) = r.value.cache_key() {
                        on_free(obj.as_ptr() as *const u8 as usize, key);
                    }
                    drop(Box::from_raw(obj.as_ptr()));
                }
            }
        }
        self.sweep_read = read;
        self.sweep_write = write;
        self.allocated = self.allocated.saturating_sub(freed);
        if read < self.objects.len() {
            return (done, false);
        }
        self.objects.truncate(write);
        self.phase = Phase::Pause;
        self.birth = 0;
        self.sweep_keeps = false;
        if self.minor {
            // only the young part was measured: `allocated` went down by what was freed
            self.minor = false;
            self.minors_since_major = self.minors_since_major.saturating_add(1);
            self.promote();
        } else {
            self.allocated = self.sweep_live + self.sweep_outside;
            self.threshold = match self.mode {
                Mode::Incremental => self.next_threshold(self.allocated),
                Mode::Generational => {
                    let base = self.major_start.saturating_sub(self.sweep_freed);
                    self.major_threshold(base.min(self.allocated))
                }
            };
            self.cycles += 1;
            if self.mode == Mode::Generational {
                self.old_end = self.objects.len();
            }
        }
        self.minor_base = self.allocated;
        self.step_base = self.allocated;
        self.update_trigger();
        (done, true)
    }

    /// The end of a minor: the young objects it kept marked (aged ones) become old —
    /// they move to the old part of the list — and the others (new ones that survived
    /// their first minor, now white) stay young; objects that stay gray for the next
    /// minor are the marked ones (the young are traced anyway if reached).
    fn promote(&mut self) {
        let mut old_end = self.old_end;
        for i in self.old_end..self.objects.len() {
            // SAFETY: every listed object is live (the sweep is over).
            let f = unsafe { self.objects[i].as_ref().flags.get() };
            if f & MARKED != 0 {
                self.objects.swap(old_end, i);
                old_end += 1;
            }
        }
        self.old_end = old_end;
        let marked = |obj: &Erased| {
            // SAFETY: listed objects were traced (or written) in this minor: live.
            unsafe { obj.as_ref().header.flags.get() & MARKED != 0 }
        };
        self.marker.again.retain(marked);
        self.weak_carried.retain(marked);
    }

    /// Sweep phase in one go: `start_sweep` and `sweep_step` until done.
    ///
    /// # Safety
    /// As `start_sweep`.
    pub unsafe fn sweep(&mut self, outside: usize) {
        // SAFETY: the caller's promise.
        unsafe { self.start_sweep(outside) };
        while !self.sweep_step(isize::MAX, &mut |_, _| {}).1 {}
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        if self.phase == Phase::Sweep {
            // the gap the sweep left between its write and read positions holds freed
            // or moved pointers
            self.objects.drain(self.sweep_write..self.sweep_read);
        }
        for obj in self.objects.drain(..) {
            // SAFETY: the heap owns every box in `objects`; when the heap goes, no handle
            // may be used any more (they all belong to this heap's state).
            unsafe { drop(Box::from_raw(fat(obj).as_ptr())) };
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
        // long enough to overflow a recursive marker's stack; Miri (~1000x slower) runs a
        // shorter chain through the same code
        let len = if cfg!(miri) { 2_000 } else { 200_000 };
        for i in 0..len {
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
        assert_eq!(heap.object_count(), len as usize + 1);
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
