//! `State::set_interrupt`: another thread stops running Lua code at a loop back-edge or
//! tail call, and the state stays usable. (That `pcall` does not catch it is tested with
//! the standard library, in `dispatcher/tests/pool.rs` and `tests/workers/`.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use luavm_vm::{State, Value};

fn run(s: &mut State, code: &str) -> Result<Vec<Value>, String> {
    let f = s
        .load(code.as_bytes(), b"=t")
        .map_err(|_| "load".to_string())?;
    let base = s.top();
    s.push(f);
    let r = s.pcall(base, -1, 0);
    let out = match r {
        Ok(()) => Ok((base..s.top()).map(|i| s.stack_at(i)).collect()),
        Err(_) => {
            let e = s.error_value();
            let mut m = Vec::new();
            s.to_string_raw(e, &mut m);
            Err(String::from_utf8_lossy(&m).into_owned())
        }
    };
    s.set_top(base);
    out
}

fn interrupted_after(code: &str) -> String {
    let mut s = State::new();
    let flag = Arc::new(AtomicBool::new(false));
    assert!(s.set_interrupt(Some(flag.clone())).is_none());
    let f2 = flag.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        f2.store(true, Ordering::SeqCst);
    });
    let r = match run(&mut s, code) {
        Ok(_) => panic!("{code} was not interrupted"),
        Err(e) => e,
    };
    t.join().unwrap();
    assert!(s.interrupt_pending());
    // cleared: the state runs code again
    s.set_interrupt(None);
    assert!(!s.interrupt_pending());
    let Ok(ok) = run(
        &mut s,
        "local n = 0 for i = 1, 10 do n = n + i end return n",
    ) else {
        panic!("the state does not run after an interrupt");
    };
    assert!(ok[0].raw_equal(Value::Int(55)));
    r
}

#[test]
fn stops_every_kind_of_loop() {
    assert_eq!(interrupted_after("while true do end"), "t:1: interrupted");
    assert_eq!(interrupted_after("repeat until false"), "t:1: interrupted");
    assert_eq!(
        interrupted_after("for i = 1, 1/0 do end"),
        "t:1: interrupted"
    );
    assert_eq!(
        interrupted_after("for i = 1, 1e300, 0.5 do end"),
        "t:1: interrupted"
    );
    assert_eq!(
        interrupted_after("local function f() return f() end return f()"),
        "t:1: interrupted"
    );
    assert_eq!(
        interrupted_after("for _ in function() return 1 end do end"),
        "t:1: interrupted"
    );
    assert_eq!(interrupted_after("::a:: goto a"), "t:1: interrupted");
    assert_eq!(interrupted_after("repeat until false"), "t:1: interrupted");
    assert_eq!(
        interrupted_after("local x = 0 repeat x = x + 1 until x < 0"),
        "t:1: interrupted"
    );
    assert_eq!(
        interrupted_after("local t = {} repeat t.x = 1 until not t"),
        "t:1: interrupted"
    );
}

#[test]
fn no_flag_no_effect() {
    let mut s = State::new();
    let flag = Arc::new(AtomicBool::new(false));
    s.set_interrupt(Some(flag));
    let Ok(r) = run(
        &mut s,
        "local n = 0 for i = 1, 1000 do n = n + i end return n",
    ) else {
        panic!("error without an interrupt");
    };
    assert!(r[0].raw_equal(Value::Int(500500)));
    assert!(s.set_interrupt(None).is_some());
}
