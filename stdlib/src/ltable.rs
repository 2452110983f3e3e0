//! The table library (manual §6.6): `concat`, `insert`, `move`, `pack`, `remove`, `sort`,
//! `unpack`, with the behaviour and messages of PUC-Rio Lua 5.3.6 (`ltablib.c`).
//!
//! As in 5.3, every function reads and writes elements as `t[i]` does, honouring
//! `__index`/`__newindex`/`__len` (PUC's `lua_geti`/`lua_seti`/`luaL_len`), and accepts a
//! non-table whose metatable has the metamethods it needs (PUC's `checktab`).
//!
//! Invariants:
//! - a raw fast path is taken only for a table without a metatable, and only for a
//!   stretch of work during which no Lua code can run (so nothing can give the table a
//!   metatable, or collect garbage, in the middle of it);
//! - a value read from a table and still needed after a call that may run Lua code (a
//!   metamethod, a comparator) is kept on the stack, never only in a Rust local;
//! - `sort` runs PUC's quicksort step for step (same pivots, same comparisons in the same
//!   order, same writes), so a consistent comparator leaves exactly PUC's order, even for
//!   elements that compare equal, and an inconsistent one raises "invalid order function
//!   for sorting" at the same point. The only difference: PUC re-randomizes the pivot of
//!   a badly unbalanced partition from `clock()`/`time()`; we use a deterministic
//!   generator (this only changes the relative order of equal elements in large arrays).
//!
//! `sort` without a comparator on a table without a metatable whose elements are all
//! numbers or all strings copies the elements into a `Vec`, sorts it with the same
//! algorithm and writes the result back: no Lua code can run during such a sort (the
//! comparisons are primitive), so nobody can observe the difference. In every other case
//! (a comparator, a metatable, mixed or other element types) the sort works on the table
//! itself, as PUC does, so a comparator may look at (or change) the table mid-sort.

use luavm_vm::arith;
use luavm_vm::ops::{compare_prim, push_str_or_number};
use luavm_vm::state::{EXTRA_STACK, MAX_STACK};
use luavm_vm::{LuaError, LuaResult, State, Value};

use crate::Lib;

pub const FUNCS: Lib = &[
    ("concat", concat),
    ("insert", insert),
    ("move", move_),
    ("pack", pack),
    ("remove", remove),
    ("sort", sort),
    ("unpack", unpack),
];

/// Install the `table` library.
pub fn open(s: &mut State) {
    crate::open_lib_with(s, "table", FUNCS, 0);
}

// ---- element access -----------------------------------------------------------------

/// What a non-table argument must support to stand for a table (PUC's `TAB_*`).
const TAB_R: u8 = 1;
const TAB_W: u8 = 2;
const TAB_L: u8 = 4;
const TAB_RW: u8 = TAB_R | TAB_W;

/// PUC's `checktab`: argument `arg` is a table, or has a metatable with (raw) fields for
/// every operation in `what`; otherwise "table expected".
fn check_tab(s: &mut State, arg: usize, what: u8) -> LuaResult<()> {
    let v = s.arg(arg);
    if let Value::Table(_) = v {
        return Ok(());
    }
    if arg <= s.nargs() {
        if let Some(mt) = s.metatable(v) {
            let mut ok = true;
            for (bit, name) in [(TAB_R, "__index"), (TAB_W, "__newindex"), (TAB_L, "__len")] {
                if ok && what & bit != 0 {
                    let k = s.str_value(name.as_bytes());
                    ok = !mt.get(k).is_nil();
                }
            }
            if ok {
                return Ok(());
            }
        }
    }
    Err(s.arg_type_error(arg, "table"))
}

/// PUC's `luaL_len`: `#v` with `__len`, which must be an integer.
fn len_of(s: &mut State, v: Value) -> LuaResult<i64> {
    if let Value::Table(t) = v {
        if t.metatable().is_none() {
            return Ok(t.len());
        }
    }
    let n = s.len_of(v)?;
    match arith::to_integer(n) {
        Some(i) => Ok(i),
        None => Err(s.lib_error("object length is not an integer")),
    }
}

