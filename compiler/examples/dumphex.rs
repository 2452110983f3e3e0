//! Prints the hex of `dump(compile(file))` for each file (chunk name `=name`).
fn main() {
    for path in std::env::args().skip(1) {
        let src = std::fs::read(&path).expect("read");
        let src = luavm_compiler::lexer::skip_comment_line(&src);
        let name = format!("={}", path);
        match luavm_compiler::compile(src, name.as_bytes()) {
            Ok(p) => {
                let d = luavm_compiler::dump::dump(&p, false);
                println!(
                    "{}",
                    d.iter().map(|b| format!("{:02x}", b)).collect::<String>()
                );
            }
            Err(e) => println!("ERR {}", e),
        }
    }
}
