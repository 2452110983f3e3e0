//! Seed 001, pattern 3: one thread, a `LocalSet`, the VM moved into a `spawn_local` task
//! (it is `!Send`, so `tokio::spawn` would not compile). Another local task runs while
//! the script sleeps.
//!
//! Run: `cargo run --example pattern3_localset`

use luavm::prelude::*;
use tokio::task::LocalSet;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let local = LocalSet::new();

    local
        .run_until(async {
            let mut vm = LuaVM::new(SafeOption::default());
            vm.open_stdlib(Stdlib::All).unwrap();

            // Register async functions...
            vm.register_async("sleep", |args| async move {
                let secs = args[0].as_number().unwrap_or(1.0);
                tokio::time::sleep(std::time::Duration::from_secs_f64(secs)).await;
                Ok(vec![AsyncReturnValue::boolean(true)])
            })
            .unwrap();

            // Use spawn_local for tasks (doesn't require Send)
            let handle =
                tokio::task::spawn_local(
                    async move { vm.execute_async("sleep(1); return 42").await },
                );

            // the thread is not blocked while the script sleeps
            let ticker = tokio::task::spawn_local(async {
                for i in 1..=3 {
                    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                    println!("tick {i} (while Lua sleeps)");
                }
            });

            let result = handle.await.unwrap();
            ticker.await.unwrap();
            println!("Result: {:?}", result);
        })
        .await;
}