/// PUC's `aux_getn`: check argument `arg` for `what` plus length, and return its length.
fn aux_getn(s: &mut State, arg: usize, what: u8) -> LuaResult<i64> {
    check_tab(s, arg, what | TAB_L)?;
    let v = s.arg(arg);
    len_of(s, v)
}

/// `t[i]` (PUC's `lua_geti`).
#[inline]
fn geti(s: &mut State, t: Value, i: i64) -> LuaResult<Value> {
    if let Value::Table(tt) = t {
        if tt.metatable().is_none() {
            return Ok(tt.get_int(i));
        }
    }
    s.index(t, Value::Int(i))
}

/// `t[i] = v` (PUC's `lua_seti`).
#[inline]
fn seti(s: &mut State, t: Value, i: i64, v: Value) -> LuaResult<()> {
    if let Value::Table(tt) = t {
        if tt.metatable().is_none() {
            s.raw_set_int(tt, i, v);
            return Ok(());
        }
    }
    s.set_index(t, Value::Int(i), v)
}

/// The argument as a table without a metatable: the raw fast paths apply.
#[inline]
fn plain_table(v: Value) -> Option<luavm_vm::Gc<luavm_vm::Table>> {
    match v {
        Value::Table(t) if t.metatable().is_none() => Some(t),
        _ => None,
    }
}

// ---- insert / remove / move -----------------------------------------------------------

/// `table.insert(t, [pos,] v)`.
fn insert(s: &mut State) -> LuaResult<usize> {
    let e = aux_getn(s, 1, TAB_RW)?.wrapping_add(1); // first empty element
    let t = s.arg(1);
    let pos = match s.nargs() {
        2 => e,
        3 => {
            let pos = s.check_integer(2)?;
            if !(1 <= pos && pos <= e) {
                return Err(s.arg_error(2, "position out of bounds"));
            }
            // move up elements: t[i] = t[i - 1] for i = e, e - 1, ..., pos + 1
            if let Some(tt) = plain_table(t) {
                let mut i = e;
                if i > pos {
                    // t[e] may extend the array part; the rest moves in one go
                    let v = tt.get_int(i - 1);
                    s.raw_set_int(tt, i, v);
                    i -= 1;
                    if tt.move_in_array(pos, pos + 1, (i - pos) as usize) {
                        i = pos;
                    }
                }
                while i > pos {
                    let v = tt.get_int(i - 1);
                    s.raw_set_int(tt, i, v);
                    i -= 1;
                }
            } else {
                let mut i = e;
                while i > pos {
                    let v = geti(s, t, i - 1)?;
                    seti(s, t, i, v)?;
                    i -= 1;
                }
            }
            pos
        }
        _ => return Err(s.lib_error("wrong number of arguments to 'insert'")),
    };
    let v = s.arg(s.nargs());
    seti(s, t, pos, v)?;
    Ok(0)
}

/// `table.remove(t [, pos])`: 5.3 allows `pos` = #t + 1, and `pos` 0 or #t + 1 when the
/// table is empty (then it returns and clears `t[pos]`).
fn remove(s: &mut State) -> LuaResult<usize> {
    let size = aux_getn(s, 1, TAB_RW)?;
    let mut pos = s.opt_integer(2, size)?;
    // 5.3 blames argument #1 here (5.4 fixed it to #2)
    if pos != size && !(1 <= pos && pos <= size.wrapping_add(1)) {
        return Err(s.arg_error(1, "position out of bounds"));
    }
    let t = s.arg(1);
    if let Some(tt) = plain_table(t) {
        let v = tt.get_int(pos);
        if pos < size && tt.move_in_array(pos + 1, pos, (size - pos) as usize) {
            pos = size;
        }
        while pos < size {
            let next = tt.get_int(pos + 1);
            s.raw_set_int(tt, pos, next);
            pos += 1;
        }
        s.raw_set_int(tt, pos, Value::Nil);
        s.push(v);
        return Ok(1);
    }
    let v = geti(s, t, pos)?;
    s.push(v); // the result stays on the stack while metamethods run
    while pos < size {
        let next = geti(s, t, pos + 1)?;
        seti(s, t, pos, next)?;
        pos += 1;
    }
    seti(s, t, pos, Value::Nil)?;
    Ok(1)
}

