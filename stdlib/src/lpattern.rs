//! Lua 5.3 pattern matching over bytes (the `match` machinery of PUC's
//! `lstrlib.c`): the engine behind `string.find`, `string.match`,
//! `string.gmatch` and `string.gsub`, plus `gsub`'s replacement-string
//! expansion. Nothing here knows about VM values: callers pass bytes and get
//! byte offsets back.
//!
//! Positions are 0-based byte offsets into the subject; a match is the range
//! `start..end`. A position capture `()` holds the 1-based Lua position value,
//! as `string.find` returns it.
//!
//! Invariants:
//! - the matcher recurses on the Rust stack at most `MAXCCALLS` (200) levels of
//!   `do_match`, as PUC does on the C stack, and reports "pattern too complex"
//!   beyond that; single-item repetitions loop;
//! - every error message is PUC 5.3's text, without a position prefix (the
//!   caller adds `luaL_where`'s "chunk:line:" as for any `luaL_error`);
//! - no input panics: reads past the end of the pattern see `'\0'`, exactly as
//!   PUC's reads of the terminating NUL.

use luavm_compiler::numfmt::lua_integer_to_str;

/// Maximum number of captures in one pattern (`LUA_MAXCAPTURES`).
pub const MAXCAPTURES: usize = 32;

/// Maximum nesting of `do_match` calls (`MAXCCALLS` in `lstrlib.c`).
pub const MAXCCALLS: usize = 200;

/// The escape character of patterns.
const L_ESC: u8 = b'%';

/// Bytes that make `string.find` use the pattern matcher instead of a plain search.
pub const SPECIALS: &[u8] = b"^$*+?.([%-";

/// One capture value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// The bytes `src[start..end]`.
    Bytes { start: usize, end: usize },
    /// A position capture `()`: the 1-based Lua position value.
    Position(usize),
}

/// A successful match of `src[start..end]`. `captures` is empty when the
/// pattern has no captures (then `string.match`/`gmatch` use the whole match).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub captures: Vec<Capture>,
}

/// The length field of a capture slot during matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CapLen {
    Unfinished,
    Position,
    Len(usize),
}

/// The state of matching one pattern against one subject (PUC's
/// `MatchState`). Reusable: each `do_match_at` starts afresh.
#[derive(Debug)]
pub struct MatchState<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    /// How many more nested `do_match` calls are allowed.
    matchdepth: usize,
    /// Number of captures, finished or not.
    level: usize,
    capture: [(usize, CapLen); MAXCAPTURES],
}

impl<'a> MatchState<'a> {
    /// Prepares to match `pat` against `src`. The pattern is taken as it is:
    /// a leading `^` is a literal here; anchoring is the caller's business.
    pub fn new(src: &'a [u8], pat: &'a [u8]) -> Self {
        MatchState {
            src,
            pat,
            matchdepth: MAXCCALLS,
            level: 0,
            capture: [(0, CapLen::Unfinished); MAXCAPTURES],
        }
    }

