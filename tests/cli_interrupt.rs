//! Ctrl-C in the `luavm` command, as in `lua.c`: a SIGINT while a chunk runs stops it with
//! "interrupted!" (a script: `progname: msg` + traceback, status 1; `pcall` catches it;
//! the REPL goes on with the next line), and a SIGINT while no chunk runs kills the
//! process (the default action). Each case runs the same way under `lua5.3` when it is
//! installed, and the outputs must be the same (program name normalised).
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::lua53;

const LUAVM: &str = env!("CARGO_BIN_EXE_luavm");

fn tmpdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("luavm_cli_interrupt_{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A running interpreter with piped standard streams.
struct Session {
    bin: &'static str,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    /// Everything read from stdout so far.
    out: Vec<u8>,
}

impl Session {
    fn start(bin: &'static str, args: &[&str]) -> Session {
        let mut child = Command::new(bin)
            .args(args)
            .current_dir(tmpdir())
            .env_remove("LUA_INIT")
            .env_remove("LUA_INIT_5_3")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        Session {
            bin,
            child,
            stdin,
            stdout,
            out: Vec::new(),
        }
    }

    fn send(&mut self, line: &str) {
        let i = self.stdin.as_mut().expect("stdin open");
        i.write_all(line.as_bytes()).unwrap();
        i.flush().unwrap();
    }

    /// Read stdout until it ends with `pat` (the process printed it and is past it).
    fn wait_for(&mut self, pat: &str) {
        let mut b = [0u8; 1];
        while !self.out.ends_with(pat.as_bytes()) {
            match self.stdout.read(&mut b) {
                Ok(1) => self.out.push(b[0]),
                _ => panic!(
                    "{}: stdout ended before {pat:?}: {:?}",
                    self.bin,
                    String::from_utf8_lossy(&self.out)
                ),
            }
        }
    }

    /// Send SIGINT. The process has just printed that it is ready: give it time to
    /// return from that write and enter its loop (lua5.3 raises at the next hook event,
    /// which may be the write's return, with another message).
    fn interrupt(&self) {
        std::thread::sleep(Duration::from_millis(200));
        let ok = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -INT failed");
    }

    /// Close stdin, wait for the end (at most 20 s), and return the exit status, the
    /// rest of stdout and stderr (program name normalised to `lua`).
    fn finish(mut self) -> (ExitStatus, String, String) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("{}: still running 20 s after the interrupt", self.bin);
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        self.stdout.read_to_end(&mut self.out).unwrap();
        let mut err = Vec::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_end(&mut err)
            .unwrap();
        let norm = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .replace(self.bin, "lua")
                .replace("lua5.3:", "lua:")
        };
        (status, norm(&self.out), norm(&err))
    }
}

/// The binaries to check: luavm, and lua5.3 when installed.
fn binaries() -> Vec<&'static str> {
    let mut v = vec![LUAVM];
    v.extend(lua53());
    v
}

/// Run `case` with every binary and check that they all give luavm's result.
fn same_for_all<T: PartialEq + std::fmt::Debug>(case: impl Fn(&'static str) -> T) -> T {
    let mut results = binaries().into_iter().map(|b| (b, case(b)));
    let (_, ours) = results.next().unwrap();
    for (bin, theirs) in results {
        assert_eq!(ours, theirs, "luavm differs from {bin}");
    }
    ours
}

/// Run `bin` with `args` until it prints "ready", interrupt it, and return its exit code,
/// stdout and stderr.
fn interrupted(bin: &'static str, args: &[&str]) -> (Option<i32>, String, String) {
    let mut s = Session::start(bin, args);
    s.wait_for("ready\n");
    s.interrupt();
    let (st, out, err) = s.finish();
    (st.code(), out, err)
}

fn write_script(name: &str, text: &str) -> String {
    std::fs::write(tmpdir().join(name), text).unwrap();
    name.to_string()
}

#[test]
fn ctrl_c_stops_a_script_with_a_traceback_and_status_1() {
    let script = write_script(
        "interrupt_loop.lua",
        "io.write('ready\\n') io.stdout:flush()\n\
         local function f() while true do end end\n\
         f()\n",
    );
    let (status, out, err) = same_for_all(|bin| interrupted(bin, &[&script]));
    assert_eq!(status, Some(1));
    assert_eq!(out, "ready\n");
    assert_eq!(
        err,
        "lua: interrupt_loop.lua:3: interrupted!\n\
         stack traceback:\n\
         \tinterrupt_loop.lua:2: in local 'f'\n\
         \tinterrupt_loop.lua:3: in main chunk\n\
         \t[C]: in ?\n"
    );
}

#[test]
fn ctrl_c_in_the_main_chunk_of_command_line_code() {
    let (status, _, err) = same_for_all(|bin| {
        interrupted(
            bin,
            &[
                "-e",
                "io.write('ready\\n') io.stdout:flush() while true do end",
            ],
        )
    });
    assert_eq!(status, Some(1));
    assert_eq!(
        err,
        "lua: interrupted!\nstack traceback:\n\t(command line):1: in main chunk\n\t[C]: in ?\n"
    );
}

#[test]
fn pcall_catches_the_interrupt_and_the_script_goes_on() {
    let script = write_script(
        "interrupt_pcall.lua",
        "io.write('ready\\n') io.stdout:flush()\n\
         print(pcall(function() while true do end end))\n\
         print('go on')\n",
    );
    let (status, out, err) = same_for_all(|bin| interrupted(bin, &[&script]));
    assert_eq!(status, Some(0));
    assert_eq!(out, "ready\nfalse\tinterrupted!\ngo on\n");
    assert_eq!(err, "");
}

#[test]
fn ctrl_c_in_the_repl_stops_the_line_and_the_session_goes_on() {
    let (status, out, err) = same_for_all(|bin| {
        let mut s = Session::start(bin, &["-i"]);
        s.send("print('ready') io.stdout:flush() while true do end\n");
        s.wait_for("ready\n");
        s.interrupt();
        s.send("print('after')\n");
        let (st, out, err) = s.finish();
        (st.code(), out, err)
    });
    assert_eq!(status, Some(0));
    assert!(
        out.ends_with("ready\n> print('after')\nafter\n> \n"),
        "{out:?}"
    );
    assert_eq!(
        err,
        "interrupted!\nstack traceback:\n\tstdin:1: in main chunk\n\t[C]: in ?\n"
    );
}

#[test]
fn ctrl_c_while_no_chunk_runs_kills_as_the_default_action() {
    let signal = same_for_all(|bin| {
        let mut s = Session::start(bin, &["-i"]);
        s.send("print('ready')\n");
        // the next prompt: the line has run, the REPL waits for input
        s.wait_for("ready\n> ");
        s.interrupt();
        let (st, _, _) = s.finish();
        (st.code(), st.signal())
    });
    assert_eq!(signal, (None, Some(2)));
}