/// `table.move(a1, f, e, t [, a2])`: `a2[t..] = a1[f..e]`, returns `a2`.
fn move_(s: &mut State) -> LuaResult<usize> {
    let f = s.check_integer(2)?;
    let e = s.check_integer(3)?;
    let t = s.check_integer(4)?;
    let tt = if s.arg(5).is_nil() { 1 } else { 5 };
    check_tab(s, 1, TAB_R)?;
    check_tab(s, tt, TAB_W)?;
    if e >= f {
        if !(f > 0 || e < i64::MAX.wrapping_add(f)) {
            return Err(s.arg_error(3, "too many elements to move"));
        }
        let n = e.wrapping_sub(f).wrapping_add(1); // number of elements to move
        if t > i64::MAX.wrapping_sub(n).wrapping_add(1) {
            return Err(s.arg_error(4, "destination wrap around"));
        }
        let src = s.arg(1);
        let dst = s.arg(tt);
        // copy upwards when the ranges cannot overlap badly, downwards otherwise
        let forward = t > e || t <= f || (tt != 1 && !s.equals(src, dst)?);
        if let (Some(a1), Some(a2)) = (plain_table(src), plain_table(dst)) {
            if forward {
                for i in 0..n {
                    let v = a1.get_int(f.wrapping_add(i));
                    s.raw_set_int(a2, t.wrapping_add(i), v);
                }
            } else {
                for i in (0..n).rev() {
                    let v = a1.get_int(f.wrapping_add(i));
                    s.raw_set_int(a2, t.wrapping_add(i), v);
                }
            }
        } else if forward {
            for i in 0..n {
                let v = geti(s, src, f.wrapping_add(i))?;
                seti(s, dst, t.wrapping_add(i), v)?;
            }
        } else {
            for i in (0..n).rev() {
                let v = geti(s, src, f.wrapping_add(i))?;
                seti(s, dst, t.wrapping_add(i), v)?;
            }
        }
    }
    let dst = s.arg(tt);
    s.push(dst);
    Ok(1)
}

// ---- concat / pack / unpack ---------------------------------------------------------

/// Append element `v` (index `i`) to a `concat` buffer, or raise PUC's error.
#[inline]
fn add_field(s: &mut State, buf: &mut Vec<u8>, v: Value, i: i64) -> LuaResult<()> {
    if push_str_or_number(buf, v) {
        return Ok(());
    }
    // PUC formats the index with `%d` from a `lua_Integer`: only the low 32 bits show
    let msg = format!(
        "invalid value ({}) at index {} in table for 'concat'",
        v.type_name(),
        i as i32
    );
    Err(s.lib_error(&msg))
}

/// Longest text of a number in a concatenation (`%.14g` or an integer: 24 at most).
const NUMBER_MAX_LEN: usize = 32;

/// The size of `table.concat`'s result over `t[i..=last]` of a plain table, found first
/// so that a long result is built in one block instead of a doubling buffer whose freed
/// copies the allocator keeps for a while: the bytes of the strings and separators, and
/// how many numbers there are; `None` unless the range is inside the array part (a range
/// past it may be huge and end in an error).
fn concat_size(
    t: luavm_vm::Gc<luavm_vm::Table>,
    i: i64,
    last: i64,
    sep: usize,
) -> Option<(usize, usize)> {
    if i < 1 || i > last || last > t.array_len() as i64 {
        return None;
    }
    let mut bytes = (last - i).unsigned_abs().saturating_mul(sep as u64);
    let mut numbers = 0;
    for k in i..=last {
        match t.get_int(k) {
            Value::Str(st) => bytes = bytes.saturating_add(st.len() as u64),
            Value::Int(_) | Value::Num(_) => numbers += 1,
            _ => {}
        }
    }
    Some((usize::try_from(bytes).unwrap_or(usize::MAX), numbers))
}

