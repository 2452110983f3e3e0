//! `luac -l -l -p` with our compiler: prints the listing of each file given.
//! Usage: `cargo run -p luavm-compiler --example luac -- file.lua ...`

fn main() {
    let mut status = 0;
    for path in std::env::args().skip(1) {
        let src = match std::fs::read(&path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("luac: cannot open {}: {}", path, e);
                std::process::exit(1);
            }
        };
        let src = luavm_compiler::lexer::skip_comment_line(&src);
        let name = format!("@{}", path);
        match luavm_compiler::compile(src, name.as_bytes()) {
            Ok(p) => print!("{}", luavm_compiler::disassemble(&p)),
            Err(e) => {
                eprintln!("luac: {}", e);
                status = 1;
            }
        }
    }
    std::process::exit(status);
}
