//! The `luavm` command: runs Lua scripts like PUC's `lua` 5.3.
//!
//! `luavm [options] [script [args]]` with `-e stat`, `-`, `--`, the `arg` table; errors
//! print `progname: msg` and a traceback on stderr and exit with status 1.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use luavm_vm::{LuaResult, State, Value, MULTRET};

/// mimalloc: the collector allocates and frees many small blocks, which glibc's malloc
/// serves slowly (bins refilled after every sweep).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn msghandler(s: &mut State) -> LuaResult<usize> {
    let v = s.arg(1);
    let msg = match v {
        Value::Str(m) => m.to_str_lossy().into_owned(),
        Value::Int(_) | Value::Num(_) => {
            let mut b = Vec::new();
            s.to_string_raw(v, &mut b);
            String::from_utf8_lossy(&b).into_owned()
        }
        _ => {
            if !s.get_tm(v, luavm_vm::meta::Tm::ToString).is_nil() {
                let st = s.to_string_meta(v)?;
                s.push(Value::Str(st));
                return Ok(1);
            }
            format!("(error object is a {} value)", v.type_name())
        }
    };
    let tb = s.traceback(Some(&msg), 1);
    s.push_str(tb.as_bytes());
    Ok(1)
}

/// Stands for the C function that runs a chunk in `lua.c` (`[C]: in ?` in tracebacks).
fn docall_native(s: &mut State) -> LuaResult<usize> {
    let func = s.arg_index(1);
    s.call(func, MULTRET)?;
    Ok(s.top() - func)
}

/// Run `f` with `args` under the message handler; print errors. Returns success.
fn docall(s: &mut State, progname: &str, f: Value, args: &[Value]) -> bool {
    let base = s.top();
    s.push(Value::NativeFn(msghandler));
    s.push(Value::NativeFn(docall_native));
    s.push(f);
    for a in args {
        s.push(*a);
    }
    let ok = s.pcall(base + 1, 0, base).is_ok();
    if !ok {
        let e = s.error_value();
        let mut b = Vec::new();
        match e {
            Value::Str(m) => b.extend_from_slice(m.as_bytes()),
            _ => s.to_string_raw(e, &mut b),
        }
        report(progname, &b);
    }
    s.set_top(base);
    ok
}

fn report(progname: &str, msg: &[u8]) {
    let _ = std::io::stdout().flush();
    let mut err = std::io::stderr();
    let _ = err.write_all(progname.as_bytes());
    let _ = err.write_all(b": ");
    let _ = err.write_all(msg);
    let _ = err.write_all(b"\n");
    let _ = err.flush();
}

fn load_and_run(
    s: &mut State,
    progname: &str,
    code: &[u8],
    chunkname: &[u8],
    args: &[Value],
) -> bool {
    match s.load(code, chunkname) {
        Ok(f) => docall(s, progname, f, args),
        Err(_) => {
            let e = s.error_value();
            let mut b = Vec::new();
            s.to_string_raw(e, &mut b);
            report(progname, &b);
            false
        }
    }
}

fn usage(progname: &str, badoption: &str) {
    let mut err = std::io::stderr();
    if badoption.starts_with("-e") || badoption.starts_with("-l") || badoption == "--workers" {
        let _ = writeln!(err, "{progname}: '{badoption}' needs argument");
    } else {
        let _ = writeln!(err, "{progname}: unrecognized option '{badoption}'");
    }
    let _ = writeln!(
        err,
        "usage: {progname} [options] [script [args]]\n\
         Available options are:\n  \
         -e stat  execute string 'stat'\n  \
         -v       show version information\n  \
         --workers n  size of the `workers` pool\n  \
         --disasm file  list the bytecode of a script\n  \
         --       stop handling options\n  \
         -        stop handling options and execute stdin"
    );
}

fn real_main() -> ExitCode {
    let argv: Vec<Vec<u8>> = std::env::args_os()
        .map(|a| a.into_encoded_bytes())
        .collect();
    let progname = argv
        .first()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .unwrap_or_else(|| "luavm".into());
    let mut s = State::new();
    // LUAVM_GC_STRESS=1: a full collection at every safe point (for tests)
    if std::env::var_os("LUAVM_GC_STRESS").is_some_and(|v| !v.is_empty() && v != "0") {
        s.set_gc_stress(true);
    }
    luavm_stdlib::open_all(&mut s);
    luavm_dispatcher::open(&mut s);
    let code = run_main(&mut s, &argv, &progname);
    // as lua.c: close the state (pending finalizers run) whatever the outcome
    s.close();
    luavm_stdlib::lio_stream::flush_all();
    let _ = std::io::stdout().flush();
    code
}

