//! The REPL with a terminal on stdin: line editing and history (`src/repl.rs`), Ctrl-C
//! (abandons the line being typed; interrupts the line running).
//!
//! The terminal is a pseudo-terminal made by `script` (util-linux, always installed on
//! Debian): the test types into it and reads what the REPL draws, waiting for each
//! answer before typing on (input typed before the line editor takes the terminal would
//! go through the terminal's line discipline instead). Piped sessions are tested by
//! `tests/cli.rs` against `lua5.3`.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Session {
    child: Child,
    input: ChildStdin,
    output: Arc<Mutex<Vec<u8>>>,
    /// How much of the output earlier `expect`s consumed.
    seen: usize,
}

impl Session {
    fn start() -> Session {
        let luavm = env!("CARGO_BIN_EXE_luavm");
        // `exec`: the shell that script(1) starts (`$SHELL -c`, dash when SHELL is unset)
        // must not stay as luavm's parent, or the terminal's SIGINT kills it too
        let command = format!("exec '{luavm}'");
        let mut child = Command::new("script")
            .args(["-qfec", &command, "/dev/null"])
            .env("TERM", "xterm")
            .env("SHELL", "/bin/sh")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run script(1)");
        let input = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session {
            child,
            input,
            output,
            seen: 0,
        }
    }

    fn send(&mut self, keys: &str) {
        self.input.write_all(keys.as_bytes()).unwrap();
        self.input.flush().unwrap();
    }

    /// Wait until `text` appears in the output after what earlier calls consumed.
    fn expect(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            {
                let out = self.output.lock().unwrap();
                let rest = String::from_utf8_lossy(&out[self.seen..]).into_owned();
                if let Some(p) = rest.find(text) {
                    self.seen += rest[..p + text.len()].len();
                    return;
                }
                if Instant::now() > deadline {
                    drop(out);
                    let _ = self.child.kill();
                    panic!("{text:?} not shown; the terminal shows:\n{rest}");
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `script(1)` can be run here (it makes the pseudo-terminal).
fn have_script() -> bool {
    Command::new("script")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn line_editing_history_and_continuation_lines() {
    if !have_script() {
        eprintln!("skipped: script(1) (util-linux) is not installed");
        return;
    }
    let mut s = Session::start();
    s.expect("Lua 5.3");
    s.expect("> ");
    s.send("x = 6 * 7\r");
    s.expect("> ");
    s.send("=x\r");
    s.expect("42");
    s.expect("> ");
    // editing: type, move left, delete a character, insert another
    s.send("print('abz')\x1b[D\x1b[D\x7fc\r");
    s.expect("abc");
    s.expect("> ");
    // history: two lines up is "return x" (an `=` line is kept as the chunk it ran)
    s.send("\x1b[A\x1b[A\r");
    s.expect("42");
    s.expect("> ");
    // a statement over several lines, kept in the history as one entry
    s.send("for i = 1, 2 do\r");
    s.expect(">> ");
    s.send("print(i * 10)\r");
    s.expect(">> ");
    s.send("end\r");
    s.expect("10");
    s.expect("20");
    s.expect("> ");
    s.send("\x1b[A\r");
    s.expect("10");
    s.expect("20");
    s.expect("> ");
    // Ctrl-C abandons the chunk being typed
    s.send("if true then\r");
    s.expect(">> ");
    s.send("\x03");
    s.expect("> ");
    s.send("print('after ' .. 'cancel')\r");
    s.expect("after cancel");
    s.expect("> ");
    // errors are reported as in lua.c, and the session goes on
    s.send("error('boom')\r");
    s.expect("stdin:1: boom");
    s.expect("> ");
    // Ctrl-C while a line runs interrupts it (the terminal sends SIGINT), as in lua.c,
    // and the session goes on
    s.send("print('spin' .. 'ning') while true do end\r");
    s.expect("spinning");
    std::thread::sleep(Duration::from_millis(100));
    s.send("\x03");
    s.expect("interrupted!");
    s.expect("> ");
    s.send("print('still ' .. 'here')\r");
    s.expect("still here");
    s.expect("> ");
    // Ctrl-D on an empty line ends the session with status 0
    s.send("\x04");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "the REPL did not end on Ctrl-D");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}