/// `table.concat(t [, sep [, i [, j]]])`.
fn concat(s: &mut State) -> LuaResult<usize> {
    let last = aux_getn(s, 1, TAB_R)?;
    let sep = if s.arg(2).is_nil() {
        None
    } else {
        Some(s.check_string(2)?) // stays on the stack as argument 2
    };
    let sep: &[u8] = match &sep {
        Some(st) => st.as_bytes(),
        None => b"",
    };
    let mut i = s.opt_integer(3, 1)?;
    let last = s.opt_integer(4, last)?;
    let t = s.arg(1);
    let mut buf = Vec::new();
    if let Some(tt) = plain_table(t) {
        if let Some((exact, numbers)) = concat_size(tt, i, last, sep.len()) {
            // past the memory limit: the error now rather than after building it
            s.check_alloc(exact)?;
            buf.reserve_exact(exact.saturating_add(numbers.saturating_mul(NUMBER_MAX_LEN)));
        }
        while i < last {
            add_field(s, &mut buf, tt.get_int(i), i)?;
            buf.extend_from_slice(sep);
            i += 1;
        }
        if i == last {
            add_field(s, &mut buf, tt.get_int(i), i)?;
        }
    } else {
        while i < last {
            let v = geti(s, t, i)?;
            add_field(s, &mut buf, v, i)?;
            buf.extend_from_slice(sep);
            i += 1;
        }
        if i == last {
            let v = geti(s, t, i)?;
            add_field(s, &mut buf, v, i)?;
        }
    }
    s.check_alloc(buf.len())?;
    let r = s.new_str_vec(buf);
    s.push(Value::Str(r));
    Ok(1)
}

/// `table.pack(...)`: the arguments in a new table with field `n`.
fn pack(s: &mut State) -> LuaResult<usize> {
    let n = s.nargs();
    let t = s.new_table_with(n, 1);
    s.push(Value::Table(t));
    // PUC preallocates an array part of size n, nils included (which decides what `#`
    // answers for a table with holes): place a stand-in for each nil, then clear it.
    let mut holes = false;
    for i in 1..=n {
        let v = s.arg(i);
        holes |= v.is_nil();
        let v = if v.is_nil() { Value::Bool(false) } else { v };
        s.raw_set_int(t, i as i64, v);
    }
    if holes {
        for i in 1..=n {
            if s.arg(i).is_nil() {
                s.raw_set_int(t, i as i64, Value::Nil);
            }
        }
    }
    s.raw_set_str(t, "n", Value::Int(n as i64));
    Ok(1)
}

/// `table.unpack(t [, i [, j]])`: `t[i], ..., t[j]`.
fn unpack(s: &mut State) -> LuaResult<usize> {
    let t = s.arg(1);
    let i = s.opt_integer(2, 1)?;
    let e = if s.arg(3).is_nil() {
        len_of(s, t)?
    } else {
        s.check_integer(3)?
    };
    if i > e {
        return Ok(0);
    }
    // number of elements minus 1, computed without overflow
    let n = (e as u64).wrapping_sub(i as u64);
    // PUC: n >= INT_MAX or `lua_checkstack` cannot get n + 1 slots
    if n >= i32::MAX as u64 || s.top() + EXTRA_STACK + n as usize + 1 > MAX_STACK {
        return Err(s.lib_error("too many results to unpack"));
    }
    let count = n as usize + 1;
    s.check_stack(count)?;
    if let Some(tt) = plain_table(t) {
        for k in 0..count as i64 {
            s.push(tt.get_int(i.wrapping_add(k)));
        }
    } else {
        for k in 0..count as i64 {
            let v = geti(s, t, i.wrapping_add(k))?;
            s.push(v);
        }
    }
    Ok(count)
}

// ---- sort ----------------------------------------------------------------------------

/// Array indices of the sort, as PUC's `IdxT` (`unsigned int`).
type Idx = u32;

/// Arrays larger than this may use randomized pivots (PUC's `RANLIMIT`).
const RANLIMIT: Idx = 100;

/// Why a sort stopped: a Lua error already raised, or an inconsistent comparator (raised
/// by the caller, after it has put the array back in place).
enum SortError {
    Lua(LuaError),
    InvalidOrder,
}

impl From<LuaError> for SortError {
    fn from(e: LuaError) -> Self {
        SortError::Lua(e)
    }
}