    /// The subject.
    pub fn src(&self) -> &'a [u8] {
        self.src
    }

    /// Tries the whole pattern at `s` only (no scanning); returns the end of
    /// the match. Captures of the last successful match stay readable.
    pub fn do_match_at(&mut self, s: usize) -> Result<Option<usize>, String> {
        self.level = 0;
        self.matchdepth = MAXCCALLS;
        if s > self.src.len() {
            return Ok(None);
        }
        self.do_match(s, 0)
    }

    /// The number of captures of the last match (0 if the pattern has none).
    pub fn level(&self) -> usize {
        self.level
    }

    /// Capture `i` (0-based) of the last match `src[s..e]`, as PUC's
    /// `push_onecapture`: with no captures, index 0 is the whole match.
    pub fn get_capture(&self, i: usize, s: usize, e: usize) -> Result<Capture, String> {
        if i >= self.level {
            return if i == 0 {
                Ok(Capture::Bytes { start: s, end: e })
            } else {
                Err(format!("invalid capture index %{}", i + 1))
            };
        }
        let (init, len) = self.capture[i];
        match len {
            CapLen::Unfinished => Err("unfinished capture".to_string()),
            CapLen::Position => Ok(Capture::Position(init + 1)),
            CapLen::Len(l) => Ok(Capture::Bytes {
                start: init,
                end: init + l,
            }),
        }
    }

    /// All captures of the last match `src[s..e]` (PUC's `push_captures`);
    /// with `whole` and no captures, the whole match as the only one.
    pub fn captures(&self, s: usize, e: usize, whole: bool) -> Result<Vec<Capture>, String> {
        let n = if self.level == 0 && whole { 1 } else { self.level };
        (0..n).map(|i| self.get_capture(i, s, e)).collect()
    }

    /// The pattern byte at `p`, or `'\0'` past its end (PUC's terminator).
    fn pat_at(&self, p: usize) -> u8 {
        self.pat.get(p).copied().unwrap_or(0)
    }

    /// Matches the pattern from `p` at subject position `s` (PUC's `match`).
    fn do_match(&mut self, s: usize, p: usize) -> Result<Option<usize>, String> {
        if self.matchdepth == 0 {
            return Err("pattern too complex".to_string());
        }
        self.matchdepth -= 1;
        let result = self.match_body(s, p);
        self.matchdepth += 1;
        result
    }

    fn match_body(&mut self, mut s: usize, mut p: usize) -> Result<Option<usize>, String> {
        // Each `continue` is a tail call `match(ms, s, p)` turned into a jump.
        loop {
            if p >= self.pat.len() {
                return Ok(Some(s));
            }
            match self.pat[p] {
                b'(' => {
                    return if self.pat_at(p + 1) == b')' {
                        self.start_capture(s, p + 2, CapLen::Position)
                    } else {
                        self.start_capture(s, p + 1, CapLen::Unfinished)
                    };
                }
                b')' => return self.end_capture(s, p + 1),
                b'$' if p + 1 == self.pat.len() => {
                    return Ok((s == self.src.len()).then_some(s));
                }
                L_ESC if self.pat_at(p + 1) == b'b' => match self.matchbalance(s, p + 2)? {
                    Some(next) => {
                        s = next;
                        p += 4;
                    }
                    None => return Ok(None),
                },
                L_ESC if self.pat_at(p + 1) == b'f' => {
                    p += 2;
                    if self.pat_at(p) != b'[' {
                        return Err("missing '[' after '%f' in pattern".to_string());
                    }
                    let ep = self.classend(p)?;
                    let previous = s.checked_sub(1).and_then(|i| self.src.get(i)).copied().unwrap_or(0);
                    let current = self.src.get(s).copied().unwrap_or(0);
                    if !self.matchbracketclass(previous, p, ep - 1) && self.matchbracketclass(current, p, ep - 1) {
                        p = ep;
                    } else {
                        return Ok(None);
                    }
                }
                L_ESC if self.pat_at(p + 1).is_ascii_digit() => match self.match_capture(s, self.pat_at(p + 1))? {
                    Some(next) => {
                        s = next;
                        p += 2;
                    }
                    None => return Ok(None),
                },
                _ => {
                    // A single-character class, then an optional suffix.
                    let ep = self.classend(p)?;
                    let suffix = self.pat_at(ep);
                    if !self.singlematch(s, p, ep) {
                        if matches!(suffix, b'*' | b'?' | b'-') {
                            p = ep + 1; // accept empty
                            continue;
                        }
                        return Ok(None);
                    }
                    match suffix {
                        b'?' => {
                            if let Some(res) = self.do_match(s + 1, ep + 1)? {
                                return Ok(Some(res));
                            }
                            p = ep + 1;
                        }
                        b'+' => return self.max_expand(s + 1, p, ep),
                        b'*' => return self.max_expand(s, p, ep),
                        b'-' => return self.min_expand(s, p, ep),
                        _ => {
                            s += 1;
                            p = ep;
                        }
                    }
                }
            }
        }
    }

    /// The end of the single-character class starting at `p`.
    fn classend(&self, mut p: usize) -> Result<usize, String> {
        let c = self.pat_at(p);
        p += 1;
        match c {
            L_ESC => {
                if p >= self.pat.len() {
                    return Err("malformed pattern (ends with '%')".to_string());
                }
                Ok(p + 1)
            }
            b'[' => {
                if self.pat_at(p) == b'^' {
                    p += 1;
                }
                // The first byte of a set is never its end, so "[]]" is valid.
                loop {
                    if p >= self.pat.len() {
                        return Err("malformed pattern (missing ']')".to_string());
                    }
                    let c = self.pat[p];
                    p += 1;
                    if c == L_ESC && p < self.pat.len() {
                        p += 1; // skip escapes such as "%]"
                    }
                    if self.pat_at(p) == b']' {
                        return Ok(p + 1);
                    }
                }
            }
            _ => Ok(p),
        }
    }

    /// Whether byte `c` is in the set `[...]` spanning `p` (its `[`) to `ec` (its `]`).
    fn matchbracketclass(&self, c: u8, mut p: usize, ec: usize) -> bool {
        let mut sig = true;
        if self.pat_at(p + 1) == b'^' {
            sig = false;
            p += 1;
        }
        loop {
            p += 1;
            if p >= ec {
                return !sig;
            }
            let pc = self.pat_at(p);
            if pc == L_ESC {
                p += 1;
                if match_class(c, self.pat_at(p)) {
                    return sig;
                }
            } else if self.pat_at(p + 1) == b'-' && p + 2 < ec {
                p += 2;
                if pc <= c && c <= self.pat_at(p) {
                    return sig;
                }
            } else if pc == c {
                return sig;
            }
        }
    }

    /// Whether the subject byte at `s` matches the class `pat[p..ep]`.
    fn singlematch(&self, s: usize, p: usize, ep: usize) -> bool {
        let Some(&c) = self.src.get(s) else {
            return false;
        };
        match self.pat_at(p) {
            b'.' => true,
            L_ESC => match_class(c, self.pat_at(p + 1)),
            b'[' => self.matchbracketclass(c, p, ep - 1),
            pc => pc == c,
        }
    }

    /// `%bxy` at `s`, with `p` at `x`.
    fn matchbalance(&self, s: usize, p: usize) -> Result<Option<usize>, String> {
        if p + 1 >= self.pat.len() {
            return Err("malformed pattern (missing arguments to '%b')".to_string());
        }
        let (open, close) = (self.pat[p], self.pat[p + 1]);
        if self.src.get(s) != Some(&open) {
            return Ok(None);
        }
        let mut cont = 1usize;
        for (i, &c) in self.src.iter().enumerate().skip(s + 1) {
            if c == close {
                cont -= 1;
                if cont == 0 {
                    return Ok(Some(i + 1));
                }
            } else if c == open {
                cont += 1;
            }
        }
        Ok(None)
    }

    /// Greedy repetition: as many `pat[p..ep]` as possible, then back off.
    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> Result<Option<usize>, String> {
        let mut i = 0;
        while self.singlematch(s + i, p, ep) {
            i += 1;
        }
        loop {
            if let Some(res) = self.do_match(s + i, ep + 1)? {
                return Ok(Some(res));
            }
            if i == 0 {
                return Ok(None);
            }
            i -= 1;
        }
    }

    /// Lazy repetition `-`: as few `pat[p..ep]` as possible.
    fn min_expand(&mut self, mut s: usize, p: usize, ep: usize) -> Result<Option<usize>, String> {
        loop {
            if let Some(res) = self.do_match(s, ep + 1)? {
                return Ok(Some(res));
            }
            if self.singlematch(s, p, ep) {
                s += 1;
            } else {
                return Ok(None);
            }
        }
    }

    fn start_capture(&mut self, s: usize, p: usize, what: CapLen) -> Result<Option<usize>, String> {
        let level = self.level;
        if level >= MAXCAPTURES {
            return Err("too many captures".to_string());
        }
        self.capture[level] = (s, what);
        self.level = level + 1;
        let res = self.do_match(s, p)?;
        if res.is_none() {
            self.level -= 1; // undo capture
        }
        Ok(res)
    }

    fn end_capture(&mut self, s: usize, p: usize) -> Result<Option<usize>, String> {
        let l = self.capture_to_close()?;
        self.capture[l].1 = CapLen::Len(s - self.capture[l].0);
        let res = self.do_match(s, p)?;
        if res.is_none() {
            self.capture[l].1 = CapLen::Unfinished; // undo capture
        }
        Ok(res)
    }

    fn capture_to_close(&self) -> Result<usize, String> {
        (0..self.level)
            .rev()
            .find(|&l| self.capture[l].1 == CapLen::Unfinished)
            .ok_or_else(|| "invalid pattern capture".to_string())
    }

    /// The back-reference `%1`..`%9` (`digit` is the ASCII digit) at `s`.
    fn match_capture(&self, s: usize, digit: u8) -> Result<Option<usize>, String> {
        let l = self.check_capture(digit)?;
        let (init, len) = self.capture[l];
        // A position capture never matches (PUC compares with a huge length).
        let CapLen::Len(len) = len else {
            return Ok(None);
        };
        let here = self.src.get(s..s + len);
        Ok((here.is_some() && here == self.src.get(init..init + len)).then_some(s + len))
    }

    fn check_capture(&self, digit: u8) -> Result<usize, String> {
        let l = i32::from(digit) - i32::from(b'1');
        if l < 0 || l as usize >= self.level || self.capture[l as usize].1 == CapLen::Unfinished {
            return Err(format!("invalid capture index %{}", l + 1));
        }
        Ok(l as usize)
    }
}

