//! The `luavm` command: PUC's `lua` 5.3 (`lua.c`), plus `--disasm` and `--workers`.
//!
//! `luavm [options] [script [args]]`: `-e stat`, `-l mod`, `-i`, `-v`, `-E`, `--`, `-`
//! (stdin), the `arg` table (options at negative indices), `LUA_INIT_5_3`/`LUA_INIT`
//! (`@file` runs a file), the interactive REPL (`=expr`, expression results printed,
//! `<eof>` continuation lines, `_PROMPT`/`_PROMPT2`), errors as `progname: msg` plus a
//! traceback on stderr, exit status 1 on failure. Binary chunks are allowed, as in `lua`.
//! The REPL's input is `repl.rs`: a line editor with history when stdin is a terminal;
//! otherwise plain lines, echoed after their prompt as `lua5.3` built with readline does,
//! so piped sessions print the same. Ctrl-C while a chunk runs stops it with
//! "interrupted!" (`ctrl_c.rs`, `lua.c`'s `laction`).
#![forbid(unsafe_code)]

mod ctrl_c;
mod repl;

use std::io::{IsTerminal, Write};

use luavm::stdlib::lio_stream;
use std::process::ExitCode;

use luavm::raw::{LuaResult, State, Value, MULTRET};
use repl::{Input, LineInput};