type SortResult<T> = Result<T, SortError>;

/// The array being sorted: elements `1..=n`, the order, and where to keep values that
/// must survive calls into Lua (PUC keeps them on its stack).
trait SortArray {
    fn get(&mut self, s: &mut State, i: Idx) -> LuaResult<Value>;
    fn set(&mut self, s: &mut State, i: Idx, v: Value) -> LuaResult<()>;
    fn less(&mut self, s: &mut State, a: Value, b: Value) -> LuaResult<bool>;
    /// Keep `v` alive in root slot `slot` (0..3) until the slot is reused.
    fn root(&mut self, s: &mut State, slot: usize, v: Value);
}

/// Numbers only or strings only, copied out of a table without metatable: comparisons
/// are primitive, no Lua code runs while it is sorted.
struct PrimArray {
    v: Vec<Value>,
}

impl SortArray for PrimArray {
    #[inline(always)]
    fn get(&mut self, _: &mut State, i: Idx) -> LuaResult<Value> {
        Ok(self
            .v
            .get((i as usize).wrapping_sub(1))
            .copied()
            .unwrap_or(Value::Nil))
    }
    #[inline(always)]
    fn set(&mut self, _: &mut State, i: Idx, v: Value) -> LuaResult<()> {
        if let Some(slot) = self.v.get_mut((i as usize).wrapping_sub(1)) {
            *slot = v;
        }
        Ok(())
    }
    #[inline(always)]
    fn less(&mut self, _: &mut State, a: Value, b: Value) -> LuaResult<bool> {
        Ok(compare_prim(a, b, false).unwrap_or(false))
    }
    #[inline(always)]
    fn root(&mut self, _: &mut State, _: usize, _: Value) {}
}

/// The table (or table-like value) itself, read and written with `t[i]` semantics and
/// compared with `<` (metamethods included) or the comparator.
struct LuaArray {
    t: Value,
    cmp: Value,
    /// Stack index of the first of three root slots.
    roots: usize,
}

impl SortArray for LuaArray {
    #[inline]
    fn get(&mut self, s: &mut State, i: Idx) -> LuaResult<Value> {
        geti(s, self.t, i as i64)
    }
    #[inline]
    fn set(&mut self, s: &mut State, i: Idx, v: Value) -> LuaResult<()> {
        seti(s, self.t, i as i64, v)
    }
    #[inline]
    fn less(&mut self, s: &mut State, a: Value, b: Value) -> LuaResult<bool> {
        if self.cmp.is_nil() {
            s.less_than(a, b)
        } else {
            Ok(s.call_value1(self.cmp, &[a, b])?.truthy())
        }
    }
    #[inline]
    fn root(&mut self, s: &mut State, slot: usize, v: Value) {
        s.set_stack_at(self.roots + slot, v);
    }
}

/// PUC's `partition`. The pivot `p` is `a[up - 1]` (and rooted in slot 0);
/// precondition `a[lo] <= P == a[up - 1] <= a[up]`. Returns `i` with
/// `a[lo .. i - 1] <= a[i] == P <= a[i + 1 .. up]`.
fn partition<A: SortArray>(
    s: &mut State,
    a: &mut A,
    lo: Idx,
    up: Idx,
    p: Value,
) -> SortResult<Idx> {
    let mut i = lo; // incremented before first use
    let mut j = up.wrapping_sub(1); // decremented before first use
    loop {
        // repeat ++i while a[i] < P
        let ai = loop {
            i = i.wrapping_add(1);
            let ai = a.get(s, i)?;
            a.root(s, 1, ai);
            if !a.less(s, ai, p)? {
                break ai;
            }
            if i == up.wrapping_sub(1) {
                // a[i] < P but a[up - 1] == P
                return Err(SortError::InvalidOrder);
            }
        };
        // repeat --j while P < a[j]
        let aj = loop {
            j = j.wrapping_sub(1);
            let aj = a.get(s, j)?;
            a.root(s, 2, aj);
            if !a.less(s, p, aj)? {
                break aj;
            }
            if j < i {
                // j < i but a[j] > P
                return Err(SortError::InvalidOrder);
            }
        };
        if j < i {
            // no elements out of place: swap the pivot (a[up - 1]) with a[i]
            a.set(s, up.wrapping_sub(1), ai)?;
            a.set(s, i, p)?;
            return Ok(i);
        }
        // swap a[i] and a[j] and go on
        a.set(s, i, aj)?;
        a.set(s, j, ai)?;
    }
}

