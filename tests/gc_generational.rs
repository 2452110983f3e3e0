//! The generational mode of the collector through the Rust API: minors keep what old
//! objects gained through barriers, clear weak tables of dead young objects, forget dead
//! young strings and cached closures, keep coroutine stacks; majors and full collections
//! free old garbage; the barrier check finds a missing barrier on an old object; the
//! mode can be switched in the middle of a cycle.
//!
//! The scripts call `minor()` (a minor collection now) and `objects()` (the number of
//! heap objects), with automatic collection stopped, so every collection is explicit.

use luavm_gc::Phase;
use luavm_vm::{GcMode, LuaResult, State, Value};

mod common;
use common::run;

fn minor(s: &mut State) -> LuaResult<usize> {
    let ran = s.gc_minor();
    s.push(Value::Bool(ran));
    Ok(1)
}

fn objects(s: &mut State) -> LuaResult<usize> {
    let n = s.heap.object_count() as i64;
    s.push(Value::Int(n));
    Ok(1)
}

/// A state in generational mode, with the check of the barriers on, `minor` and
/// `objects`.
fn gen_state() -> State {
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    s.set_global("minor", Value::NativeFn(minor));
    s.set_global("objects", Value::NativeFn(objects));
    assert_eq!(s.set_gc_mode(GcMode::Generational), GcMode::Incremental);
    s.heap.verify = true;
    s
}

/// Run `code` (which must return true) and check that no barrier was missing.
fn check(s: &mut State, code: &str) {
    assert_eq!(run(s, code), Ok(vec!["true".to_string()]));
    assert_eq!(
        s.gc_violations(),
        0,
        "missing write barriers in {:?}",
        s.heap.violation_types
    );
}

#[test]
fn a_missing_barrier_on_an_old_object_is_found_at_the_next_minor() {
    let mut s = gen_state();
    run(&mut s, "collectgarbage('stop') old = {} collectgarbage()").unwrap();
    let Value::Table(old) = s.get_global("old") else {
        panic!("old is a table")
    };
    assert!(old.is_black(), "an old table is black between minors");
    // a write that bypasses the barrier: a young object stored into an old table (the
    // young table is kept on the stack so that nothing dangles afterwards)
    let fresh = s.new_table();
    s.push(Value::Table(fresh));
    old.set_int(1, Value::Table(fresh));
    assert!(s.gc_minor());
    assert!(s.gc_violations() > 0, "the check missed the write");
    assert!(s.heap.violation_types.iter().any(|t| t.ends_with("Table")));
    old.set_int(1, Value::Nil);
    s.pop();
}

#[test]
fn old_objects_keep_young_values_stored_through_barriers() {
    let mut s = gen_state();
    check(
        &mut s,
        "collectgarbage('stop')
         old = {}
         local up = {}
         local function setup(v) up = v end
         local function getup() return up end
         local co = coroutine.wrap(function() while true do coroutine.yield() end end)
         local ud_mt = {}
         collectgarbage()          -- all of them are old now
         local seen = setmetatable({}, {__mode = 'v'})
         for i = 1, 50 do
           old[i] = {i}            -- array part (forward barrier)
           old['k' .. i] = {i}     -- hash part, new string keys
           old[{}] = i             -- young key
           setup({i})              -- closed upvalue (back barrier)
           seen[i] = old[i]
           if i % 7 == 0 then assert(minor()) end
         end
         setmetatable(old, {__index = {x = {1}}})
         rawset(old, 'r', {2})
         table.insert(old, 1, {0})
         assert(minor()) assert(minor())
         for i = 1, 50 do
           assert(old[i + 1][1] == i and old['k' .. i][1] == i and seen[i] == old[i + 1])
         end
         local keys = 0
         for k, v in pairs(old) do if type(k) == 'table' then keys = keys + 1 end end
         return keys == 50 and getup()[1] == 50 and old.x[1] == 1 and old.r[1] == 2
           and old[1][1] == 0",
    );
}

#[test]
fn weak_tables_lose_dead_young_objects_at_minors() {
    let mut s = gen_state();
    check(
        &mut s,
        "collectgarbage('stop')
         local wk = setmetatable({}, {__mode = 'k'})
         local wv = setmetatable({}, {__mode = 'v'})
         local wkv = setmetatable({}, {__mode = 'kv'})
         local oldkey, oldval = {}, {}
         collectgarbage()          -- the weak tables and oldkey/oldval are old
         wk[{}] = 1                -- dead young key
         wk[oldkey] = {}           -- young value of a live old key: kept
         wv[1] = {}                -- dead young value
         wv[2] = oldval            -- live old value: kept
         wv[3] = 'strings are values'
         wkv[{}] = oldval          -- dead young key
         wkv[oldkey] = {}          -- dead young value
         local alive = {}
         wv[4] = alive             -- live young value
         assert(minor())
         local n = 0
         for k in pairs(wk) do n = n + 1 end
         return n == 1 and type(wk[oldkey]) == 'table' and wv[1] == nil
           and wv[2] == oldval and wv[3] == 'strings are values' and wv[4] == alive
           and next(wkv) == nil",
    );
}

