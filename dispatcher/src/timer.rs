//! Deadlines: one timer thread for the process, started on the first timeout.
//!
//! At a task's deadline the timer ends it as "timed out" ([`Slot::expire`]): a queued
//! task is dropped before it starts; a running one is interrupted at its next loop
//! back-edge and its worker goes on with other tasks.
//!
//! Invariant: the timer holds only `Weak` references, so a finished task whose handles are
//! gone is freed without waiting for its deadline.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::Instant;

use crate::task::Slot;

struct Entry {
    at: Instant,
    seq: u64,
    slot: Weak<Slot>,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Earliest deadline first (`BinaryHeap` is a max-heap).
    fn cmp(&self, other: &Self) -> Ordering {
        other.at.cmp(&self.at).then(other.seq.cmp(&self.seq))
    }
}

struct Timer {
    heap: Mutex<(BinaryHeap<Entry>, u64)>,
    cv: Condvar,
}

static TIMER: OnceLock<Option<Arc<Timer>>> = OnceLock::new();

fn timer() -> Option<&'static Arc<Timer>> {
    TIMER
        .get_or_init(|| {
            let t = Arc::new(Timer {
                heap: Mutex::new((BinaryHeap::new(), 0)),
                cv: Condvar::new(),
            });
            let t2 = t.clone();
            std::thread::Builder::new()
                .name("luavm-timer".into())
                .spawn(move || run(&t2))
                .ok()
                .map(|_| t)
        })
        .as_ref()
}

/// End `slot` as timed out at `at` unless it has finished by then.
pub(crate) fn schedule(at: Instant, slot: &Arc<Slot>) {
    let Some(t) = timer() else {
        // no timer thread could be started: time out at once rather than never
        slot.expire();
        return;
    };
    let mut g = match t.heap.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    g.1 += 1;
    let seq = g.1;
    let earliest = g.0.peek().map(|e| e.at);
    g.0.push(Entry {
        at,
        seq,
        slot: Arc::downgrade(slot),
    });
    drop(g);
    if earliest.is_none_or(|e| at < e) {
        t.cv.notify_one();
    }
}

fn run(t: &Timer) {
    let mut g = match t.heap.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        while g.0.peek().is_some_and(|e| e.at <= now) {
            if let Some(e) = g.0.pop() {
                due.push(e.slot);
            }
        }
        if !due.is_empty() {
            drop(g);
            for s in due {
                if let Some(slot) = s.upgrade() {
                    slot.expire();
                }
            }
            g = match t.heap.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            continue;
        }
        g = match g.0.peek().map(|e| e.at) {
            Some(at) => match t.cv.wait_timeout(g, at.saturating_duration_since(now)) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            },
            None => match t.cv.wait(g) {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            },
        };
    }
}
