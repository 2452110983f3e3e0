//! Seed 001, pattern 2: a pool of threads, each owning one `LuaVM` and a
//! `current_thread` tokio runtime; requests go round-robin to the workers. The pool is
//! the seed's code as written (modulo imports); `main` is a small request source.
//!
//! Run: `cargo run --example pattern2_vm_pool`

use std::sync::atomic::{AtomicUsize, Ordering};

use luavm::prelude::*;
use tokio::sync::{mpsc, oneshot};

/// Request sent to a worker
struct Request {
    lua_code: String,
    respond: oneshot::Sender<Result<String, String>>,
}

/// VM thread pool
struct VmPool {
    senders: Vec<mpsc::Sender<Request>>,
    next: AtomicUsize,
}

impl VmPool {
    fn new(num_workers: usize, init_script: &str) -> Self {
        let mut senders = Vec::new();

        for id in 0..num_workers {
            let (tx, mut rx) = mpsc::channel::<Request>(64);
            let script = init_script.to_string();

            // Each worker is a separate thread
            std::thread::Builder::new()
                .name(format!("lua-worker-{}", id))
                .spawn(move || {
                    // Create a thread-local tokio runtime
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();

                    rt.block_on(async move {
                        // Create a thread-local LuaVM
                        let mut vm = LuaVM::new(SafeOption::default());
                        vm.open_stdlib(Stdlib::All).unwrap();

                        // Register async functions
                        vm.register_async("sleep", |args| async move {
                            let secs = args[0].as_number().unwrap_or(1.0);
                            tokio::time::sleep(std::time::Duration::from_secs_f64(secs)).await;
                            Ok(vec![AsyncReturnValue::boolean(true)])
                        })
                        .unwrap();

                        // Load initialization script
                        vm.execute_string(&script).unwrap();

                        // Process requests
                        while let Some(req) = rx.recv().await {
                            let result = vm.execute_async(&req.lua_code).await;
                            let response = match result {
                                Ok(vals) => {
                                    let s = vals
                                        .iter()
                                        .map(|v| format!("{:?}", v))
                                        .collect::<Vec<_>>()
                                        .join(", ");
                                    Ok(s)
                                }
                                Err(e) => Err(format!("{:?}", e)),
                            };
                            let _ = req.respond.send(response);
                        }
                    });
                })
                .unwrap();

            senders.push(tx);
        }

        VmPool {
            senders,
            next: AtomicUsize::new(0),
        }
    }

    /// Round-robin request dispatch
    async fn execute(&self, lua_code: String) -> Result<String, String> {
        let idx = self.next.fetch_add(1, Ordering::Relaxed) % self.senders.len();
        let (tx, rx) = oneshot::channel();
        self.senders[idx]
            .send(Request {
                lua_code,
                respond: tx,
            })
            .await
            .map_err(|_| "worker dead".to_string())?;
        rx.await.map_err(|_| "worker dropped".to_string())?
    }
}

const INIT: &str = r#"
    worker_name = "vm-" .. tostring(math.random(1000, 9999))
    function handle(n)
        counter = (counter or 0) + 1      -- per-VM state
        sleep(0.01)                       -- async I/O: the worker's thread is free meanwhile
        local sum = 0
        for i = 1, n do sum = sum + i end -- CPU work on this worker's core
        return counter, sum
    end
"#;

#[tokio::main]
async fn main() {
    let pool = std::sync::Arc::new(VmPool::new(2, INIT));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let r = pool
                .execute(format!("return handle({})", (i + 1) * 1000))
                .await;
            (i, r)
        }));
    }
    for t in tasks {
        let (i, r) = t.await.unwrap();
        // requests 0, 2, 4, ... went to worker 0; each worker counts its own requests
        println!("request {i} -> {r:?}");
    }
    println!(
        "error -> {:?}",
        pool.execute("return handle('x')".into()).await
    );
}