fn run_main(s: &mut State, argv: &[Vec<u8>], progname: &str) -> ExitCode {
    let progname = progname.to_owned();

    // collect options
    let mut i = 1;
    let mut execs: Vec<Vec<u8>> = Vec::new();
    let mut script: Option<usize> = None;
    let mut show_version = false;
    while i < argv.len() {
        let a = &argv[i];
        if a.first() != Some(&b'-') {
            script = Some(i);
            break;
        }
        match a.as_slice() {
            b"--" => {
                i += 1;
                if i < argv.len() {
                    script = Some(i);
                }
                break;
            }
            b"-" => {
                script = Some(i);
                break;
            }
            b"-v" => show_version = true,
            b"--workers" => {
                let n = argv
                    .get(i + 1)
                    .and_then(|n| std::str::from_utf8(n).ok()?.parse().ok());
                let Some(n) = n.filter(|&n: &usize| n > 0) else {
                    usage(&progname, "--workers");
                    return ExitCode::from(1);
                };
                luavm_dispatcher::set_default_workers(n);
                i += 1;
            }
            b"--disasm" => {
                let Some(path) = argv.get(i + 1) else {
                    usage(&progname, "--disasm");
                    return ExitCode::from(1);
                };
                let p = String::from_utf8_lossy(path).into_owned();
                let code = match std::fs::read(&p) {
                    Ok(c) => c,
                    Err(e) => {
                        report(&progname, format!("cannot open {p}").as_bytes());
                        let _ = e;
                        return ExitCode::from(1);
                    }
                };
                let mut name = b"@".to_vec();
                name.extend_from_slice(path);
                match luavm_compiler::compile(&code, &name) {
                    Ok(proto) => {
                        print!("{}", luavm_compiler::disasm::disassemble(&proto));
                        return ExitCode::SUCCESS;
                    }
                    Err(e) => {
                        report(&progname, e.message.as_bytes());
                        return ExitCode::from(1);
                    }
                }
            }
            _ if a.starts_with(b"-e") => {
                let code = if a.len() > 2 {
                    a[2..].to_vec()
                } else {
                    i += 1;
                    match argv.get(i) {
                        Some(c) => c.clone(),
                        None => {
                            usage(&progname, "-e");
                            return ExitCode::from(1);
                        }
                    }
                };
                execs.push(code);
            }
            _ => {
                usage(&progname, &String::from_utf8_lossy(a));
                return ExitCode::from(1);
            }
        }
        i += 1;
    }
    if show_version {
        println!("Lua 5.3 (luavm {})", env!("CARGO_PKG_VERSION"));
    }

    // the arg table: script at 0, options before it negative
    let script_pos = script.unwrap_or(argv.len());
    let argt = s.new_table();
    for (j, a) in argv.iter().enumerate() {
        let idx = j as i64 - script_pos as i64;
        let v = s.str_value(a);
        s.raw_set_int(argt, idx, v);
    }
    s.set_global("arg", Value::Table(argt));

    for code in &execs {
        if !load_and_run(s, &progname, code, b"=(command line)", &[]) {
            return ExitCode::from(1);
        }
    }
    if let Some(sp) = script {
        let path = &argv[sp];
        let script_args: Vec<Value> = argv[sp + 1..].iter().map(|a| s.str_value(a)).collect();
        let from_stdin = path.as_slice() == b"-";
        let read = luavm_stdlib::base::read_source(if from_stdin { None } else { Some(path) });
        let (code, name) = match read {
            Ok(x) => x,
            Err(m) => {
                report(&progname, m.as_bytes());
                return ExitCode::from(1);
            }
        };
        if !load_and_run(s, &progname, &code, &name, &script_args) {
            return ExitCode::from(1);
        }
    } else if execs.is_empty() && !show_version {
        // no script: run stdin (the REPL comes with the CLI issue)
        let (code, name) = match luavm_stdlib::base::read_source(None) {
            Ok(x) => x,
            Err(m) => {
                report(&progname, m.as_bytes());
                return ExitCode::from(1);
            }
        };
        if !load_and_run(s, &progname, &code, &name, &[]) {
            return ExitCode::from(1);
        }
    }
    // RunAsync callbacks still pending run before exit
    if let Some(wait) = luavm_dispatcher::pending_wait(s) {
        if !docall(s, &progname, wait, &[]) {
            return ExitCode::from(1);
        }
    }
    let _ = std::io::stdout().flush();
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    // Lua-to-Lua calls never use the Rust stack, but Rust functions that call Lua
    // (sort comparators, gsub callbacks, resume) nest up to 200 levels: give them room.
    let child = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(real_main);
    match child {
        Ok(h) => h.join().unwrap_or(ExitCode::from(1)),
        Err(_) => real_main(),
    }
}