const VERSION: &str = "Lua 5.3.6  Copyright (C) 1994-2020 Lua.org, PUC-Rio";

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
            if !s.get_tm(v, luavm::raw::meta::Tm::ToString).is_nil() {
                // an object with __tostring: that is the message (no traceback)
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

struct Cli {
    s: State,
    /// `None` in the REPL (messages without a program name, as `lua.c`).
    progname: Option<String>,
    /// The SIGINT handlers (`None` if they could not be installed).
    ctrl_c: Option<ctrl_c::CtrlC>,
}

impl Drop for Cli {
    /// In the incremental stress mode (`LUAVM_GC_STRESS=steps`), a missing write barrier
    /// found by the collector's checks makes the run fail (exit status 70).
    fn drop(&mut self) {
        self.s.close();
        let n = self.s.gc_violations();
        if n > 0 {
            eprintln!(
                "luavm: {n} missing write barrier(s) found by the collector, in {:?}",
                self.s.heap.violation_types
            );
            std::process::exit(70);
        }
    }
}

impl Cli {
    /// `l_message`.
    fn message(&self, msg: &[u8]) {
        lio_stream::flush_stdout();
        let mut err = std::io::stderr().lock();
        if let Some(p) = &self.progname {
            let _ = err.write_all(p.as_bytes());
            let _ = err.write_all(b": ");
        }
        let _ = err.write_all(msg);
        let _ = err.write_all(b"\n");
        let _ = err.flush();
    }

    /// Report the error value on top of the stack (and pop it).
    fn report_top(&mut self) {
        let e = self.s.pop();
        let mut b = Vec::new();
        match e {
            Value::Str(m) => b.extend_from_slice(m.as_bytes()),
            Value::Int(_) | Value::Num(_) => self.s.to_string_raw(e, &mut b),
            other => b.extend_from_slice(
                format!("(error object is a {} value)", other.type_name()).as_bytes(),
            ),
        }
        self.message(&b);
    }

    /// `docall`: call the function at `top - nargs - 1` under the message handler;
    /// on success the results (`nresults`) are left on the stack; on failure the error
    /// message is on top. Returns success.
    fn docall(&mut self, nargs: usize, nresults: i32) -> bool {
        let s = &mut self.s;
        let func = s.top() - nargs - 1;
        // [f args] -> [msgh docall_native f args]
        s.push(Value::Nil);
        s.push(Value::Nil);
        for i in (func..func + nargs + 1).rev() {
            let v = s.stack_at(i);
            s.set_stack_at(i + 2, v);
        }
        s.set_stack_at(func, Value::NativeFn(msghandler));
        s.set_stack_at(func + 1, Value::NativeFn(docall_native));
        // Ctrl-C interrupts the chunk while it runs (lua.c's `signal(SIGINT, laction)`)
        let running = self.ctrl_c.as_ref().map(ctrl_c::CtrlC::running);
        let ok = s.pcall(func + 1, nresults, func).is_ok();
        drop(running);
        // remove the message handler
        let top = s.top();
        for i in func + 1..top {
            let v = s.stack_at(i);
            s.set_stack_at(i - 1, v);
        }
        s.set_top(top - 1);
        ok
    }

    /// Report a failed status (error value on top).
    fn report(&mut self, ok: bool) -> bool {
        if !ok {
            self.report_top();
        }
        ok
    }

    /// Load `code` (`chunkname`) and run it with no results.
    fn dochunk(&mut self, code: &[u8], chunkname: &[u8]) -> bool {
        let ok = match self.s.load(code, chunkname) {
            Ok(f) => {
                self.s.push(f);
                self.docall(0, 0)
            }
            Err(_) => {
                let e = self.s.error_value();
                self.s.push(e);
                false
            }
        };
        self.report(ok)
    }

    /// Load a file (`None`: stdin) as `luaL_loadfile`; pushes the function or the error.
    fn loadfile(&mut self, path: Option<&[u8]>) -> bool {
        match luavm::stdlib::base::read_source(path) {
            Ok((code, name)) => match self.s.load(&code, &name) {
                Ok(f) => {
                    self.s.push(f);
                    true
                }
                Err(_) => {
                    let e = self.s.error_value();
                    self.s.push(e);
                    false
                }
            },
            Err(m) => {
                self.s.push_str(m.as_bytes());
                false
            }
        }
    }

    fn dofile(&mut self, path: Option<&[u8]>) -> bool {
        let ok = self.loadfile(path) && self.docall(0, 0);
        self.report(ok)
    }

    /// `-l name`: `name = require(name)`.
    fn dolibrary(&mut self, name: &[u8]) -> bool {
        let req = self.s.get_global("require");
        self.s.push(req);
        self.s.push_str(name);
        let ok = self.docall(1, 1);
        if ok {
            let v = self.s.pop();
            let n = String::from_utf8_lossy(name).into_owned();
            self.s.set_global(&n, v);
        }
        self.report(ok)
    }

    /// Run the script `argv[script]` with the rest of `argv` as arguments.
    fn handle_script(&mut self, argv: &[Vec<u8>], script: usize) -> bool {
        let fname = &argv[script];
        let stdin = fname.as_slice() == b"-" && argv[script - 1].as_slice() != b"--";
        let mut ok = self.loadfile(if stdin { None } else { Some(fname) });
        if ok {
            // the arguments come from the global 'arg', as lua.c's pushargs
            match self.s.get_global("arg") {
                Value::Table(t) => {
                    let n = argv.len() - script - 1;
                    for i in 1..=n {
                        self.s.push(t.get_int(i as i64));
                    }
                    ok = self.docall(n, MULTRET);
                }
                _ => {
                    self.s.pop();
                    self.s.push_str(b"'arg' is not a table");
                    ok = false;
                }
            }
        }
        self.report(ok)
    }

    /// `LUA_INIT_5_3` or `LUA_INIT`: a chunk, or `@file`.
    fn handle_luainit(&mut self) -> bool {
        let (name, init) = match std::env::var_os("LUA_INIT_5_3") {
            Some(v) => ("=LUA_INIT_5_3", v),
            None => match std::env::var_os("LUA_INIT") {
                Some(v) => ("=LUA_INIT", v),
                None => return true,
            },
        };
        let init = init.into_encoded_bytes();
        if let Some(file) = init.strip_prefix(b"@") {
            self.dofile(Some(file))
        } else {
            self.dochunk(&init, name.as_bytes())
        }
    }

    // ---- the REPL -------------------------------------------------------------------

    fn prompt(&mut self, first: bool) -> Vec<u8> {
        let v = self
            .s
            .get_global(if first { "_PROMPT" } else { "_PROMPT2" });
        let mut b = Vec::new();
        match v {
            Value::Nil => b.extend_from_slice(if first { b"> " } else { b">> " }),
            Value::Str(st) => b.extend_from_slice(st.as_bytes()),
            other => match self.s.to_string_meta(other) {
                Ok(st) => b.extend_from_slice(st.as_bytes()),
                Err(_) => b.extend_from_slice(if first { b"> " } else { b">> " }),
            },
        }
        b
    }
}

/// Whether a load failed only because the chunk is incomplete (ends at `<eof>`).
fn incomplete(s: &State) -> bool {
    match s.error_value() {
        Value::Str(m) => m.as_bytes().ends_with(b"<eof>"),
        _ => false,
    }
}

impl Cli {
    /// Read one chunk: as an expression (`return line;`) if that compiles, else as a
    /// statement, with continuation lines while it is incomplete. Pushes the function or
    /// the error (`Some(true)`/`Some(false)`); `None` at end of input. A chunk the user
    /// abandons (Ctrl-C in the line editor) is forgotten and a new one read.
    fn loadline(&mut self, input: &mut LineInput) -> Option<bool> {
        'chunk: loop {
            let p = self.prompt(true);
            let mut line = match input.read_line(&p) {
                Input::Line(l) => l,
                Input::Cancel => continue 'chunk,
                Input::End => return None,
            };
            if line.first() == Some(&b'=') {
                let mut l = b"return ".to_vec();
                l.extend_from_slice(&line[1..]);
                line = l;
            }
            let mut ret = b"return ".to_vec();
            ret.extend_from_slice(&line);
            ret.push(b';');
            if let Ok(f) = self.s.load(&ret, b"=stdin") {
                input.save_line(&line);
                self.s.push(f);
                return Some(true);
            }
            loop {
                match self.s.load(&line, b"=stdin") {
                    Ok(f) => {
                        input.save_line(&line);
                        self.s.push(f);
                        return Some(true);
                    }
                    Err(_) => {
                        if incomplete(&self.s) {
                            let p2 = self.prompt(false);
                            match input.read_line(&p2) {
                                Input::Line(more) => {
                                    line.push(b'\n');
                                    line.extend_from_slice(&more);
                                    continue;
                                }
                                Input::Cancel => continue 'chunk,
                                Input::End => {}
                            }
                        }
                        input.save_line(&line);
                        let e = self.s.error_value();
                        self.s.push(e);
                        return Some(false);
                    }
                }
            }
        }
    }

    /// Print the values on the stack above `base` with the global `print`.
    fn print_results(&mut self, base: usize) {
        let n = self.s.top() - base;
        if n == 0 {
            return;
        }
        let print = self.s.get_global("print");
        self.s.push(Value::Nil);
        for i in (base..base + n).rev() {
            let v = self.s.stack_at(i);
            self.s.set_stack_at(i + 1, v);
        }
        self.s.set_stack_at(base, print);
        if self.s.pcall(base, 0, 0).is_err() {
            let e = self.s.pop();
            let mut b = b"error calling 'print' (".to_vec();
            self.s.to_string_raw(e, &mut b);
            b.push(b')');
            self.message(&b);
        }
        self.s.set_top(base);
    }

    fn repl(&mut self) {
        let mut input = LineInput::new();
        let old = self.progname.take();
        let base = self.s.top();
        while let Some(ok) = self.loadline(&mut input) {
            let ok = ok && self.docall(0, MULTRET);
            if ok {
                self.print_results(base);
            } else {
                self.report_top();
            }
            self.s.set_top(base);
        }
        lio_stream::write_stdout(b"\n");
        lio_stream::flush_stdout();
        self.progname = old;
    }
}

