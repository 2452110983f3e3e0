//! Buffered streams that behave like C's stdio `FILE` as glibc implements it, for the io
//! library: a read-ahead buffer (with one byte of look-ahead for `read_number`), a write
//! buffer with the three `setvbuf` modes, the error and end-of-file indicators that
//! `clearerr`/`ferror` see, `fseek`/`ftell`, and `popen`/`tmpfile`.
//!
//! Invariants:
//! - a stream never holds unread input and unwritten output at once: writing first drops
//!   the read-ahead (seeking back over it) and reading or seeking first flushes the output,
//!   so the descriptor's offset is always the stream's logical position plus the
//!   read-ahead;
//! - the standard streams (descriptors 0, 1 and 2, duplicated) are shared by every state
//!   of a thread (`print` writes through the same stdout buffer as `io.write`); every
//!   stream is flushed when it is dropped, and `flush_all` (`fflush(NULL)`) reaches every
//!   live stream of the thread;
//! - nothing here panics: `RefCell`s are borrowed with `try_borrow_mut` where a stream
//!   could already be in use.

use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::rc::{Rc, Weak};

/// Size of a stream buffer (glibc uses the descriptor's block size, 4096 on Linux).
pub const BUFSIZE: usize = 4096;

pub const EBADF: i32 = 9;
pub const EINVAL: i32 = 22;
const EIO: i32 = 5;

/// `setvbuf` modes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BufMode {
    No,
    Full,
    Line,
}

/// `fseek` origins with their offsets.
#[derive(Clone, Copy, Debug)]
pub enum SeekPos {
    Set(i64),
    Cur(i64),
    End(i64),
}

/// A shared, buffered stream.
pub type StreamRef = Rc<RefCell<Stream>>;

pub struct Stream {
    file: Option<File>,
    /// The process of an `io.popen` stream, waited for on close.
    child: Option<Child>,
    readable: bool,
    writable: bool,
    /// Read-ahead: the unread input is `rbuf[rpos..]`.
    rbuf: Vec<u8>,
    rpos: usize,
    wbuf: Vec<u8>,
    mode: BufMode,
    eof: bool,
    /// The error indicator, with the `errno` of the failure.
    error: Option<i32>,
    /// Reading from a terminal first flushes the line-buffered standard output, as glibc.
    tty: bool,
}

/// The `errno` of an I/O error.
pub fn errno(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(EIO)
}

