//! The REPL's line input: `lua.c`'s `lua_readline` and `lua_saveline`.
//!
//! With a terminal on stdin, lines come from a line editor (rustyline: cursor keys,
//! Emacs-style editing, history browsing and search) whose history is kept in memory
//! for the session, as `lua` built with GNU readline keeps it. Ctrl-C abandons the chunk
//! being typed, Ctrl-D on an empty line ends the session.
//!
//! Without a terminal (a pipe, a file), lines are read from the Lua standard input
//! stream, the one `io.read` uses, so the two never lose each other's input; each line is
//! echoed after its prompt, as `lua5.3` built with readline prints it, so a piped session
//! prints the same as `lua5.3`'s.
//!
//! Invariant: whatever Lua wrote to its standard output stream is flushed before a
//! prompt is shown, so output and prompts stay in order.

use std::io::IsTerminal;

use luavm::stdlib::lio_stream;
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

/// What one read gave.
pub enum Input {
    /// A line, without its newline.
    Line(Vec<u8>),
    /// The user abandoned the chunk being typed (Ctrl-C in the editor).
    Cancel,
    /// End of input.
    End,
}

/// The REPL's source of lines.
pub struct LineInput {
    /// The line editor, when stdin is a terminal that it can drive.
    editor: Option<DefaultEditor>,
    /// Echo each line after its prompt (stdin is not a terminal).
    echo: bool,
}

impl LineInput {
    /// A line editor when stdin is a terminal, plain reading otherwise.
    pub fn new() -> LineInput {
        let terminal = std::io::stdin().is_terminal();
        LineInput {
            editor: if terminal {
                DefaultEditor::new().ok()
            } else {
                None
            },
            echo: !terminal,
        }
    }

    /// Show `prompt` and read a line.
    pub fn read_line(&mut self, prompt: &[u8]) -> Input {
        lio_stream::flush_stdout();
        match &mut self.editor {
            Some(ed) => match ed.readline(String::from_utf8_lossy(prompt).as_ref()) {
                Ok(line) => Input::Line(line.into_bytes()),
                Err(ReadlineError::Interrupted) => Input::Cancel,
                Err(_) => Input::End,
            },
            None => self.read_plain(prompt),
        }
    }

    /// Keep a chunk in the history (`lua_saveline`): the line of an expression, or all
    /// the lines of a statement joined by newlines. Empty chunks are not kept.
    pub fn save_line(&mut self, chunk: &[u8]) {
        if let Some(ed) = &mut self.editor {
            if !chunk.is_empty() {
                let _ = ed.add_history_entry(String::from_utf8_lossy(chunk));
            }
        }
    }

    fn read_plain(&mut self, prompt: &[u8]) -> Input {
        lio_stream::write_stdout(prompt);
        lio_stream::flush_stdout();
        let Some(input) = lio_stream::std_stream_ref(0) else {
            return Input::End;
        };
        let mut line = Vec::new();
        let got = match input.try_borrow_mut() {
            Ok(mut st) => st.read_line(&mut line, true),
            Err(_) => false,
        };
        if !got {
            return Input::End;
        }
        if self.echo {
            lio_stream::write_stdout(&line);
            lio_stream::write_stdout(b"\n");
            lio_stream::flush_stdout();
        }
        Input::Line(line)
    }
}
