//! Prints the `load` error (or `nil`) for each line of a file, like
//! `lua5.3 -e 'for l in io.lines(f) do print(select(2, load(l, "=x"))) end'`
//! (a literal `\n` in a line stands for a newline).

fn main() {
    let path = std::env::args().nth(1).expect("file");
    let text = std::fs::read(path).expect("read");
    for line in text.split(|&c| c == b'\n') {
        if line.is_empty() {
            continue;
        }
        let mut src = Vec::new();
        let mut i = 0;
        while i < line.len() {
            if line[i] == b'\\' && line.get(i + 1) == Some(&b'n') {
                src.push(b'\n');
                i += 2;
            } else {
                src.push(line[i]);
                i += 1;
            }
        }
        match luavm_compiler::compile_with_c_calls(&src, b"=x", 2) {
            Ok(_) => println!("nil"),
            Err(e) => {
                use std::io::Write;
                let mut out = std::io::stdout();
                let _ = out.write_all(&e.raw);
                let _ = out.write_all(b"\n");
            }
        }
    }
}
