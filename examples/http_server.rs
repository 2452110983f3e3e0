//! An HTTP server with one VM per core (seed 001's "high-concurrency HTTP server":
//! pattern 2 with hyper). The main thread accepts connections and hands them round-robin
//! to worker threads; each worker owns a `current_thread` runtime and a `LuaVM` whose
//! `handle(method, path, body)` function makes each response.
//!
//! Run: `cargo run --release --example http_server -- [port] [workers]`, then
//! `cargo run --release --example http_load -- [port]` (loopback only).

use std::cell::RefCell;
use std::convert::Infallible;
use std::rc::Rc;
use std::sync::mpsc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use luavm::prelude::*;

const HANDLER: &str = r#"
    local hits = 0
    function handle(method, path, body)
        hits = hits + 1
        if path == "/" then
            return 200, "hello from luavm (request " .. hits .. " on this VM)\n"
        elseif path:sub(1, 6) == "/echo/" then
            return 200, path:sub(7):upper() .. "\n"
        elseif path == "/sum" then
            local s = 0
            for n in body:gmatch("%d+") do s = s + tonumber(n) end
            return 200, tostring(s) .. "\n"
        end
        return 404, "not found: " .. path .. "\n"
    end
"#;

fn worker(id: usize, conns: mpsc::Receiver<std::net::TcpStream>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let mut vm = LuaVM::new(SafeOption {
            instruction_limit: Some(10_000_000),
            ..SafeOption::default()
        });
        vm.open_stdlib(Stdlib::All).unwrap();
        vm.execute_string(HANDLER).unwrap();
        let handle: LuaFunction = vm.get_global("handle").unwrap();
        let vm = Rc::new(RefCell::new(vm));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // the blocking std receiver is drained by a helper thread into the runtime
        std::thread::spawn(move || {
            while let Ok(c) = conns.recv() {
                if tx.send(c).is_err() {
                    break;
                }
            }
        });
        while let Some(stream) = rx.recv().await {
            let _ = stream.set_nonblocking(true);
            let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let vm = vm.clone();
            let handle = handle.clone();
            tokio::task::spawn_local(async move {
                let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let vm = vm.clone();
                    let handle = handle.clone();
                    async move {
                        let method = req.method().to_string();
                        let path = req.uri().path().to_string();
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let body = LuaString::from(body.to_vec());
                        // a handler without async calls runs to completion here
                        let r: Result<(u16, LuaString), Error> =
                            handle.call(&mut *vm.borrow_mut(), (method, path, body));
                        let resp = match r {
                            Ok((status, text)) => Response::builder()
                                .status(status)
                                .body(Full::new(Bytes::from(text.into_bytes()))),
                            Err(e) => Response::builder()
                                .status(500)
                                .body(Full::new(Bytes::from(format!("worker {id}: {e}\n")))),
                        };
                        Ok::<_, Infallible>(resp.unwrap_or_default())
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8080);
    let workers: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind");
    println!("listening on http://127.0.0.1:{port} with {workers} VMs");
    let mut senders = Vec::new();
    for id in 0..workers {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("lua-http-{id}"))
            .spawn(move || worker(id, rx))
            .unwrap();
        senders.push(tx);
    }
    for (i, conn) in listener.incoming().enumerate() {
        if let Ok(c) = conn {
            let _ = senders[i % workers].send(c);
        }
    }
}
