//! The `luavm` command as a drop-in `lua` 5.3: options, `arg`, `LUA_INIT`, the REPL over
//! piped stdin, exit codes and error output. Where `lua5.3` is installed, the same
//! command lines run under it must print the same (program name normalised).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

mod common;
use common::lua53;

const LUAVM: &str = env!("CARGO_BIN_EXE_luavm");

struct Out {
    stdout: String,
    stderr: String,
    code: i32,
}

fn run_with(bin: &str, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir(tmpdir())
        .env_remove("LUA_INIT")
        .env_remove("LUA_INIT_5_3")
        .env_remove("LUA_PATH")
        .env_remove("LUA_PATH_5_3");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    {
        let mut i = child.stdin.take().unwrap();
        let _ = i.write_all(stdin.as_bytes());
    }
    let o = child.wait_with_output().unwrap();
    let norm = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace(bin, "lua")
            .replace("lua5.3:", "lua:")
    };
    Out {
        stdout: norm(&o.stdout),
        stderr: norm(&o.stderr),
        code: o.status.code().unwrap_or(-1),
    }
}

fn run(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
    run_with(LUAVM, args, stdin, env)
}

/// Run under both and compare stdout, stderr and the exit code.
fn same_as_lua53(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Out {
    let ours = run(args, stdin, env);
    if let Some(r) = lua53() {
        let theirs = run_with(r, args, stdin, env);
        assert_eq!(ours.stdout, theirs.stdout, "stdout of {args:?}");
        assert_eq!(ours.stderr, theirs.stderr, "stderr of {args:?}");
        assert_eq!(ours.code, theirs.code, "exit code of {args:?}");
    }
    ours
}

fn tmpdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("luavm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(name: &str, text: &str) -> String {
    let p = tmpdir().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn execute_option() {
    let o = same_as_lua53(
        &["-e", "print(1 + 1)", "-e", "x = 3", "-eprint(x)"],
        "",
        &[],
    );
    assert_eq!((o.stdout.as_str(), o.code), ("2\n3\n", 0));
}

#[test]
fn version() {
    let o = same_as_lua53(&["-v"], "", &[]);
    assert!(o.stdout.starts_with("Lua 5.3"), "{}", o.stdout);
    let o = same_as_lua53(&["-v", "-e", "print('after')"], "", &[]);
    assert!(o.stdout.ends_with("\nafter\n"));
}

#[test]
fn script_arguments_and_arg_table() {
    let s = write(
        "args.lua",
        "print(select('#', ...), ...)\nfor i = -3, #arg do print(i, arg[i]) end",
    );
    let o = same_as_lua53(&["-e", "y=1", &s, "a", "b c"], "", &[]);
    assert!(o.stdout.starts_with("2\ta\tb c\n"), "{}", o.stdout);
    assert!(o.stdout.contains("-2\t-e\n-1\ty=1\n"), "{}", o.stdout);
    let o = same_as_lua53(&["--", &s, "x"], "", &[]);
    assert!(o.stdout.starts_with("1\tx\n"), "{}", o.stdout);
    // `-` runs stdin with the arguments
    let o = same_as_lua53(&["-", "p", "q"], "print(...) print(arg[0])", &[]);
    assert_eq!(o.stdout, "p\tq\n-\n");
    // no script and stdin not a terminal: run stdin
    let o = same_as_lua53(&[], "print('from stdin')", &[]);
    assert_eq!(o.stdout, "from stdin\n");
}

#[test]
fn require_option() {
    std::fs::create_dir_all(tmpdir().join("mods")).unwrap();
    write("mods/mymod.lua", "return {answer = 42}");
    let path = format!("{}/mods/?.lua", tmpdir().display());
    let o = same_as_lua53(
        &["-l", "mymod", "-e", "print(mymod.answer)"],
        "",
        &[("LUA_PATH", &path)],
    );
    assert_eq!(o.stdout, "42\n");
    let o = same_as_lua53(
        &["-lmymod", "-e", "print(mymod.answer)"],
        "",
        &[("LUA_PATH", &path)],
    );
    assert_eq!(o.stdout, "42\n");
    let o = run(&["-l", "nosuchmod"], "", &[("LUA_PATH", &path)]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.starts_with("lua: module 'nosuchmod' not found:"),
        "{}",
        o.stderr
    );
    // -E ignores LUA_PATH (the default path differs from Debian's lua5.3: no comparison)
    let o = run(&["-E", "-l", "mymod"], "", &[("LUA_PATH", &path)]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.starts_with("lua: module 'mymod' not found:"),
        "{}",
        o.stderr
    );
}

#[test]
fn lua_init() {
    let o = same_as_lua53(&["-e", "print(x)"], "", &[("LUA_INIT", "x = 'init'")]);
    assert_eq!(o.stdout, "init\n");
    let o = same_as_lua53(
        &["-e", "print(x)"],
        "",
        &[("LUA_INIT", "x = 'init'"), ("LUA_INIT_5_3", "x = '5.3'")],
    );
    assert_eq!(o.stdout, "5.3\n");
    let f = write("init.lua", "x = 'from file'");
    let at = format!("@{f}");
    let o = same_as_lua53(&["-e", "print(x)"], "", &[("LUA_INIT", &at)]);
    assert_eq!(o.stdout, "from file\n");
    // -E ignores it
    let o = same_as_lua53(&["-E", "-e", "print(x)"], "", &[("LUA_INIT", "x = 1")]);
    assert_eq!(o.stdout, "nil\n");
    // an error in it stops everything
    let o = same_as_lua53(
        &["-e", "print('no')"],
        "",
        &[("LUA_INIT", "error('bad init')")],
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.starts_with("lua: LUA_INIT:1: bad init\n"),
        "{}",
        o.stderr
    );
    assert_eq!(o.stdout, "");
}

#[test]
fn errors_and_exit_codes() {
    let o = same_as_lua53(&["-e", "error('boom')"], "", &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "lua: (command line):1: boom\nstack traceback:\n\t[C]: in function 'error'\n\t(command line):1: in main chunk\n\t[C]: in ?\n"
    );
    let s = write(
        "err.lua",
        "local function f()\n  local t = nil\n  return t.x\nend\nf()\n",
    );
    let o = same_as_lua53(&[&s], "", &[]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("attempt to index a nil value (local 't')"),
        "{}",
        o.stderr
    );
    let o = same_as_lua53(&["-e", "error({})"], "", &[]);
    assert!(
        o.stderr.starts_with("lua: (error object is a table value)"),
        "{}",
        o.stderr
    );
    let o = same_as_lua53(
        &[
            "-e",
            "error(setmetatable({}, {__tostring = function() return 'custom' end}))",
        ],
        "",
        &[],
    );
    assert_eq!(o.stderr, "lua: custom\n");
    let o = same_as_lua53(&["-e", "os.exit(3)"], "", &[]);
    assert_eq!(o.code, 3);
    let o = same_as_lua53(&["-e", "os.exit(false)"], "", &[]);
    assert_eq!(o.code, 1);
    let o = same_as_lua53(&["-e", "io.write('partial') os.exit(true, true)"], "", &[]);
    assert_eq!((o.stdout.as_str(), o.code), ("partial", 0));
    let o = same_as_lua53(&["-e", "x = = 1"], "", &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "lua: (command line):1: unexpected symbol near '='\n"
    );
    let o = same_as_lua53(&["/no/such/file.lua"], "", &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "lua: cannot open /no/such/file.lua: No such file or directory\n"
    );
    let syn = write("syn.lua", "print(\n");
    let o = same_as_lua53(&[&syn], "", &[]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .ends_with("syn.lua:2: unexpected symbol near <eof>\n"),
        "{}",
        o.stderr
    );
    // output before an error is kept, in order
    let o = same_as_lua53(&["-e", "print('before') error('after')"], "", &[]);
    assert_eq!(o.stdout, "before\n");
}

#[test]
fn bad_options() {
    for args in [
        &["-x"][..],
        &["-e"],
        &["-l"],
        &["-e", "-v"],
        &["-ix"],
        &["--x"],
    ] {
        let o = run(args, "", &[]);
        assert_eq!(o.code, 1, "{args:?}");
        if let Some(r) = lua53() {
            let theirs = run_with(r, args, "", &[]);
            assert_eq!(
                o.stderr.lines().next(),
                theirs.stderr.lines().next(),
                "first line for {args:?}"
            );
            assert_eq!(o.code, theirs.code);
        }
        assert!(
            o.stderr.contains("usage: lua [options] [script [args]]"),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn interactive_repl_over_piped_stdin() {
    let session = "x = 1\n=x+1\nfor i=1,2 do\nprint(i)\nend\nerror('boom')\nreturn 1, nil, 'a'\n\n_PROMPT = '$ '\nprint(#arg)\n";
    let o = same_as_lua53(&["-i"], session, &[]);
    assert!(o.stdout.contains("> =x+1\n2\n"), "{}", o.stdout);
    assert!(o.stdout.contains(">> end\n1\n2\n"), "{}", o.stdout);
    // no script: arg[0] is the program, the options follow at 1, 2, ...
    assert!(o.stdout.contains("$ print(#arg)\n1\n"), "{}", o.stdout);
    assert!(
        o.stderr.starts_with("stdin:1: boom\nstack traceback:"),
        "{}",
        o.stderr
    );
    assert_eq!(o.code, 0);
    // after a script, with its variables
    let s = write("pre.lua", "v = 'from script'");
    let o = same_as_lua53(&["-i", &s], "=v\n", &[]);
    assert!(
        o.stdout.ends_with("> =v\nfrom script\n> \n"),
        "{}",
        o.stdout
    );
    // an expression that is also a statement is printed
    let o = same_as_lua53(&["-i"], "print('x')\n'abc'\n", &[]);
    assert!(o.stdout.contains("> print('x')\nx\n"), "{}", o.stdout);
    // incomplete input at end of file
    let o = run(&["-i"], "local t = {\n", &[]);
    assert!(o.stdout.ends_with(">> > \n"), "{}", o.stdout);
    assert!(o.stderr.contains("<eof>"), "{}", o.stderr);
}

#[test]
fn disasm_option() {
    let s = write("d.lua", "local x = 1\nprint(x)\n");
    let o = run(&["--disasm", &s], "", &[]);
    assert_eq!(o.code, 0);
    assert!(
        o.stdout.contains("GETTABUP") && o.stdout.contains("RETURN"),
        "{}",
        o.stdout
    );
    let o = run(&["--disasm", "/no/such.lua"], "", &[]);
    assert_eq!(o.code, 1);
    let o = run(&["--workers", "2", "-e", "print('w')"], "", &[]);
    assert_eq!((o.stdout.as_str(), o.code), ("w\n", 0));
    let o = run(&["--workers", "zero"], "", &[]);
    assert_eq!(o.code, 1);
}

#[test]
fn binary_chunks_are_allowed_as_in_lua() {
    // a precompiled chunk runs as a script and through `load` (the embedding API's
    // default refuses them; the command allows them, as `lua` does)
    let dump = write(
        "dump.lua",
        "local f = assert(io.open('chunk.out', 'wb'))\n\
         f:write(string.dump(function(...) print('binary', ...) end)) f:close()\n\
         load(string.dump(function() print('loaded') end))()\n",
    );
    let o = run(&[&dump], "", &[]);
    assert_eq!((o.stdout.as_str(), o.code), ("loaded\n", 0), "{}", o.stderr);
    let o = run(&["chunk.out", "x"], "", &[]);
    assert_eq!(
        (o.stdout.as_str(), o.code),
        ("binary\tx\n", 0),
        "{}",
        o.stderr
    );
}
