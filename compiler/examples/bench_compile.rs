//! Compile-speed check: compiles each file given N times (default 50) and prints MB/s.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let files: Vec<Vec<u8>> = args.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let bytes: usize = files.iter().map(|f| f.len()).sum();
    let t = std::time::Instant::now();
    for _ in 0..n {
        for f in &files {
            let src = luavm_compiler::lexer::skip_comment_line(f);
            let _ = std::hint::black_box(luavm_compiler::compile(src, b"=bench"));
        }
    }
    let dt = t.elapsed().as_secs_f64();
    println!(
        "{} files, {} KB, {} rounds: {:.3} s, {:.1} MB/s",
        files.len(),
        bytes / 1024,
        n,
        dt,
        (bytes * n) as f64 / dt / 1e6
    );
}
