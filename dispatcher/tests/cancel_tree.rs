//! Stopping a task from Rust (`TaskHandle::cancel`, `Job::timeout`) cancels the tasks it
//! spawned and has not joined (the fork-join tree under it), with 1 and 2 workers: the
//! pool then has nothing running or queued, and goes on.

use std::time::{Duration, Instant};

use luavm_dispatcher::{Data, Job, Pool, TaskError, TaskHandle, TaskStatus};

fn wait_running(h: &TaskHandle) {
    let start = Instant::now();
    while h.status() == TaskStatus::Queued {
        assert!(start.elapsed() < Duration::from_secs(30), "never started");
        std::thread::yield_now();
    }
}

/// Whether the pool has nothing running or queued within 10 s.
fn settled(p: &Pool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        let m = p.metrics();
        if m.running == 0 && m.queued == 0 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

const SPIN: &str = "local function spin() while true do end end ";

#[test]
fn cancel_reaches_children() {
    for workers in [1, 2] {
        let p = Pool::builder().workers(workers).build().unwrap();
        // waiting for a child; spinning beside a child; three levels with a map
        for body in [
            "return workers.spawn(spin):join()",
            "local c = workers.spawn(spin) spin()",
            "return workers.spawn(function() return workers.spawn(function() return workers.map(spin, {1, 2, 3}) end):join() end):join()",
        ] {
            let h = p.execute(&format!("{SPIN}{body}")).unwrap();
            wait_running(&h);
            // let the children start (or queue up behind the parent)
            std::thread::sleep(Duration::from_millis(20));
            assert!(h.cancel());
            assert_eq!(h.join(), Err(TaskError::Cancelled));
            assert!(settled(&p), "{workers} workers: {body}: {:?}", p.metrics());
        }
        assert_eq!(
            p.execute("return 1").unwrap().join().unwrap(),
            vec![Data::Int(1)]
        );
    }
}

#[test]
fn timeout_reaches_children() {
    for workers in [1, 2] {
        let p = Pool::builder().workers(workers).build().unwrap();
        let h = p
            .submit(
                Job::code(&format!("{SPIN}return workers.map(spin, {{1, 2, 3}})"))
                    .timeout(Duration::from_millis(50)),
            )
            .unwrap();
        assert_eq!(h.join(), Err(TaskError::TimedOut));
        assert!(settled(&p), "{workers} workers: {:?}", p.metrics());
        // a batch where every task spawns a spinning child
        let hs = p
            .submit_batch(
                (0..3)
                    .map(|_| {
                        Job::code(&format!("{SPIN}return workers.spawn(spin):join()"))
                            .timeout(Duration::from_millis(50))
                    })
                    .collect(),
            )
            .unwrap();
        for h in hs {
            assert_eq!(h.join(), Err(TaskError::TimedOut));
        }
        assert!(settled(&p), "{workers} workers: {:?}", p.metrics());
    }
}

#[test]
fn a_normal_end_leaves_children_alone() {
    let p = Pool::builder().workers(1).build().unwrap();
    // with one worker the child is still queued when its parent returns
    let h = p
        .execute("workers.spawn(function() CHILD_RAN = true end) return CHILD_RAN == nil")
        .unwrap();
    assert_eq!(h.join().unwrap(), vec![Data::Bool(true)]);
    assert!(settled(&p));
    assert_eq!(
        p.execute("return CHILD_RAN").unwrap().join().unwrap(),
        vec![Data::Bool(true)]
    );
}