#[test]
fn ephemerons_at_minors() {
    let mut s = gen_state();
    check(
        &mut s,
        "collectgarbage('stop')
         local e = setmetatable({}, {__mode = 'k'})
         local oldkey = {}
         collectgarbage()
         -- a chain of young entries, each value refers to the next key; the first key
         -- is held by an old object
         local holder = {}
         collectgarbage()
         local k = {}
         holder[1] = k
         for i = 1, 20 do local n = {}; e[k] = {next = n, i = i}; k = n end
         -- a young value that refers to its own key: collected with the key
         do local c = {}; e[c] = {c} end
         -- an old key with a young value
         e[oldkey] = {'v'}
         assert(minor())
         local n, i = holder[1], 0
         while e[n] do n = e[n].next; i = i + 1 end
         local count = 0
         for _ in pairs(e) do count = count + 1 end
         holder[1] = nil
         collectgarbage()          -- the chain is old now: a full collection frees it
         local after = 0
         for _ in pairs(e) do after = after + 1 end
         return i == 20 and count == 21 and e[oldkey][1] == 'v' and after == 1",
    );
}

#[test]
fn finalizers_of_young_and_old_objects_and_resurrection() {
    let mut s = gen_state();
    check(
        &mut s,
        "collectgarbage('stop')
         local log = {}
         local mt = {__gc = function(o) log[#log + 1] = o.name; saved = o end}
         local old = setmetatable({name = 'old'}, mt)
         collectgarbage()
         old = nil
         -- a young object with a finalizer: a minor does not find it dead (nor what it
         -- refers to), a major does
         local w = setmetatable({}, {__mode = 'v'})
         do local y = setmetatable({name = 'young', ref = {}}, mt); w[1] = y.ref end
         assert(minor())
         local after_minor = #log == 0 and w[1] ~= nil
         collectgarbage()          -- both die: young (newer) first, as 5.3
         local order = log[1] == 'young' and log[2] == 'old'
         -- resurrected by its finalizer: alive, not finalized again
         local back = saved
         saved = nil
         back.extra = {}
         assert(minor())
         collectgarbage()
         return after_minor and order and #log == 2 and back.extra ~= nil",
    );
}

#[test]
fn dead_keys_of_old_tables_are_cleared_when_their_young_objects_die() {
    let mut s = gen_state();
    check(
        &mut s,
        "collectgarbage('stop')
         local O = {}
         assert(minor())           -- O survived once: young, white
         local keep = {}
         local function put()
           local k = {}
           O[k] = 1
           O[k] = nil              -- a dead key (O is white: no barrier)
           keep[1] = k
         end
         put()
         assert(minor())           -- O becomes old (the dead key is not a reference);
                                   -- k, new, survives through keep: young, white
         keep = nil
         local n = objects()
         assert(minor())           -- k dies: O's dead key must be cleared
         local freed = objects() < n
         -- a new object where k was must not be taken for the dead key by next
         local probes = {}
         for i = 1, 20 do probes[i] = {} end
         for i = 1, 20 do
           if pcall(next, O, probes[i]) then return false end
         end
         dead_O = O
         return freed",
    );
    // and directly (the probes above catch the bug only if an allocation reuses k's
    // address): no dead key of O names an object any more
    let Value::Table(o) = s.get_global("dead_O") else {
        panic!("dead_O is a table")
    };
    assert_eq!(
        o.dead_object_keys(),
        0,
        "a dead key still names a freed object"
    );
}

#[test]
fn strings_dying_young_leave_the_intern_table() {
    let mut s = gen_state();
    run(&mut s, "collectgarbage('stop')").unwrap();
    assert!(s.gc_minor());
    let bytes = b"a young string nobody keeps";
    let before = s.heap.object_count();
    let dead = s.new_str(bytes);
    assert_eq!(s.heap.object_count(), before + 1);
    let _ = dead;
    assert!(s.gc_minor());
    assert_eq!(s.heap.object_count(), before, "the young string survived");
    // interning the bytes again makes a new string (the table forgot the freed one)
    let again = s.new_str(bytes);
    assert_eq!(s.heap.object_count(), before + 1);
    assert_eq!(again.as_bytes(), bytes);
    // kept on the stack, it survives minors and becomes old
    s.push(Value::Str(again));
    assert!(s.gc_minor());
    assert!(s.gc_minor());
    assert_eq!(s.new_str(bytes).addr(), again.addr());
    s.pop();
}

#[test]
fn the_closure_cache_of_an_old_prototype_forgets_dead_young_closures() {
    let mut s = gen_state();
    check(
        &mut s,
        "collectgarbage('stop')
         local function mk() return function() return 42 end end
         collectgarbage()          -- mk's prototypes are old
         local w = setmetatable({}, {__mode = 'v'})
         w[1] = mk()               -- a young closure in the old prototype's cache
         assert(mk() == w[1])      -- the cache is used
         assert(minor())
         local gone = w[1] == nil
         local n = objects()
         local f = mk()            -- a new closure, not the freed one
         local fresh = objects() == n + 1 and f() == 42
         -- a closure that survives one minor (young still) and dies at the next: the
         -- cache forgets it then too
         local keep = mk()
         assert(minor())
         w[1] = keep
         keep, f = nil, nil
         assert(minor())
         local gone2 = w[1] == nil
         n = objects()
         f = mk()
         return gone and fresh and gone2 and objects() == n + 1 and f() == 42",
    );
}

#[test]
fn old_coroutines_keep_young_values_on_their_stacks() {
    let mut s = gen_state();
    check(
        &mut s,
        "collectgarbage('stop')
         local w = setmetatable({}, {__mode = 'v'})
         local co = coroutine.wrap(function()
           local keep = {}
           for round = 1, 5 do
             local t = {round}       -- young, only on this coroutine's stack
             keep[round] = {round}
             w[round] = t
             assert(minor())         -- a minor while the coroutine runs
             coroutine.yield()
             assert(t[1] == round and w[round] == t and keep[round][1] == round)
           end
           return 'done'
         end)
         co()
         collectgarbage()            -- the coroutine is old, its stack is traced again
         for round = 2, 5 do
           assert(minor())           -- minors while it is suspended
           assert(minor())
           co()
         end
         return co() == 'done'",
    );
}

#[test]
fn mode_switches_in_the_middle_of_cycles() {
    let mut s = gen_state();
    check(
        &mut s,
        "collectgarbage('stop')
         keep = {}
         for i = 1, 3000 do keep[i] = {i} end
         local function mutate(n)
           for i = 1, n do keep[i * 7 % 3000 + 1] = {i, tostring(i)} end
         end
         local function valid()
           for i = 1, 3000 do if type(keep[i][1]) ~= 'number' then return false end end
           return true
         end
         for round = 1, 6 do
           -- start a major (whitening, then marking) or a cycle, and switch in its middle
           for _ = 1, round * 40 do collectgarbage('step', 0) end
           mutate(200)
           local old = collectgarbage(round % 2 == 1 and 'incremental' or 'generational')
           assert(old == (round % 2 == 1 and 'generational' or 'incremental'))
           mutate(200)
           if not valid() then return false end
         end
         collectgarbage('generational')
         for _ = 1, 50 do collectgarbage('step', 0) mutate(10) end
         assert(collectgarbage('generational') == 'generational')
         collectgarbage()
         return valid()",
    );
    // the phases a major goes through, by steps
    let mut phases = std::collections::HashSet::new();
    run(&mut s, "collectgarbage('generational')").unwrap();
    for _ in 0..100_000 {
        let done = s.gc_step_api(0).unwrap();
        phases.insert(format!("{:?}", s.heap.phase()));
        if done {
            break;
        }
    }
    assert_eq!(s.heap.phase(), Phase::Pause);
    for p in ["Whiten", "Propagate", "Sweep"] {
        assert!(phases.contains(p), "no {p} phase in {phases:?}");
    }
    assert_eq!(s.gc_violations(), 0);
}

#[test]
fn automatic_minors_and_majors_free_garbage() {
    let mut s = gen_state();
    check(
        &mut s,
        "keep = {}
         for i = 1, 1000 do keep[i] = {i} end
         for round = 1, 200 do
           local t = {}
           for j = 1, 100 do t[j] = {j} end          -- young garbage
           keep[round % 1000 + 1] = {round}           -- old garbage
         end
         return collectgarbage('count') < 4096",
    );
    let st = s.heap.stats;
    assert!(st.minors > 5, "only {} minors", st.minors);
    assert!(s.heap.cycles >= 1);
}

#[test]
fn a_small_heap_is_collected_by_minors() {
    // a heap of a few dozen KB whose garbage all dies young: minors collect it, majors
    // are rare (the major threshold leaves room for minors; it once came first every time)
    let mut s = gen_state();
    s.heap.verify = false;
    let cycles = s.heap.cycles;
    check(
        &mut s,
        "local sum = 0
         for i = 1, 200000 do
           local f = function() return i end     -- a closure and its upvalue, young garbage
           sum = sum + f()
         end
         return sum == 200000 * 200001 // 2",
    );
    let (minors, majors) = (s.heap.stats.minors, s.heap.cycles - cycles);
    assert!(minors >= 100, "only {minors} minors");
    assert!(majors * 20 <= minors, "{majors} majors for {minors} minors");
}

#[test]
fn a_young_object_with_a_finalizer_is_finalized_by_automatic_collections() {
    // minors never find it dead, but one that sees it unreachable asks for a major (an
    // old heap of a megabyte first, so that minors come before the next major)
    let mut s = gen_state();
    check(
        &mut s,
        "old = {} for i = 1, 16000 do old[i] = {} end collectgarbage()
         local done = false
         do setmetatable({}, {__gc = function() done = true end}) end
         local junk, n = nil, 0
         repeat junk = {}; n = n + 1 until done or n > 10000000
         return done",
    );
    assert!(s.heap.stats.minors > 0);
}