/// PUC's `choosePivot`: an index in the middle half of `[lo, up]`, "randomized" by `rnd`.
#[inline]
fn choose_pivot(lo: Idx, up: Idx, rnd: u32) -> Idx {
    let r4 = (up - lo) / 4; // range / 4
    let m = r4.wrapping_mul(2);
    if m == 0 {
        return lo.wrapping_add(r4);
    }
    (rnd % m).wrapping_add(lo.wrapping_add(r4))
}

/// A new pivot "randomization" (PUC's `l_randomizePivot`, which reads the clock):
/// deterministic here, but it changes each time.
#[inline]
fn randomize_pivot(prev: u32, lo: Idx, up: Idx) -> u32 {
    let mut x = (prev as u64) << 32 ^ (lo as u64) << 16 ^ up as u64 ^ 0x9E37_79B9_7F4A_7C15;
    // splitmix64 finalizer
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x as u32) | 1
}

/// PUC's `auxsort`: quicksort of `a[lo..=up]`, recursing into the smaller half.
fn auxsort<A: SortArray>(
    s: &mut State,
    a: &mut A,
    mut lo: Idx,
    mut up: Idx,
    mut rnd: u32,
) -> SortResult<()> {
    while lo < up {
        // sort elements a[lo], a[p], a[up]
        let alo = a.get(s, lo)?;
        a.root(s, 0, alo);
        let aup = a.get(s, up)?;
        a.root(s, 1, aup);
        if a.less(s, aup, alo)? {
            // a[up] < a[lo]: swap them
            a.set(s, lo, aup)?;
            a.set(s, up, alo)?;
        }
        if up - lo == 1 {
            return Ok(()); // only 2 elements, already sorted
        }
        let mut p = if up - lo < RANLIMIT || rnd == 0 {
            lo.wrapping_add(up) / 2 // the middle element is a good pivot
        } else {
            choose_pivot(lo, up, rnd)
        };
        let ap = a.get(s, p)?;
        a.root(s, 0, ap);
        let alo = a.get(s, lo)?;
        a.root(s, 1, alo);
        if a.less(s, ap, alo)? {
            // a[p] < a[lo]: swap them
            a.set(s, p, alo)?;
            a.set(s, lo, ap)?;
        } else {
            let aup = a.get(s, up)?;
            a.root(s, 1, aup);
            if a.less(s, aup, ap)? {
                // a[up] < a[p]: swap them
                a.set(s, p, aup)?;
                a.set(s, up, ap)?;
            }
        }
        if up - lo == 2 {
            return Ok(()); // only 3 elements, already sorted
        }
        let pivot = a.get(s, p)?;
        a.root(s, 0, pivot);
        let aup1 = a.get(s, up - 1)?;
        a.root(s, 1, aup1);
        // swap the pivot (a[p]) with a[up - 1]
        a.set(s, p, aup1)?;
        a.set(s, up - 1, pivot)?;
        p = partition(s, a, lo, up, pivot)?;
        // a[lo .. p - 1] <= a[p] == P <= a[p + 1 .. up]
        let n;
        if p.wrapping_sub(lo) < up.wrapping_sub(p) {
            // the lower interval is smaller: recurse into it, loop on the upper one
            auxsort(s, a, lo, p.wrapping_sub(1), rnd)?;
            n = p.wrapping_sub(lo);
            lo = p.wrapping_add(1);
        } else {
            auxsort(s, a, p.wrapping_add(1), up, rnd)?;
            n = up.wrapping_sub(p);
            up = p.wrapping_sub(1);
        }
        if up.wrapping_sub(lo) / 128 > n {
            // partition too imbalanced: try a new randomization
            rnd = randomize_pivot(rnd, lo, up);
        }
    }
    Ok(())
}