/// C's `strerror`.
pub fn strerror(code: i32) -> String {
    let s = std::io::Error::from_raw_os_error(code).to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// A file name as C sees it: the bytes before the first NUL.
pub fn c_path(name: &[u8]) -> &std::path::Path {
    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    std::path::Path::new(std::ffi::OsStr::from_bytes(&name[..end]))
}

impl Stream {
    fn new(file: Option<File>, readable: bool, writable: bool, mode: BufMode) -> Stream {
        let tty = file.as_ref().is_some_and(|f| f.is_terminal());
        Stream {
            file,
            child: None,
            readable,
            writable,
            rbuf: Vec::new(),
            rpos: 0,
            wbuf: Vec::new(),
            mode,
            eof: false,
            error: None,
            tty,
        }
    }

    /// `clearerr`.
    pub fn clear_err(&mut self) {
        self.eof = false;
        self.error = None;
    }

    /// `ferror`: the `errno` of the failure, if one happened since `clear_err`.
    pub fn error(&self) -> Option<i32> {
        self.error
    }

    fn fail(&mut self, code: i32) -> i32 {
        self.error = Some(code);
        code
    }

    // ---- reading ---------------------------------------------------------------

    /// Make sure there is unread input; false at end of file or on error.
    fn fill(&mut self) -> bool {
        if self.rpos < self.rbuf.len() {
            return true;
        }
        if self.eof || self.error.is_some() {
            return false;
        }
        if !self.readable {
            self.fail(EBADF);
            return false;
        }
        if !self.wbuf.is_empty() && self.flush().is_err() {
            return false;
        }
        if self.tty {
            flush_line_buffered();
        }
        let Some(file) = self.file.as_mut() else {
            self.fail(EBADF);
            return false;
        };
        self.rbuf.resize(BUFSIZE, 0);
        self.rpos = 0;
        loop {
            match file.read(&mut self.rbuf) {
                Ok(n) => {
                    self.rbuf.truncate(n);
                    if n == 0 {
                        self.eof = true;
                    }
                    return n > 0;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.rbuf.clear();
                    self.fail(errno(&e));
                    return false;
                }
            }
        }
    }

    /// The next byte without consuming it (`getc` + `ungetc`).
    pub fn peek(&mut self) -> Option<u8> {
        if self.fill() {
            Some(self.rbuf[self.rpos])
        } else {
            None
        }
    }

    /// Consume the byte `peek` returned.
    pub fn skip(&mut self) {
        if self.rpos < self.rbuf.len() {
            self.rpos += 1;
        }
    }

    /// Read a line into `out`, with its newline unless `chop`; true if anything (a newline
    /// or other bytes) was read (PUC's `read_line`).
    pub fn read_line(&mut self, out: &mut Vec<u8>, chop: bool) -> bool {
        let start = out.len();
        while self.fill() {
            let avail = &self.rbuf[self.rpos..];
            match avail.iter().position(|&c| c == b'\n') {
                Some(i) => {
                    out.extend_from_slice(&avail[..if chop { i } else { i + 1 }]);
                    self.rpos += i + 1;
                    return true;
                }
                None => {
                    out.extend_from_slice(avail);
                    self.rpos = self.rbuf.len();
                }
            }
        }
        out.len() > start
    }

    /// Read up to `n` bytes into `out` (`fread`); true if any were read.
    pub fn read_chars(&mut self, out: &mut Vec<u8>, n: usize) -> bool {
        let mut left = n;
        while left > 0 && self.fill() {
            let avail = &self.rbuf[self.rpos..];
            let k = avail.len().min(left);
            out.extend_from_slice(&avail[..k]);
            self.rpos += k;
            left -= k;
        }
        left < n
    }

    /// Read everything up to the end of the file.
    pub fn read_all(&mut self, out: &mut Vec<u8>) {
        while self.fill() {
            out.extend_from_slice(&self.rbuf[self.rpos..]);
            self.rpos = self.rbuf.len();
        }
    }

    // ---- writing ---------------------------------------------------------------

    /// Before writing: give back the read-ahead, so output goes to the logical position.
    fn drop_read_ahead(&mut self) {
        let unread = self.rbuf.len() - self.rpos;
        if unread > 0 {
            if let Some(f) = self.file.as_mut() {
                let _ = f.seek(SeekFrom::Current(-(unread as i64)));
            }
        }
        self.rbuf.clear();
        self.rpos = 0;
    }

    fn raw_write(&mut self, data: &[u8]) -> Result<(), i32> {
        let r = match self.file.as_mut() {
            Some(f) => f.write_all(data).map_err(|e| errno(&e)),
            None => Err(EBADF),
        };
        r.map_err(|c| self.fail(c))
    }

    /// `fwrite`, buffered according to the stream's mode.
    pub fn write(&mut self, data: &[u8]) -> Result<(), i32> {
        if !self.writable {
            return Err(self.fail(EBADF));
        }
        if !self.rbuf.is_empty() {
            self.drop_read_ahead();
        }
        if self.mode == BufMode::No {
            self.flush()?;
            return self.raw_write(data);
        }
        if self.wbuf.len() + data.len() > BUFSIZE {
            self.flush()?;
            if data.len() >= BUFSIZE {
                return self.raw_write(data);
            }
        }
        self.wbuf.extend_from_slice(data);
        if self.mode == BufMode::Line && data.contains(&b'\n') {
            self.flush()?;
        }
        Ok(())
    }

    /// `fflush`.
    pub fn flush(&mut self) -> Result<(), i32> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        let buf = std::mem::take(&mut self.wbuf);
        let r = self.raw_write(&buf);
        self.wbuf = buf;
        self.wbuf.clear();
        r
    }

    /// `setvbuf` (the size is ignored, as glibc ignores it without a caller's buffer).
    pub fn set_mode(&mut self, mode: BufMode) -> Result<(), i32> {
        self.flush()?;
        self.mode = mode;
        Ok(())
    }

    /// `fseek` then `ftell`: the new position.
    pub fn seek(&mut self, pos: SeekPos) -> Result<i64, i32> {
        self.flush()?;
        let unread = (self.rbuf.len() - self.rpos) as i64;
        let target = match pos {
            SeekPos::Set(o) if o < 0 => return Err(EINVAL),
            SeekPos::Set(o) => SeekFrom::Start(o as u64),
            SeekPos::Cur(o) => SeekFrom::Current(o.checked_sub(unread).ok_or(EINVAL)?),
            SeekPos::End(o) => SeekFrom::End(o),
        };
        let Some(f) = self.file.as_mut() else {
            return Err(EBADF);
        };
        let p = f.seek(target).map_err(|e| errno(&e))?;
        self.rbuf.clear();
        self.rpos = 0;
        self.eof = false;
        Ok(p as i64)
    }

    /// `fclose`/`pclose`: flush, release the descriptor, and for a process wait for it.
    /// Returns the flush result and the process status.
    pub fn close(&mut self) -> (Result<(), i32>, Option<std::io::Result<ExitStatus>>) {
        let r = if self.file.is_some() {
            self.flush()
        } else {
            Ok(())
        };
        self.file = None;
        self.rbuf = Vec::new();
        self.wbuf = Vec::new();
        let status = self.child.take().map(|mut c| c.wait());
        (r, status)
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

// ---- opening -------------------------------------------------------------------

/// Whether `mode` matches `[rwa]%+?b*` (PUC's `l_checkmode`).
pub fn check_mode(mode: &[u8]) -> bool {
    let rest = match mode.split_first() {
        Some((c, r)) if b"rwa".contains(c) => r,
        _ => return false,
    };
    let rest = rest.strip_prefix(b"+").unwrap_or(rest);
    rest.iter().all(|&c| c == b'b')
}

fn register(st: Stream) -> StreamRef {
    let r = Rc::new(RefCell::new(st));
    let _ = OPEN.try_with(|open| {
        if let Ok(mut v) = open.try_borrow_mut() {
            if v.len() >= 64 && v.len().is_power_of_two() {
                v.retain(|w| w.strong_count() > 0);
            }
            v.push(Rc::downgrade(&r));
        }
    });
    r
}

/// `fopen` with a mode `check_mode` accepted.
pub fn open(name: &[u8], mode: &[u8]) -> Result<StreamRef, i32> {
    let plus = mode.get(1) == Some(&b'+');
    let mut o = OpenOptions::new();
    let (r, w) = match mode.first() {
        Some(b'w') => {
            o.write(true).create(true).truncate(true);
            (plus, true)
        }
        Some(b'a') => {
            o.append(true).create(true);
            (plus, true)
        }
        _ => (true, plus),
    };
    o.read(r).write(w);
    let f = o.open(c_path(name)).map_err(|e| errno(&e))?;
    Ok(register(Stream::new(Some(f), r, w, BufMode::Full)))
}

/// `popen(cmd, "r")` or `popen(cmd, "w")` through `/bin/sh -c` (after `fflush(NULL)`).
pub fn popen(cmd: &[u8], write: bool) -> Result<StreamRef, i32> {
    flush_all();
    let end = cmd.iter().position(|&c| c == 0).unwrap_or(cmd.len());
    let mut c = Command::new("/bin/sh");
    std::os::unix::process::CommandExt::arg0(&mut c, "sh");
    c.arg("-c").arg(std::ffi::OsStr::from_bytes(&cmd[..end]));
    if write {
        c.stdin(Stdio::piped());
    } else {
        c.stdout(Stdio::piped());
    }
    let mut child = c.spawn().map_err(|e| errno(&e))?;
    let fd: Option<std::os::fd::OwnedFd> = if write {
        child.stdin.take().map(Into::into)
    } else {
        child.stdout.take().map(Into::into)
    };
    let mut st = Stream::new(fd.map(File::from), !write, write, BufMode::Full);
    st.child = Some(child);
    Ok(register(st))
}

/// `tmpfile`: a new file opened "w+b" that is removed from the directory at once.
pub fn tmpfile() -> Result<StreamRef, i32> {
    let (f, name) = create_unique("/tmp/lua_tmpf_")?;
    let _ = std::fs::remove_file(&name);
    Ok(register(Stream::new(Some(f), true, true, BufMode::Full)))
}

/// Create a new file `prefix` + six random letters and digits, like `mkstemp` (mode 0600).
pub fn create_unique(prefix: &str) -> Result<(File, String), i32> {
    use std::hash::{BuildHasher, Hasher};
    use std::os::unix::fs::OpenOptionsExt;
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let state = std::collections::hash_map::RandomState::new();
    let mut last = EIO;
    for attempt in 0..100u32 {
        let mut h = state.build_hasher();
        h.write_u32(attempt);
        h.write_u32(std::process::id());
        if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            h.write_u128(d.as_nanos());
        }
        let mut x = h.finish();
        let mut name = String::from(prefix);
        for _ in 0..6 {
            name.push(CHARS[(x % CHARS.len() as u64) as usize] as char);
            x /= CHARS.len() as u64;
        }
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&name)
        {
            Ok(f) => return Ok((f, name)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = errno(&e),
            Err(e) => return Err(errno(&e)),
        }
    }
    Err(last)
}

// ---- the standard streams and the list of open streams --------------------------------

thread_local! {
    static STD: [StreamRef; 3] = [std_stream(0), std_stream(1), std_stream(2)];
    static OPEN: RefCell<Vec<Weak<RefCell<Stream>>>> = const { RefCell::new(Vec::new()) };
}

fn std_stream(fd: i32) -> StreamRef {
    let dup = match fd {
        0 => std::io::stdin().as_fd().try_clone_to_owned(),
        1 => std::io::stdout().as_fd().try_clone_to_owned(),
        _ => std::io::stderr().as_fd().try_clone_to_owned(),
    };
    let file = dup.ok().map(File::from);
    let tty = file.as_ref().is_some_and(|f| f.is_terminal());
    let mode = match fd {
        2 => BufMode::No,
        _ if tty => BufMode::Line,
        _ => BufMode::Full,
    };
    let st = Stream::new(file, fd == 0, fd != 0, mode);
    let r = Rc::new(RefCell::new(st));
    let _ = OPEN.try_with(|open| {
        if let Ok(mut v) = open.try_borrow_mut() {
            v.push(Rc::downgrade(&r));
        }
    });
    r
}

/// The standard stream `fd` (0, 1 or 2) of this thread.
pub fn std_stream_ref(fd: usize) -> Option<StreamRef> {
    STD.try_with(|s| s[fd.min(2)].clone()).ok()
}

/// Write to the standard output stream (what `print` uses).
pub fn write_stdout(data: &[u8]) {
    let _ = STD.try_with(|s| {
        if let Ok(mut out) = s[1].try_borrow_mut() {
            let _ = out.write(data);
        }
    });
}

/// Flush the standard output stream.
pub fn flush_stdout() {
    let _ = STD.try_with(|s| {
        if let Ok(mut out) = s[1].try_borrow_mut() {
            let _ = out.flush();
        }
    });
}

/// Flush the standard output if it is line buffered (before reading from a terminal).
fn flush_line_buffered() {
    let _ = STD.try_with(|s| {
        if let Ok(mut out) = s[1].try_borrow_mut() {
            if out.mode == BufMode::Line {
                let _ = out.flush();
            }
        }
    });
}

/// `fflush(NULL)`: flush every open stream of this thread.
pub fn flush_all() {
    let streams: Vec<StreamRef> = OPEN
        .try_with(|open| match open.try_borrow() {
            Ok(v) => v.iter().filter_map(Weak::upgrade).collect(),
            Err(_) => Vec::new(),
        })
        .unwrap_or_default();
    for st in streams {
        if let Ok(mut st) = st.try_borrow_mut() {
            let _ = st.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        for m in ["r", "w", "a", "r+", "w+", "a+", "rb", "r+b", "wbb", "a+b"] {
            assert!(check_mode(m.as_bytes()), "{m}");
        }
        for m in ["", "+", "b", "rw", "rb+", "r+bk", "x", "r++"] {
            assert!(!check_mode(m.as_bytes()), "{m}");
        }
    }

    #[test]
    fn read_write_seek() {
        let st = tmpfile().expect("tmpfile");
        let mut st = st.borrow_mut();
        st.write(b"hello\nworld").unwrap();
        assert_eq!(st.seek(SeekPos::Set(0)), Ok(0));
        let mut line = Vec::new();
        assert!(st.read_line(&mut line, true));
        assert_eq!(line, b"hello");
        // writing after reading goes to the logical position
        st.write(b"W").unwrap();
        assert_eq!(st.seek(SeekPos::Cur(0)), Ok(7));
        let mut rest = Vec::new();
        st.read_all(&mut rest);
        assert_eq!(rest, b"orld");
        assert_eq!(st.seek(SeekPos::Set(-1)), Err(EINVAL));
        assert_eq!(st.peek(), None);
    }
}
