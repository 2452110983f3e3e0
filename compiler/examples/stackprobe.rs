//! Finds the smallest thread stack on which `compile` survives each deeply nested
//! source shape (development aid for the nesting limits).
fn shapes() -> Vec<(&'static str, String)> {
    let n = 100_000;
    let fun = "x = ".to_string() + &"function() return ".repeat(n) + "1" + &" end".repeat(n);
    vec![
        ("parens", "(".repeat(n)),
        ("tables", format!("a={}", "{".repeat(n))),
        ("records", format!("a={}", "{a=".repeat(n))),
        ("calls", format!("a={}", "f(".repeat(n))),
        ("index", format!("a={}", "a[".repeat(n))),
        ("functions", fun),
        ("do", "do ".repeat(n)),
        ("if", "if x then ".repeat(n)),
        ("while", "while x do ".repeat(n)),
        ("for", "for i=1,2 do ".repeat(n)),
        ("forin", "for k,v in x do ".repeat(n)),
        ("repeat", "repeat ".repeat(n)),
        ("unary", format!("a={}1", "- ".repeat(n))),
        ("not", format!("a={}1", "not ".repeat(n))),
        ("pow", format!("a=2{}", "^2".repeat(n))),
        ("concat", format!("a=1{}", "..1".repeat(n))),
        ("assign", format!("a{}=1", ",a.b".repeat(n))),
        ("method", format!("a={}", "a:b(".repeat(n))),
        ("localfn", "local function f() ".repeat(n)),
        ("funcstat", "function f() ".repeat(n)),
        ("andor", format!("a={}", "(x and ".repeat(n))),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 {
        // child: compile one shape on a thread with the given stack
        let src = shapes().into_iter().find(|(n, _)| *n == args[1]).unwrap().1;
        let size: usize = args[2].parse().unwrap();
        let ok = std::thread::Builder::new()
            .stack_size(size)
            .spawn(move || luavm_compiler::compile(src.as_bytes(), b"=x").is_err())
            .unwrap()
            .join()
            .unwrap();
        std::process::exit(if ok { 0 } else { 2 });
    }
    for (name, _) in shapes() {
        let mut lo = 16 * 1024;
        let mut hi = 8 * 1024 * 1024;
        while hi - lo > 8192 {
            let mid = (lo + hi) / 2;
            let st = std::process::Command::new(&args[0])
                .args([name, &mid.to_string()])
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            if st.success() {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        println!("{:10} needs ~{} KiB", name, hi / 1024);
    }
}
