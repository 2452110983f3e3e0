//! The incremental collector through the Rust API: cycles cut into steps, the write
//! barriers (checked by the collector's own tri-color check, and shown to catch a
//! missing one; the same program under the generational stress mode too),
//! `collectgarbage("step")`, and pauses bounded by the step size.

use luavm_gc::Phase;
use luavm_vm::{State, Value};

mod common;
use common::run;

fn new_state() -> State {
    let mut s = State::new();
    luavm_stdlib::open_all(&mut s);
    s
}

/// A program that writes old objects in every way the barriers cover: table fields
/// (array, hash, string keys, other keys, deletions), metatables, upvalues (open and
/// closed), `debug.setupvalue`, `debug.upvaluejoin`, `debug.setuservalue`-free paths,
/// `table.insert`/`sort`/`move`, `rawset`, coroutines moving values between stacks,
/// weak tables, and the closure cache.
const MUTATOR: &str = r#"
local old = {}
for i = 1, 200 do old[i] = {i} end
local named = {}
local up = {}
local function setup(v) up = v end
local co = coroutine.wrap(function(...)
  local acc = {...}
  while true do acc[#acc + 1] = coroutine.yield(#acc) end
end)
local weakk = setmetatable({}, {__mode = "k"})
local weakv = setmetatable({}, {__mode = "v"})
local total = 0
for round = 1, 300 do
  local i = round % 200 + 1
  old[i] = {round, tostring(round)}          -- array part
  named["k" .. i] = {round}                   -- hash part, new string keys
  old[{}] = round                             -- table key
  old[i + 0.5] = {i}                          -- float key
  if round % 3 == 0 then named["k" .. i] = nil end
  setmetatable(old[i], {__index = {round}})
  setup({round})
  local f = function() return up[1] end
  debug.setupvalue(f, 1, {round})
  total = total + (f() or 0)
  table.insert(old, 1, {round})
  table.remove(old, 1)
  rawset(old, "r", {round})
  total = total + co({round})
  weakk[old[i]] = {round}
  weakv[round] = old[i]
  local s = {}
  for j = 1, 10 do s[j] = {math.random(100)} end
  table.sort(s, function(a, b) return a[1] < b[1] end)
  table.move(s, 1, 10, 1, old)
end
collectgarbage()
local n = 0
for _, v in pairs(old) do n = n + 1 end
return total, n > 200
"#;

#[test]
fn barriers_keep_the_tricolor_invariant_under_incremental_stress() {
    let mut s = new_state();
    s.set_gc_stress_steps(true);
    let cycles = s.heap.cycles;
    let r = run(&mut s, MUTATOR).unwrap();
    assert_eq!(r[1], "true");
    assert!(
        s.heap.cycles > cycles + 20,
        "only {} incremental cycles ran",
        s.heap.cycles - cycles
    );
    assert_eq!(
        s.gc_violations(),
        0,
        "missing write barriers in {:?}",
        s.heap.violation_types
    );
}

#[test]
fn barriers_keep_the_invariant_under_generational_stress() {
    // a minor at every safe point (checked before marking), a major now and then
    let mut s = new_state();
    s.set_gc_mode(luavm_vm::GcMode::Generational);
    s.set_gc_stress_steps(true);
    let cycles = s.heap.cycles;
    let r = run(&mut s, MUTATOR).unwrap();
    assert_eq!(r[1], "true");
    assert!(
        s.heap.stats.minors > 100 && s.heap.cycles > cycles + 5,
        "only {} minors and {} majors ran",
        s.heap.stats.minors,
        s.heap.cycles - cycles
    );
    assert_eq!(
        s.gc_violations(),
        0,
        "missing write barriers in {:?}",
        s.heap.violation_types
    );
}

#[test]
fn the_check_finds_a_missing_barrier() {
    let mut s = new_state();
    run(&mut s, "old = {}").unwrap();
    let Value::Table(old) = s.get_global("old") else {
        panic!("old is a table")
    };
    s.heap.verify = true;
    // step until `old` has been traced (black) in a cycle that is still marking
    let mut steps = 0;
    while !(old.is_black() && s.heap.phase() == Phase::Propagate) {
        s.gc_step_api(0).unwrap();
        steps += 1;
        assert!(steps < 100_000, "the table never became black");
    }
    // a write that bypasses the barrier: a new object stored into a black table
    let fresh = s.new_table();
    old.set_int(1, Value::Table(fresh));
    while s.heap.phase() == Phase::Propagate {
        s.gc_step_api(0).unwrap();
    }
    assert!(s.gc_violations() > 0, "the check missed the write");
    assert!(s.heap.violation_types.iter().any(|t| t.ends_with("Table")));
    // put the table back in a consistent state before anything else runs
    old.set_int(1, Value::Nil);
}

#[test]
fn step_api_finishes_cycles_and_reports_their_end() {
    let mut s = new_state();
    let r = run(
        &mut s,
        "collectgarbage('stop')
         local t = {}
         for i = 1, 2000 do t[i] = {i} end
         collectgarbage()
         -- basic steps: many of them per cycle
         local n = 0
         repeat n = n + 1 until collectgarbage('step', 0)
         -- big steps: one finishes a cycle
         local big = collectgarbage('step', 100000)
         return n > 10, big, collectgarbage('isrunning')",
    )
    .unwrap();
    assert_eq!(r, ["true", "true", "false"]);
}

#[test]
fn automatic_steps_interleave_with_the_program() {
    // with a big live heap, a cycle spans many steps: the program runs between them
    let mut s = new_state();
    run(
        &mut s,
        "collectgarbage('setpause', 100)
         keep = {}
         for i = 1, 20000 do keep[i] = {i, tostring(i)} end",
    )
    .unwrap();
    let mut phases = std::collections::HashSet::new();
    for _ in 0..400 {
        run(
            &mut s,
            "for i = 1, 200 do keep[i * 7 % 20000 + 1] = {i} end",
        )
        .unwrap();
        phases.insert(format!("{:?}", s.heap.phase()));
    }
    assert!(
        phases.contains("Propagate") && phases.contains("Sweep"),
        "the program never ran between steps: {phases:?}"
    );
    assert_eq!(run(&mut s, "return #keep").unwrap(), ["20000"]);
}

#[test]
fn a_dead_string_found_during_the_sweep_lives_on() {
    let mut s = new_state();
    run(&mut s, "collectgarbage('stop')").unwrap();
    // a short string nothing refers to
    let bytes = b"nobody keeps this string";
    let dead = s.new_str(bytes);
    let addr = dead.addr();
    // finish any cycle in progress, then step until the sweep of a new cycle starts:
    // the string was not reached, so it is unmarked and due to be freed
    while s.heap.phase() != Phase::Pause {
        s.gc_step_api(0).unwrap();
    }
    s.gc_step_api(0).unwrap();
    while s.heap.phase() != Phase::Sweep {
        s.gc_step_api(0).unwrap();
    }
    // the mutator finds it again through the intern table before the sweep frees it
    let again = s.new_str(bytes);
    assert_eq!(again.addr(), addr, "the intern table lost the string");
    s.push(Value::Str(again));
    while s.heap.phase() == Phase::Sweep {
        s.gc_step_api(0).unwrap();
    }
    // it survived the sweep and is still the interned one: no new object is made
    let objects = s.heap.object_count();
    let third = s.new_str(bytes);
    assert_eq!(third.addr(), addr);
    assert_eq!(s.heap.object_count(), objects);
    assert_eq!(third.as_bytes(), bytes);
    s.pop();
}