fn print_usage(progname: &str, badoption: &[u8]) {
    let mut err = std::io::stderr().lock();
    let bad = String::from_utf8_lossy(badoption);
    if badoption.get(1) == Some(&b'e') || badoption.get(1) == Some(&b'l') {
        let _ = writeln!(err, "{progname}: '{bad}' needs argument");
    } else {
        let _ = writeln!(err, "{progname}: unrecognized option '{bad}'");
    }
    let _ = write!(
        err,
        "usage: {progname} [options] [script [args]]\n\
         Available options are:\n  \
         -e stat  execute string 'stat'\n  \
         -i       enter interactive mode after executing 'script'\n  \
         -l name  require library 'name' into global 'name'\n  \
         -v       show version information\n  \
         -E       ignore environment variables\n  \
         --       stop handling options\n  \
         -        stop handling options and execute stdin\n  \
         --disasm file  list the bytecode of a script (as luac -l)\n  \
         --workers n    size of the worker pool\n"
    );
}

/// What `collectargs` found.
#[derive(Default)]
struct Args {
    e: bool,
    i: bool,
    v: bool,
    big_e: bool,
    /// Index of the script (argv.len() if none).
    script: usize,
    disasm: Option<Vec<u8>>,
    workers: Option<usize>,
}

/// `collectargs`: `Err(index of the bad option)`.
fn collect_args(argv: &[Vec<u8>]) -> Result<Args, usize> {
    let mut a = Args {
        script: argv.len(),
        ..Args::default()
    };
    let mut i = 1;
    while i < argv.len() {
        let arg = &argv[i];
        if arg.first() != Some(&b'-') {
            a.script = i;
            return Ok(a);
        }
        match arg.as_slice() {
            b"--" => {
                a.script = if i + 1 < argv.len() {
                    i + 1
                } else {
                    argv.len()
                };
                return Ok(a);
            }
            b"-" => {
                a.script = i;
                return Ok(a);
            }
            b"-E" => a.big_e = true,
            b"-i" => {
                a.i = true;
                a.v = true;
            }
            b"-v" => a.v = true,
            b"--disasm" | b"--workers" => {
                let Some(val) = argv.get(i + 1) else {
                    return Err(i);
                };
                if arg.as_slice() == b"--disasm" {
                    a.disasm = Some(val.clone());
                } else {
                    match String::from_utf8_lossy(val).parse::<usize>() {
                        Ok(n) if n > 0 => a.workers = Some(n),
                        _ => return Err(i),
                    }
                }
                i += 1;
            }
            _ if arg.starts_with(b"-e") || arg.starts_with(b"-l") => {
                if arg.starts_with(b"-e") {
                    a.e = true;
                }
                if arg.len() == 2 {
                    i += 1;
                    match argv.get(i) {
                        Some(next) if next.first() != Some(&b'-') => {}
                        _ => return Err(i - 1),
                    }
                }
            }
            _ => return Err(i),
        }
        i += 1;
    }
    Ok(a)
}