/// The elements `1..=n` of `t`, when they are all numbers or all strings.
fn primitive_elements(t: &luavm_vm::Table, n: Idx) -> Option<Vec<Value>> {
    let mut v = Vec::with_capacity(n as usize);
    match t.get_int(1) {
        Value::Int(_) | Value::Num(_) => {
            for i in 1..=n {
                let x = t.get_int(i as i64);
                if !matches!(x, Value::Int(_) | Value::Num(_)) {
                    return None;
                }
                v.push(x);
            }
        }
        Value::Str(_) => {
            for i in 1..=n {
                let x = t.get_int(i as i64);
                if !matches!(x, Value::Str(_)) {
                    return None;
                }
                v.push(x);
            }
        }
        _ => return None,
    }
    Some(v)
}

/// `table.sort(t [, comp])`.
fn sort(s: &mut State) -> LuaResult<usize> {
    let n = aux_getn(s, 1, TAB_RW)?;
    if n <= 1 {
        return Ok(0);
    }
    if n >= i32::MAX as i64 {
        return Err(s.arg_error(1, "array too big"));
    }
    let n = n as Idx;
    let cmp = s.arg(2);
    if !cmp.is_nil() && !cmp.is_function() {
        return Err(s.arg_type_error(2, "function"));
    }
    let t = s.arg(1);
    if cmp.is_nil() {
        if let Some(tt) = plain_table(t) {
            if let Some(v) = primitive_elements(&tt, n) {
                let mut a = PrimArray { v };
                let r = auxsort(s, &mut a, 1, n, 0);
                // write back (also after an error: PUC leaves the partial order in place)
                for (i, v) in a.v.into_iter().enumerate() {
                    s.raw_set_int(tt, i as i64 + 1, v);
                }
                return match r {
                    Ok(()) => Ok(0),
                    Err(SortError::Lua(e)) => Err(e),
                    Err(SortError::InvalidOrder) => {
                        Err(s.lib_error("invalid order function for sorting"))
                    }
                };
            }
        }
    }
    let roots = s.top();
    s.check_stack(3)?;
    for _ in 0..3 {
        s.push(Value::Nil);
    }
    let mut a = LuaArray { t, cmp, roots };
    match auxsort(s, &mut a, 1, n, 0) {
        Ok(()) => Ok(0),
        Err(SortError::Lua(e)) => Err(e),
        Err(SortError::InvalidOrder) => Err(s.lib_error("invalid order function for sorting")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prim_sort(xs: &[i64]) -> Vec<i64> {
        let mut s = State::new();
        let mut a = PrimArray {
            v: xs.iter().map(|&x| Value::Int(x)).collect(),
        };
        let n = xs.len() as Idx;
        assert!(auxsort(&mut s, &mut a, 1, n, 0).is_ok());
        a.v.iter()
            .map(|v| match v {
                Value::Int(i) => *i,
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn quicksort_sorts() {
        let mut x: u64 = 12345;
        for len in [0usize, 1, 2, 3, 4, 5, 10, 99, 100, 101, 257, 1000, 5000] {
            let xs: Vec<i64> = (0..len)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (x >> 40) as i64 % 100
                })
                .collect();
            let mut want = xs.clone();
            want.sort();
            assert_eq!(prim_sort(&xs), want);
        }
    }

    #[test]
    fn quicksort_sorted_and_reversed_inputs() {
        let up: Vec<i64> = (0..3000).collect();
        let down: Vec<i64> = (0..3000).rev().collect();
        assert_eq!(prim_sort(&up), up);
        assert_eq!(prim_sort(&down), up);
        let organ: Vec<i64> = (0..1500).chain((0..1500).rev()).collect();
        let mut want = organ.clone();
        want.sort();
        assert_eq!(prim_sort(&organ), want);
    }

    #[test]
    fn pivot_stays_in_range() {
        for (lo, up) in [(1u32, 101u32), (5, 1000), (1, u32::MAX / 2)] {
            for rnd in [1u32, 7, u32::MAX, 123456789] {
                let p = choose_pivot(lo, up, rnd);
                let r4 = (up - lo) / 4;
                assert!(lo + r4 <= p && p <= up - r4);
            }
        }
    }
}
