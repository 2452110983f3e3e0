//! A loopback load test for `http_server`: C keep-alive connections, each sending
//! requests one after the other (optionally pipelined), for a bounded number of requests
//! and at most a bounded time. Prints requests per second.
//!
//! Run: `cargo run --release --example http_load -- [port] [connections] [requests] [pipeline]`
//! Only 127.0.0.1 is ever contacted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8080);
    let conns: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(16);
    let total: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(200_000);
    let pipeline: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let deadline = Instant::now() + Duration::from_secs(60);
    let per_conn = total / conns;
    let start = Instant::now();
    let threads: Vec<_> = (0..conns)
        .map(|c| {
            std::thread::spawn(move || {
                let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
                s.set_nodelay(true).ok();
                let mut w = s.try_clone().unwrap();
                let mut r = BufReader::new(s);
                let req = format!("GET /echo/c{c} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                let mut done = 0;
                let mut line = String::new();
                while done < per_conn && Instant::now() < deadline {
                    let batch = pipeline.min(per_conn - done);
                    let mut buf = Vec::with_capacity(req.len() * batch);
                    for _ in 0..batch {
                        buf.extend_from_slice(req.as_bytes());
                    }
                    w.write_all(&buf).unwrap();
                    for _ in 0..batch {
                        // status line, headers, body (Content-Length)
                        let mut len = 0;
                        line.clear();
                        r.read_line(&mut line).unwrap();
                        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
                        loop {
                            line.clear();
                            r.read_line(&mut line).unwrap();
                            if line == "\r\n" {
                                break;
                            }
                            if let Some(v) =
                                line.to_ascii_lowercase().strip_prefix("content-length:")
                            {
                                len = v.trim().parse().unwrap();
                            }
                        }
                        let mut body = vec![0; len];
                        r.read_exact(&mut body).unwrap();
                    }
                    done += batch;
                }
                done
            })
        })
        .collect();
    let n: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} requests over {conns} connections (pipeline {pipeline}) in {secs:.2} s: {:.0} requests/s",
        n as f64 / secs
    );
}
