//! Seed 001, pattern 1: one VM on a `current_thread` runtime. Requests are handled one
//! after the other, but a script waiting on async I/O (`fetch`) does not block the thread.
//!
//! Run: `cargo run --example pattern1_single_thread`

use std::collections::VecDeque;
use std::time::Duration;

use luavm::prelude::*;

/// A small request source standing in for the seed's `get_next_request`.
struct Requests(VecDeque<String>);

impl Requests {
    fn new() -> Self {
        Requests(
            [
                "return fetch('users/1')",
                "local a, b = fetch('a'), fetch('b'); return a .. ' + ' .. b",
                "counter = (counter or 0) + 1; return 'requests so far: ' .. counter",
                "return string.format('%d items', #fetch('list'))",
                "error('bad request')",
                "counter = (counter or 0) + 1; return 'requests so far: ' .. counter",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
        )
    }
}

async fn get_next_request(requests: &mut Requests) -> Option<String> {
    tokio::time::sleep(Duration::from_millis(1)).await; // as if from the network
    requests.0.pop_front()
}

async fn send_response(result: Result<Vec<LuaValue>, Error>) {
    match result {
        Ok(values) => println!("ok:    {values:?}"),
        Err(e) => println!("error: {e}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut vm = LuaVM::new(SafeOption::default());
    vm.open_stdlib(Stdlib::All).unwrap();

    vm.register_async("fetch", |args| async move {
        // ... async I/O
        let what = args
            .first()
            .and_then(|a| a.as_str())
            .unwrap_or("?")
            .to_string();
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok(vec![AsyncReturnValue::string(format!("result of {what}"))])
    })
    .unwrap();

    // All requests processed sequentially, but I/O is async
    let mut requests = Requests::new();
    while let Some(request) = get_next_request(&mut requests).await {
        let result = vm.execute_async(&request).await;
        send_response(result).await;
    }
}