fn disasm(progname: &str, path: &[u8]) -> ExitCode {
    let p = String::from_utf8_lossy(path).into_owned();
    let code = match std::fs::read(&p) {
        Ok(c) => c,
        Err(e) => {
            let m = luavm::stdlib::base::describe_io_error(&p, &e);
            eprintln!("{progname}: cannot open {m}");
            return ExitCode::from(1);
        }
    };
    let mut name = b"@".to_vec();
    name.extend_from_slice(path);
    match luavm_compiler::compile(&code, &name) {
        Ok(proto) => {
            print!("{}", luavm_compiler::disasm::disassemble(&proto));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{progname}: {}", e.message);
            ExitCode::from(1)
        }
    }
}

fn real_main() -> ExitCode {
    let code = run();
    lio_stream::flush_all();
    code
}

fn run() -> ExitCode {
    let argv: Vec<Vec<u8>> = std::env::args_os()
        .map(|a| a.into_encoded_bytes())
        .collect();
    let progname = argv
        .first()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .unwrap_or_else(|| "luavm".into());
    let args = match collect_args(&argv) {
        Ok(a) => a,
        Err(bad) => {
            print_usage(&progname, &argv[bad]);
            return ExitCode::from(1);
        }
    };
    if let Some(path) = &args.disasm {
        return disasm(&progname, path);
    }
    if args.v {
        println!("{VERSION}");
    }
    let mut cli = Cli {
        s: State::new(),
        progname: Some(progname),
        ctrl_c: None,
    };
    cli.ctrl_c = ctrl_c::CtrlC::install(&mut cli.s);
    // (the state's finalizers run when `cli` is dropped, whatever the outcome, as lua.c
    // closes its state; `real_main` flushes the standard streams after that)
    let s = &mut cli.s;
    // LUAVM_GC_STRESS=1: a full collection at every safe point; =steps: a small
    // incremental step at every safe point with the write-barrier check (for tests)
    match std::env::var("LUAVM_GC_STRESS").as_deref() {
        Ok("steps") => s.set_gc_stress_steps(true),
        Ok("") | Ok("0") | Err(_) => {}
        Ok(_) => s.set_gc_stress(true),
    }
    if args.big_e {
        let reg = s.registry();
        let k = s.str_value(b"LUA_NOENV");
        s.raw_set(reg, k, Value::Bool(true));
    }
    if let Some(n) = args.workers {
        luavm_dispatcher::set_default_workers(n);
    }
    luavm::stdlib::open_all(s);
    luavm_dispatcher::open(s);

    // the arg table: the script at 0, what precedes it negative
    let script = if args.script == argv.len() {
        0
    } else {
        args.script
    };
    let argt = s.new_table();
    for (j, a) in argv.iter().enumerate() {
        let v = s.str_value(a);
        s.raw_set_int(argt, j as i64 - script as i64, v);
    }
    s.set_global("arg", Value::Table(argt));
    // the collector runs in generational mode from here, as lua5.4's `lua` switches after
    // opening the libraries and making `arg` (LUAVM_GC_MODE=incremental: 5.3's mode)
    if std::env::var("LUAVM_GC_MODE").as_deref() != Ok("incremental") {
        s.set_gc_mode(luavm::raw::GcMode::Generational);
    }

    if !args.big_e && !cli.handle_luainit() {
        return ExitCode::from(1);
    }
    // -e and -l, in order
    let mut i = 1;
    while i < args.script {
        let a = &argv[i];
        if a.starts_with(b"-e") || a.starts_with(b"-l") {
            let text = if a.len() > 2 {
                a[2..].to_vec()
            } else {
                i += 1;
                argv[i].clone()
            };
            let ok = if a[1] == b'e' {
                cli.dochunk(&text, b"=(command line)")
            } else {
                cli.dolibrary(&text)
            };
            if !ok {
                return ExitCode::from(1);
            }
        } else if a.as_slice() == b"--disasm" || a.as_slice() == b"--workers" {
            i += 1;
        }
        i += 1;
    }
    if args.script < argv.len() && !cli.handle_script(&argv, args.script) {
        return ExitCode::from(1);
    }
    if args.i {
        cli.repl();
    } else if args.script == argv.len() && !args.e && !args.v {
        if std::io::stdin().is_terminal() {
            lio_stream::write_stdout(format!("{VERSION}\n").as_bytes());
            cli.repl();
        } else if !cli.dofile(None) {
            return ExitCode::from(1);
        }
    }
    // `RunAsync` callbacks still pending run before exit
    if let Some(wait) = luavm_dispatcher::pending_wait(&mut cli.s) {
        cli.s.push(wait);
        let ok = cli.docall(0, 0);
        if !cli.report(ok) {
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    // Lua-to-Lua calls never use the Rust stack, but Rust functions that call Lua
    // (sort comparators, gsub callbacks, metamethods, resume) and the parser nest up to
    // 200 levels. A release build needs less than 512 KB for that (measured with every
    // kind of nesting to its limit), so it runs on the main thread when that thread's
    // stack may grow to 8 MB or more; otherwise (and in debug builds, whose frames are
    // much bigger) on a thread with a 256 MB stack. The main thread saves the thread's
    // start and exit: about 300 KB of resident memory in every run.
    if main_stack_is_enough() {
        return real_main();
    }
    let child = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(real_main);
    match child {
        Ok(h) => h.join().unwrap_or(ExitCode::from(1)),
        Err(_) => real_main(),
    }
}

/// Whether the main thread's stack may grow to 8 MB or more (its soft limit, from
/// `/proc/self/limits`), in a release build.
fn main_stack_is_enough() -> bool {
    if cfg!(debug_assertions) {
        return false;
    }
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else {
        return false;
    };
    limits
        .lines()
        .find_map(|l| l.strip_prefix("Max stack size"))
        .and_then(|rest| rest.split_whitespace().next())
        .is_some_and(|soft| soft == "unlimited" || soft.parse::<u64>().is_ok_and(|b| b >= 8 << 20))
}