/// Whether `c` is in the class named by `cl` (`a c d g l p s u w x z` and
/// their upper-case complements; any other `cl` stands for itself), with the
/// C locale's `<ctype.h>` meanings.
pub fn match_class(c: u8, cl: u8) -> bool {
    let res = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'g' => c.is_ascii_graphic(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => c == b' ' || (b'\t'..=b'\r').contains(&c),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0, // deprecated option
        _ => return cl == c,
    };
    if cl.is_ascii_lowercase() {
        res
    } else {
        !res
    }
}

/// Whether `pat` has a byte that makes it a pattern rather than a plain
/// string (PUC's `nospecials`, negated).
pub fn has_specials(pat: &[u8]) -> bool {
    pat.iter().any(|c| SPECIALS.contains(c))
}

/// The first offset of `needle` in `haystack` (an empty needle is found at 0).
pub fn lmemfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = match needle.split_first() {
        None => return Some(0),
        Some(split) => split,
    };
    if needle.len() > haystack.len() {
        return None;
    }
    let last_start = haystack.len() - needle.len();
    let mut from = 0;
    while from <= last_start {
        let at = from + haystack[from..=last_start].iter().position(|&c| c == first)?;
        if haystack[at + 1..at + needle.len()] == *rest {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Converts `string.find`/`string.match`'s `init` argument (1-based, negative
/// from the end) to a 0-based start, or `None` when it is past the end of a
/// subject of `len` bytes (then they return nil).
pub fn find_init(init: i64, len: usize) -> Option<usize> {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let pos = if init >= 0 {
        init
    } else if init.unsigned_abs() > len as u64 {
        0
    } else {
        len_i + init + 1
    };
    if pos < 1 {
        Some(0)
    } else if pos > len_i.saturating_add(1) {
        None
    } else {
        usize::try_from(pos - 1).ok()
    }
}

/// Pattern search from 0-based `init`: tries `init..=src.len()` in turn, or
/// only `init` if `pat` starts with `^`. Captures as `string.find` returns
/// them (empty if the pattern has none). `None` if `init > src.len()`.
pub fn find_at(src: &[u8], pat: &[u8], init: usize) -> Result<Option<Match>, String> {
    let (anchor, pat) = match pat.split_first() {
        Some((b'^', rest)) => (true, rest),
        _ => (false, pat),
    };
    let mut ms = MatchState::new(src, pat);
    let mut s1 = init;
    while s1 <= src.len() {
        if let Some(end) = ms.do_match_at(s1)? {
            let captures = ms.captures(s1, end, false)?;
            return Ok(Some(Match {
                start: s1,
                end,
                captures,
            }));
        }
        if anchor {
            break;
        }
        s1 += 1;
    }
    Ok(None)
}

/// Matches `pat` at `pos` only, with no scanning; a leading `^` in `pat` is
/// a literal `^` (as in 5.3's `gmatch`; `gsub` strips its anchor itself).
pub fn match_at(src: &[u8], pat: &[u8], pos: usize) -> Result<Option<Match>, String> {
    let mut ms = MatchState::new(src, pat);
    match ms.do_match_at(pos)? {
        Some(end) => Ok(Some(Match {
            start: pos,
            end,
            captures: ms.captures(pos, end, false)?,
        })),
        None => Ok(None),
    }
}

/// `string.find(src, pat, init, plain)` with `init` as the Lua argument:
/// a plain search when asked or when `pat` has no specials, else a pattern
/// search. The result's `start..end` are 0-based (Lua returns `start+1, end`).
pub fn str_find(src: &[u8], pat: &[u8], init: i64, plain: bool) -> Result<Option<Match>, String> {
    let Some(init) = find_init(init, src.len()) else {
        return Ok(None);
    };
    if plain || !has_specials(pat) {
        let found = lmemfind(&src[init..], pat).map(|at| Match {
            start: init + at,
            end: init + at + pat.len(),
            captures: Vec::new(),
        });
        return Ok(found);
    }
    find_at(src, pat, init)
}

/// `string.match(src, pat, init)` with `init` as the Lua argument. Empty
/// `captures` means the whole match is the result.
pub fn str_match(src: &[u8], pat: &[u8], init: i64) -> Result<Option<Match>, String> {
    match find_init(init, src.len()) {
        Some(init) => find_at(src, pat, init),
        None => Ok(None),
    }
}

/// The state of a `string.gmatch` iterator between calls (PUC's
/// `GMatchState` without the pointers): where to look next and the end of
/// the last match, which an empty match may not repeat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GMatchState {
    pub src: usize,
    pub lastmatch: Option<usize>,
}

impl GMatchState {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next match of `pat` in `src` (the same bytes at every call), or
    /// `None` when there are no more. `pat` is used as is: in Lua 5.3 a
    /// leading `^` in `gmatch` is a literal.
    pub fn next_match(&mut self, src: &[u8], pat: &[u8]) -> Result<Option<Match>, String> {
        let mut ms = MatchState::new(src, pat);
        let mut s = self.src;
        while s <= src.len() {
            if let Some(end) = ms.do_match_at(s)? {
                if Some(end) != self.lastmatch {
                    self.src = end;
                    self.lastmatch = Some(end);
                    let captures = ms.captures(s, end, false)?;
                    return Ok(Some(Match {
                        start: s,
                        end,
                        captures,
                    }));
                }
            }
            s += 1;
        }
        self.src = s;
        Ok(None)
    }
}

/// The loop of `string.gsub`: appends to `out` the subject with at most
/// `max_n` matches (all if `None`) replaced by what `add_value` appends for
/// each match `src[s..e]`, and returns the number of matches. `add_value`
/// reads the captures through the `MatchState` (`get_capture`, `captures`)
/// and appends the replacement, or the original `src[s..e]` when a table or
/// function gives `false`/`nil`. A leading `^` anchors the pattern.
pub fn gsub<E: From<String>>(
    src: &[u8],
    pat: &[u8],
    max_n: Option<i64>,
    out: &mut Vec<u8>,
    mut add_value: impl FnMut(&MatchState<'_>, usize, usize, &mut Vec<u8>) -> Result<(), E>,
) -> Result<i64, E> {
    let max_n = max_n.unwrap_or_else(|| i64::try_from(src.len()).unwrap_or(i64::MAX).saturating_add(1));
    let (anchor, pat) = match pat.split_first() {
        Some((b'^', rest)) => (true, rest),
        _ => (false, pat),
    };
    let mut ms = MatchState::new(src, pat);
    let mut s = 0;
    let mut lastmatch = None;
    let mut n = 0;
    while n < max_n {
        match ms.do_match_at(s)? {
            Some(e) if Some(e) != lastmatch => {
                n += 1;
                add_value(&ms, s, e, out)?;
                s = e;
                lastmatch = Some(e);
            }
            _ if s < src.len() => {
                out.push(src[s]);
                s += 1;
            }
            _ => break,
        }
        if anchor {
            break;
        }
    }
    out.extend_from_slice(src.get(s..).unwrap_or_default());
    Ok(n)
}

/// Appends the replacement string `repl` for the match `src[s..e]` (PUC's
/// `add_s`): `%0` is the whole match, `%1`-`%9` a capture (a position
/// capture as its integer), `%%` a `%`.
pub fn expand_replacement(out: &mut Vec<u8>, repl: &[u8], ms: &MatchState<'_>, s: usize, e: usize) -> Result<(), String> {
    let mut i = 0;
    while i < repl.len() {
        let c = repl[i];
        i += 1;
        if c != L_ESC {
            out.push(c);
            continue;
        }
        let d = repl.get(i).copied().unwrap_or(0);
        i += 1;
        if !d.is_ascii_digit() {
            if d != L_ESC {
                return Err("invalid use of '%' in replacement string".to_string());
            }
            out.push(d);
        } else if d == b'0' {
            out.extend_from_slice(ms.src.get(s..e).unwrap_or_default());
        } else {
            match ms.get_capture(usize::from(d - b'1'), s, e)? {
                Capture::Bytes { start, end } => out.extend_from_slice(ms.src.get(start..end).unwrap_or_default()),
                Capture::Position(p) => lua_integer_to_str(p as i64, out),
            }
        }
    }
    Ok(())
}

/// `string.gsub(src, pat, repl, max_n)` for a string replacement; returns
/// the new string and the number of matches.
pub fn gsub_str(src: &[u8], pat: &[u8], repl: &[u8], max_n: Option<i64>) -> Result<(Vec<u8>, i64), String> {
    let mut out = Vec::with_capacity(src.len());
    let n = gsub(src, pat, max_n, &mut out, |ms, s, e, out| {
        expand_replacement(out, repl, ms, s, e)
    })?;
    Ok((out, n))
}
