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
        let n = if self.level == 0 && whole {
            1
        } else {
            self.level
        };
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
                    let previous = s
                        .checked_sub(1)
                        .and_then(|i| self.src.get(i))
                        .copied()
                        .unwrap_or(0);
                    let current = self.src.get(s).copied().unwrap_or(0);
                    if !self.matchbracketclass(previous, p, ep - 1)
                        && self.matchbracketclass(current, p, ep - 1)
                    {
                        p = ep;
                    } else {
                        return Ok(None);
                    }
                }
                L_ESC if self.pat_at(p + 1).is_ascii_digit() => {
                    match self.match_capture(s, self.pat_at(p + 1))? {
                        Some(next) => {
                            s = next;
                            p += 2;
                        }
                        None => return Ok(None),
                    }
                }
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
        let at = from
            + haystack[from..=last_start]
                .iter()
                .position(|&c| c == first)?;
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
    let max_n = max_n.unwrap_or_else(|| {
        i64::try_from(src.len())
            .unwrap_or(i64::MAX)
            .saturating_add(1)
    });
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
pub fn expand_replacement(
    out: &mut Vec<u8>,
    repl: &[u8],
    ms: &MatchState<'_>,
    s: usize,
    e: usize,
) -> Result<(), String> {
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
                Capture::Bytes { start, end } => {
                    out.extend_from_slice(ms.src.get(start..end).unwrap_or_default())
                }
                Capture::Position(p) => lua_integer_to_str(p as i64, out),
            }
        }
    }
    Ok(())
}

/// `string.gsub(src, pat, repl, max_n)` for a string replacement; returns
/// the new string and the number of matches.
pub fn gsub_str(
    src: &[u8],
    pat: &[u8],
    repl: &[u8],
    max_n: Option<i64>,
) -> Result<(Vec<u8>, i64), String> {
    let mut out = Vec::with_capacity(src.len());
    let n = gsub(src, pat, max_n, &mut out, |ms, s, e, out| {
        expand_replacement(out, repl, ms, s, e)
    })?;
    Ok((out, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Copy, Debug)]
    enum Arg {
        Init(i64),
        Repl(&'static [u8], Option<i64>),
        None,
    }

    /// Encodes a Lua value list as the generator script does: strings in
    /// quotes with non-printable bytes as `<d>`, integers in decimal.
    fn enc_bytes(b: &[u8]) -> String {
        let mut s = String::from("'");
        for &c in b {
            if (b' '..=b'~').contains(&c) {
                s.push(char::from(c));
            } else {
                s += &format!("<{c}>");
            }
        }
        s + "'"
    }

    fn enc_capture(src: &[u8], c: &Capture) -> String {
        match *c {
            Capture::Bytes { start, end } => enc_bytes(&src[start..end]),
            Capture::Position(p) => p.to_string(),
        }
    }

    /// The values `string.match`/`gmatch` return for `m`.
    fn enc_match_values(src: &[u8], m: &Match) -> String {
        if m.captures.is_empty() {
            return enc_bytes(&src[m.start..m.end]);
        }
        m.captures
            .iter()
            .map(|c| enc_capture(src, c))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn run(kind: &str, s: &[u8], p: &[u8], arg: Arg) -> String {
        match (kind, arg) {
            ("find", Arg::Init(init)) => match str_find(s, p, init, false) {
                Err(e) => format!("E:{e}"),
                Ok(None) => "nil".to_string(),
                Ok(Some(m)) => {
                    let mut out = format!("{},{}", m.start + 1, m.end);
                    for c in &m.captures {
                        out += ",";
                        out += &enc_capture(s, c);
                    }
                    out
                }
            },
            ("match", Arg::Init(init)) => match str_match(s, p, init) {
                Err(e) => format!("E:{e}"),
                Ok(None) => "nil".to_string(),
                Ok(Some(m)) => enc_match_values(s, &m),
            },
            ("gmatch", _) => {
                let mut state = GMatchState::new();
                let mut parts = Vec::new();
                for _ in 0..50 {
                    match state.next_match(s, p) {
                        Err(e) => {
                            parts.push(format!("E:{e}"));
                            break;
                        }
                        Ok(None) => break,
                        Ok(Some(m)) => parts.push(enc_match_values(s, &m)),
                    }
                }
                parts.join(";")
            }
            ("gsub", Arg::Repl(repl, n)) => match gsub_str(s, p, repl, n) {
                Err(e) => format!("E:{e}"),
                Ok((out, n)) => format!("{},{n}", enc_bytes(&out)),
            },
            _ => panic!("bad case {kind} {arg:?}"),
        }
    }

    // Generated with lua5.3: `string.find`/`match`/`gmatch`/`gsub` under pcall.
    /// (function, subject, pattern, init or replacement, encoded results).
    type Case = (
        &'static str,
        &'static [u8],
        &'static [u8],
        Arg,
        &'static str,
    );

    const CASES: &[Case] = &[
        ("find", b"hello world", b"o", Arg::Init(1), "5,5"),
        ("find", b"hello world", b"o", Arg::Init(6), "8,8"),
        ("find", b"hello world", b"o", Arg::Init(-3), "nil"),
        ("find", b"hello world", b"l+", Arg::Init(1), "3,4"),
        ("find", b"hello world", b"(l)(l)", Arg::Init(1), "3,4,'l','l'"),
        ("find", b"hello", b"", Arg::Init(1), "1,0"),
        ("find", b"hello", b"", Arg::Init(10), "nil"),
        ("find", b"hello", b"", Arg::Init(6), "6,5"),
        ("find", b"hello", b"", Arg::Init(-100), "1,0"),
        ("find", b"", b"", Arg::Init(1), "1,0"),
        ("find", b"", b"a*", Arg::Init(1), "1,0"),
        ("find", b"hello", b"^h", Arg::Init(1), "1,1"),
        ("find", b"hello", b"^e", Arg::Init(1), "nil"),
        ("find", b"hello", b"^e", Arg::Init(2), "2,2"),
        ("find", b"hello", b"o$", Arg::Init(1), "5,5"),
        ("find", b"hello", b"l$", Arg::Init(1), "nil"),
        ("find", b"a$b", b"a$b", Arg::Init(1), "1,3"),
        ("find", b"a$b", b"$b", Arg::Init(1), "2,3"),
        ("find", b"a^b", b"a^b", Arg::Init(1), "1,3"),
        ("find", b"hello", b"h.-o", Arg::Init(1), "1,5"),
        ("find", b"hello", b"h.*", Arg::Init(1), "1,5"),
        ("find", b"hello", b"x*", Arg::Init(1), "1,0"),
        ("find", b"hello", b"l?lo", Arg::Init(1), "3,5"),
        ("find", b"aaab", b"a-b", Arg::Init(1), "1,4"),
        ("find", b"aaab", b"a*b", Arg::Init(1), "1,4"),
        ("find", b"aaab", b"a+b", Arg::Init(1), "1,4"),
        ("find", b"b", b"a+b", Arg::Init(1), "nil"),
        ("find", b"b", b"a*b", Arg::Init(1), "1,1"),
        ("find", b"THE (quick) fox", b"%((%a+)%)", Arg::Init(1), "5,11,'quick'"),
        ("find", b"x = 1.5e10", b"%d+%.?%d*[eE]?%d*", Arg::Init(1), "5,10"),
        ("find", b"  trim  ", b"^%s*(.-)%s*$", Arg::Init(1), "1,8,'trim'"),
        ("find", b"key=value", b"(%w+)=(%w+)", Arg::Init(1), "1,9,'key','value'"),
        ("find", b"abc", b"()b()", Arg::Init(1), "2,2,2,3"),
        ("find", b"f(a(b)c)d", b"%b()", Arg::Init(1), "2,8"),
        ("find", b"f(a(b)c", b"%b()", Arg::Init(1), "4,6"),
        ("find", b"[[x]]", b"%b[]", Arg::Init(1), "1,5"),
        ("find", b"aXb", b"%bXb", Arg::Init(1), "2,3"),
        ("find", b"THE (quick) fox", b"%f[%a]%a+", Arg::Init(5), "6,10"),
        ("find", b"hello world", b"%f[%w]%w+$", Arg::Init(1), "7,11"),
        ("find", b"abc", b"%f[%l]", Arg::Init(1), "1,0"),
        ("find", b"abc", b"%f[%z]", Arg::Init(1), "4,3"),
        ("find", b"abc", b"%f[^%l]", Arg::Init(1), "4,3"),
        ("find", b"aa bb", b"%f[%S]%S+", Arg::Init(3), "4,5"),
        ("find", b"abcabc", b"(abc)%1", Arg::Init(1), "1,6,'abc'"),
        ("find", b"abcab", b"(abc)%1", Arg::Init(1), "nil"),
        ("find", b"xyzzy", b"(z)%1", Arg::Init(1), "3,4,'z'"),
        ("find", b"a.b", b"%.", Arg::Init(1), "2,2"),
        ("find", b"a]b", b"[]]", Arg::Init(1), "2,2"),
        ("find", b"a]b", b"[^]]", Arg::Init(2), "3,3"),
        ("find", b"a-b", b"[a-]", Arg::Init(2), "2,2"),
        ("find", b"a-b", b"[-a]", Arg::Init(2), "2,2"),
        ("find", b"a-b", b"[b-]", Arg::Init(1), "2,2"),
        ("find", b"z-a", b"[%a-z]", Arg::Init(2), "2,2"),
        ("find", b"A5", b"[%d]", Arg::Init(1), "2,2"),
        ("find", b"A5", b"[^%d]", Arg::Init(1), "1,1"),
        ("find", b"hello", b"[a-f]", Arg::Init(1), "2,2"),
        ("find", b"hello", b"[f-a]", Arg::Init(1), "nil"),
        ("find", b"x^y", b"[%^]", Arg::Init(1), "2,2"),
        ("find", b"x^y", b"[x^]", Arg::Init(2), "2,2"),
        ("find", b"tab\x09here", b"%c", Arg::Init(1), "4,4"),
        ("find", b"a\x00b", b"%z", Arg::Init(1), "2,2"),
        ("find", b"a\x00b", b"%Z+", Arg::Init(2), "3,3"),
        ("find", b"a\x00b", b"\x00", Arg::Init(1), "2,2"),
        ("find", b"a\x00b", b"[\x00]", Arg::Init(1), "2,2"),
        ("find", b"a\x00b", b"%\x00", Arg::Init(1), "2,2"),
        ("find", b"a\x00b", b"[%z]", Arg::Init(1), "2,2"),
        ("find", b"\x01\x7f\x80\xff ", b"%c+", Arg::Init(1), "1,2"),
        ("find", b"\x80\xffabc", b"%A+", Arg::Init(1), "1,2"),
        ("find", b"\xff", b"[\x80-\xff]", Arg::Init(1), "1,1"),
        ("find", b"\x0b", b"%s", Arg::Init(1), "1,1"),
        ("find", b"!\x22#$%&\x27()*+,-./:;<=>?@[\x5c]^_\x60{|}~", b"%p+", Arg::Init(1), "1,32"),
        ("find", b"aBcD12_", b"%u", Arg::Init(1), "2,2"),
        ("find", b"aBcD12_", b"%l+", Arg::Init(2), "3,3"),
        ("find", b"aBcD12_", b"%w+", Arg::Init(1), "1,6"),
        ("find", b"0x1F g", b"%x+", Arg::Init(3), "3,4"),
        ("find", b"hello world", b"%g+", Arg::Init(6), "7,11"),
        ("find", b"hi", b"%W", Arg::Init(1), "nil"),
        ("find", b"hi!", b"%W", Arg::Init(1), "3,3"),
        ("find", b"a b", b"%S%s%S", Arg::Init(1), "1,3"),
        ("find", b"aaa", b"a-", Arg::Init(1), "1,0"),
        ("find", b"aaa", b"a-$", Arg::Init(1), "1,3"),
        ("find", b"aaa", b"^a-$", Arg::Init(1), "1,3"),
        ("find", b"abc", b"a?b?c?d?", Arg::Init(1), "1,3"),
        ("find", b"abc", b".?.?.?.?", Arg::Init(1), "1,3"),
        ("find", b"hello", b"(h)(e)(l)(l)(o)", Arg::Init(1), "1,5,'h','e','l','l','o'"),
        ("find", b"hello", b"((h)(e))", Arg::Init(1), "1,2,'he','h','e'"),
        ("find", b"hello", b"(h(e(l)))", Arg::Init(1), "1,3,'hel','el','l'"),
        ("find", b"hello", b"()", Arg::Init(3), "3,2,3"),
        ("find", b"hello", b"()ll()", Arg::Init(1), "3,4,3,5"),
        ("find", b"hello", b"(%a-)l", Arg::Init(1), "1,3,'he'"),
        ("find", b"a+b", b"a+b", Arg::Init(1), "nil"),
        ("find", b"a+b", b"a%+b", Arg::Init(1), "1,3"),
        ("find", b"hello", b"o", Arg::Init(100), "nil"),
        ("find", b"abc", b"b", Arg::Init(-1), "nil"),
        ("find", b"abc", b"b", Arg::Init(-2), "2,2"),
        ("find", b"abc", b"b", Arg::Init(0), "2,2"),
        ("find", b"abc", b"b", Arg::Init(-10), "2,2"),
        ("find", b"abc", b"c", Arg::Init(3), "3,3"),
        ("find", b"abc", b"", Arg::Init(4), "4,3"),
        ("find", b"abc", b"", Arg::Init(5), "nil"),
        ("find", b"hello", b"l", Arg::Init(1), "3,3"),
        ("find", b"a.b.c", b".", Arg::Init(2), "2,2"),
        ("find", b"one two", b"(o)(.-)(o)", Arg::Init(1), "1,7,'o','ne tw','o'"),
        ("find", b"date: 2024-01-15", b"(%d+)-(%d+)-(%d+)", Arg::Init(1), "7,16,'2024','01','15'"),
        ("find", b"aaa", b"(a*(.))%2", Arg::Init(1), "1,3,'aa','a'"),
        ("find", b"abab", b"(a)(b)%1%2", Arg::Init(1), "1,4,'a','b'"),
        ("find", b"aa", b"(a)%1", Arg::Init(2), "nil"),
        ("find", b"abc", b"(()a)", Arg::Init(1), "1,1,'a',1"),
        ("find", b"(x)", b"%(.%)", Arg::Init(1), "1,3"),
        ("find", b"ab", b"%a%a", Arg::Init(1), "1,2"),
        ("find", b"[a]", b"[[]", Arg::Init(1), "1,1"),
        ("find", b"a%b", b"%%", Arg::Init(1), "2,2"),
        ("find", b"hello", b"[%a-z]+", Arg::Init(1), "1,5"),
        ("find", b"x-z", b"[%a-]+", Arg::Init(1), "1,3"),
        ("find", b"-%", b"[%%-]+", Arg::Init(1), "1,2"),
        ("find", b"aaa", b"%1", Arg::Init(1), "E:invalid capture index %1"),
        ("find", b"aaa", b"(a)%2", Arg::Init(1), "E:invalid capture index %2"),
        ("find", b"aaa", b"(a%1)", Arg::Init(1), "E:invalid capture index %1"),
        ("find", b"aaa", b"(a)%0", Arg::Init(1), "E:invalid capture index %0"),
        ("find", b"aaa", b"%", Arg::Init(1), "E:malformed pattern (ends with '%')"),
        ("find", b"aaa", b"a%", Arg::Init(1), "E:malformed pattern (ends with '%')"),
        ("find", b"aaa", b"[a", Arg::Init(1), "E:malformed pattern (missing ']')"),
        ("find", b"aaa", b"[a%", Arg::Init(1), "E:malformed pattern (missing ']')"),
        ("find", b"aaa", b"[a%]", Arg::Init(1), "E:malformed pattern (missing ']')"),
        ("find", b"aaa", b"[]", Arg::Init(1), "E:malformed pattern (missing ']')"),
        ("find", b"aaa", b"[^]", Arg::Init(1), "E:malformed pattern (missing ']')"),
        ("find", b"aaa", b"[", Arg::Init(1), "E:malformed pattern (missing ']')"),
        ("find", b"aaa", b"%f", Arg::Init(1), "E:missing '[' after '%f' in pattern"),
        ("find", b"aaa", b"%fa", Arg::Init(1), "E:missing '[' after '%f' in pattern"),
        ("find", b"aaa", b"(", Arg::Init(1), "E:unfinished capture"),
        ("find", b"aaa", b"a)", Arg::Init(1), "nil"),
        ("find", b"aaa", b".)", Arg::Init(1), "E:invalid pattern capture"),
        ("find", b"aaa", b"%b", Arg::Init(1), "E:malformed pattern (missing arguments to '%b')"),
        ("find", b"aaa", b"%ba", Arg::Init(1), "E:malformed pattern (missing arguments to '%b')"),
        ("find", b"aaa", b"(()", Arg::Init(1), "E:unfinished capture"),
        ("find", b"aaa", b"(a", Arg::Init(1), "E:unfinished capture"),
        ("find", b"aaa", b"x(", Arg::Init(1), "nil"),
        ("find", b"aaa", b"[%", Arg::Init(1), "E:malformed pattern (missing ']')"),
        ("find", b"aaa", b"(((((((((((((((((((((((((((((((((", Arg::Init(1), "E:too many captures"),
        ("find", b"aaa", b"()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()", Arg::Init(1), "1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"),
        ("find", b"aaa", b"()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()", Arg::Init(1), "E:too many captures"),
        ("find", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", b"a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?", Arg::Init(1), "1,199"),
        ("find", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", b"a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?", Arg::Init(1), "E:pattern too complex"),
        ("find", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", b"(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)", Arg::Init(1), "1,32,'a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a','a'"),
        ("find", b"", b"a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-", Arg::Init(1), "1,0"),
        ("find", b"", b"a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-", Arg::Init(1), "1,0"),
        ("find", b"b", b"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", Arg::Init(1), "1,1"),
        ("find", b"b", b"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", Arg::Init(1), "1,1"),
        ("find", b"aab", b"(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)(a*)c", Arg::Init(1), "nil"),
        ("find", b"x", b"%f[%a]", Arg::Init(2), "nil"),
        ("find", b"x", b"%f[%A]", Arg::Init(2), "2,1"),
        ("match", b"hello world", b"%w+", Arg::Init(1), "'hello'"),
        ("match", b"hello world", b"%w+", Arg::Init(6), "'world'"),
        ("match", b"hello world", b"(%w+) (%w+)", Arg::Init(1), "'hello','world'"),
        ("match", b"hello", b"()ll()", Arg::Init(1), "3,5"),
        ("match", b"hello", b"x", Arg::Init(1), "nil"),
        ("match", b"key = val", b"^(%w+)%s*=%s*(%w+)$", Arg::Init(1), "'key','val'"),
        ("match", b"hello", b".-", Arg::Init(1), "''"),
        ("match", b"hello", b"", Arg::Init(3), "''"),
        ("match", b"hello", b"^(h)", Arg::Init(2), "nil"),
        ("match", b"abc", b")", Arg::Init(1), "E:invalid pattern capture"),
        ("match", b"abc", b"(%w", Arg::Init(1), "E:unfinished capture"),
        ("match", b"[[nested]]", b"%[(%b[])%]", Arg::Init(1), "'[nested]'"),
        ("match", b"  x  ", b"^%s*(.-)%s*$", Arg::Init(1), "'x'"),
        ("match", b"abc", b"((a)(b))", Arg::Init(1), "'ab','a','b'"),
        ("match", b"abc", b"a*", Arg::Init(10), "nil"),
        ("gmatch", b"hello world from lua", b"%a+", Arg::None, "'hello';'world';'from';'lua'"),
        ("gmatch", b"k1=v1, k2=v2", b"(%w+)=(%w+)", Arg::None, "'k1','v1';'k2','v2'"),
        ("gmatch", b"abc", b"", Arg::None, "'';'';'';''"),
        ("gmatch", b"abc", b"a*", Arg::None, "'a';'';''"),
        ("gmatch", b"aXbXc", b"[^X]*", Arg::None, "'a';'b';'c'"),
        ("gmatch", b"^a^a", b"^a", Arg::None, "'^a';'^a'"),
        ("gmatch", b"abc", b"()", Arg::None, "1;2;3;4"),
        ("gmatch", b"a,b,,c", b"([^,]*)", Arg::None, "'a';'b';'';'c'"),
        ("gmatch", b"abab", b"(a)(b)", Arg::None, "'a','b';'a','b'"),
        ("gmatch", b"abc", b"(%w", Arg::None, "E:unfinished capture"),
        ("gmatch", b"abc", b"%", Arg::None, "E:malformed pattern (ends with '%')"),
        ("gmatch", b"one two", b"%f[%w]%w+", Arg::None, "'one';'two'"),
        ("gmatch", b"", b"x*", Arg::None, "''"),
        ("gsub", b"hello world", b"o", Arg::Repl(b"0", None), "'hell0 w0rld',2"),
        ("gsub", b"hello world", b"(o)", Arg::Repl(b"[%1]", None), "'hell[o] w[o]rld',2"),
        ("gsub", b"hello world", b"%w+", Arg::Repl(b"<%0>", None), "'<hello> <world>',2"),
        ("gsub", b"hello", b"", Arg::Repl(b"-", None), "'-h-e-l-l-o-',6"),
        ("gsub", b"hello world", b"(%w+) (%w+)", Arg::Repl(b"%2 %1", None), "'world hello',1"),
        ("gsub", b"abc", b"%w", Arg::Repl(b"%1%1", None), "'aabbcc',3"),
        ("gsub", b"abc", b"%w", Arg::Repl(b"%2", None), "E:invalid capture index %2"),
        ("gsub", b"abc", b"%w", Arg::Repl(b"%x", None), "E:invalid use of '%' in replacement string"),
        ("gsub", b"abc", b"%w", Arg::Repl(b"%", None), "E:invalid use of '%' in replacement string"),
        ("gsub", b"abc", b"(%w)", Arg::Repl(b"%1%%", None), "'a%b%c%',3"),
        ("gsub", b"abc", b"()%w", Arg::Repl(b"%1", None), "'123',3"),
        ("gsub", b"abc", b"(%w", Arg::Repl(b"x", None), "'xxx',3"),
        ("gsub", b"abc", b"(%w", Arg::Repl(b"%1", None), "E:unfinished capture"),
        ("gsub", b"abc", b"(%w", Arg::Repl(b"%0", None), "'abc',3"),
        ("gsub", b"hello", b"l", Arg::Repl(b"L", Some(1)), "'heLlo',1"),
        ("gsub", b"hello", b"l", Arg::Repl(b"L", Some(0)), "'hello',0"),
        ("gsub", b"hello", b"l", Arg::Repl(b"L", Some(-1)), "'hello',0"),
        ("gsub", b"hello", b"^h", Arg::Repl(b"H", None), "'Hello',1"),
        ("gsub", b"hello", b"^l", Arg::Repl(b"L", None), "'hello',0"),
        ("gsub", b"hello hello", b"^hello", Arg::Repl(b"X", None), "'X hello',1"),
        ("gsub", b"abc", b"b*", Arg::Repl(b"-", None), "'-a-c-',3"),
        ("gsub", b"abc", b"x*", Arg::Repl(b"-", None), "'-a-b-c-',4"),
        ("gsub", b"", b"x*", Arg::Repl(b"-", None), "'-',1"),
        ("gsub", b"a,b,,c", b",", Arg::Repl(b";", None), "'a;b;;c',3"),
        ("gsub", b"abc", b".", Arg::Repl(b"%0%0", None), "'aabbcc',3"),
        ("gsub", b"  x  y  ", b"%s+", Arg::Repl(b" ", None), "' x y ',3"),
        ("gsub", b"abc", b"$", Arg::Repl(b"!", None), "'abc!',1"),
        ("gsub", b"abc", b"^", Arg::Repl(b"!", None), "'!abc',1"),
        ("gsub", b"hello", b"(l)(l)", Arg::Repl(b"%2%1", None), "'hello',1"),
        ("gsub", b"a.b", b"%.", Arg::Repl(b"%%", None), "'a%b',1"),
        ("gsub", b"abc", b"b", Arg::Repl(b"%9", None), "E:invalid capture index %9"),
        ("gsub", b"abc", b"(b)", Arg::Repl(b"%9", None), "E:invalid capture index %9"),
        ("gsub", b"abc", b"[", Arg::Repl(b"x", None), "E:malformed pattern (missing ']')"),
        ("gsub", b"x = $name, y = $value", b"%$(%w+)", Arg::Repl(b"<%1>", None), "'x = <name>, y = <value>',2"),
        ("gsub", b"abc", b"", Arg::Repl(b"%0", None), "'abc',4"),
    ];

    #[test]
    fn lpattern_cases_match_lua53() {
        let mut bad = Vec::new();
        for &(kind, s, p, arg, want) in CASES {
            let got = run(kind, s, p, arg);
            if got != want {
                bad.push(format!(
                    "{kind}({:?}, {:?}, {arg:?}): got {got:?} want {want:?}",
                    enc_bytes(s),
                    enc_bytes(p)
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{} mismatches:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    #[test]
    fn lpattern_helpers() {
        assert_eq!(lmemfind(b"hello", b"ll"), Some(2));
        assert_eq!(lmemfind(b"hello", b""), Some(0));
        assert_eq!(lmemfind(b"", b""), Some(0));
        assert_eq!(lmemfind(b"hello", b"lo!"), None);
        assert_eq!(lmemfind(b"aab", b"ab"), Some(1));
        assert_eq!(lmemfind(b"ab", b"abc"), None);
        assert!(has_specials(b"a.b"));
        assert!(!has_specials(b"a)b]"));
        assert_eq!(find_init(1, 3), Some(0));
        assert_eq!(find_init(4, 3), Some(3));
        assert_eq!(find_init(5, 3), None);
        assert_eq!(find_init(-1, 3), Some(2));
        assert_eq!(find_init(-10, 3), Some(0));
        assert_eq!(find_init(i64::MIN, 3), Some(0));
        assert_eq!(find_init(i64::MAX, 3), None);
        assert_eq!(match_at(b"^a", b"^a", 0).unwrap().map(|m| m.end), Some(2));
        assert_eq!(
            match_at(b"xab", b"a(b)", 1).unwrap().map(|m| m.captures),
            Some(vec![Capture::Bytes { start: 2, end: 3 }])
        );
        assert_eq!(match_at(b"ab", b"a", 5).unwrap(), None);
        assert_eq!(find_at(b"ab", b"b", 5).unwrap(), None);
        // gsub with a lazy table-like replacement: only capture 0 is asked for.
        let mut out = Vec::new();
        let n = gsub::<String>(b"abc", b"(%w)(", None, &mut out, |ms, s, e, out| {
            match ms.get_capture(0, s, e)? {
                Capture::Bytes { start, end } => out.extend_from_slice(&ms.src()[start..end]),
                Capture::Position(_) => unreachable!(),
            }
            Ok(())
        })
        .unwrap();
        assert_eq!((out.as_slice(), n), (&b"abc"[..], 3));
    }

    /// A small deterministic generator for the differential test.
    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
        fn pick(&mut self, alphabet: &[u8], max_len: usize) -> Vec<u8> {
            let n = self.below(max_len + 1);
            (0..n)
                .map(|_| alphabet[self.below(alphabet.len())])
                .collect()
        }
    }

    fn lua_literal(b: &[u8]) -> String {
        let mut s = String::from("\"");
        for &c in b {
            s += &format!("\\{c}");
        }
        s + "\""
    }

    /// Random small patterns and subjects through `find`, `match`, `gmatch`
    /// and `gsub`, compared with lua5.3 when it is installed.
    #[test]
    fn lpattern_differential_vs_lua53() {
        use std::io::Write;
        const PATTERN_BYTES: &[u8] = b"aab.%%()[]^$*+-?1f2bdswAx]\0";
        const SUBJECT_BYTES: &[u8] = b"aab()[]x1 \0";
        let mut rng = XorShift(0x1234_5678_9abc_def1);
        let kinds = ["find", "match", "gmatch", "gsub"];
        let mut cases = Vec::new();
        for _ in 0..6000 {
            let kind = kinds[rng.below(4)];
            let s = rng.pick(SUBJECT_BYTES, 8);
            let p = rng.pick(PATTERN_BYTES, 7);
            let init = rng.below(14) as i64 - 4;
            let repl: &'static [u8] = [&b"<%0>"[..], b"%1-", b"%%", b"x%2", b"%"][rng.below(5)];
            cases.push((kind, s, p, init, repl));
        }
        let mut script = String::from(LUA_RUN);
        script += "local C = {\n";
        for (kind, s, p, init, repl) in &cases {
            script += &format!(
                "{{'{kind}', {}, {}, {init}, {}}},\n",
                lua_literal(s),
                lua_literal(p),
                lua_literal(repl)
            );
        }
        script += "}\nfor _, c in ipairs(C) do local r = run(c[1], c[2], c[3], c[4], c[5]); io.write(#r, ':', r) end\n";
        let path = std::env::temp_dir().join(format!("lpattern-diff-{}.lua", std::process::id()));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let output = std::process::Command::new("lua5.3").arg(&path).output();
        let _ = std::fs::remove_file(&path);
        let Ok(output) = output else {
            eprintln!("lua5.3 not found: differential test skipped");
            return;
        };
        assert!(
            output.status.success(),
            "lua5.3: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut rest = &output.stdout[..];
        let mut bad = Vec::new();
        for (kind, s, p, init, repl) in &cases {
            let colon = rest.iter().position(|&c| c == b':').expect("length");
            let n: usize = String::from_utf8_lossy(&rest[..colon])
                .parse()
                .expect("length");
            let want = String::from_utf8_lossy(&rest[colon + 1..colon + 1 + n]).into_owned();
            rest = &rest[colon + 1 + n..];
            let arg = match *kind {
                "gsub" => Arg::Repl(repl, None),
                _ => Arg::Init(*init),
            };
            let got = run(kind, s, p, arg);
            if got != want {
                bad.push(format!(
                    "{kind}({}, {}, {init}, {}): got {got:?} want {want:?}",
                    enc_bytes(s),
                    enc_bytes(p),
                    enc_bytes(repl)
                ));
            }
        }
        assert!(
            bad.is_empty(),
            "{} mismatches:\n{}",
            bad.len(),
            bad[..bad.len().min(40)].join("\n")
        );
    }

    /// The Lua side of the differential test (same encoding as `run`).
    const LUA_RUN: &str = r##"
local function enc(ok, ...)
  if not ok then return "E:" .. (select(1, ...)) end
  local t = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" then
      t[i] = "'" .. v:gsub("[^%w%p ]", function(c) return string.format("<%d>", c:byte()) end) .. "'"
    elseif v == nil then t[i] = "nil"
    else t[i] = string.format("%d", v) end
  end
  return table.concat(t, ",")
end
function run(kind, s, p, init, repl)
  if kind == "find" then return enc(pcall(string.find, s, p, init))
  elseif kind == "match" then return enc(pcall(string.match, s, p, init))
  elseif kind == "gsub" then return enc(pcall(string.gsub, s, p, repl))
  else
    local ok, it = pcall(string.gmatch, s, p)
    local out = {}
    for _ = 1, 50 do
      local r = {pcall(it)}
      if not r[1] then out[#out + 1] = "E:" .. r[2]; break end
      if r[2] == nil then break end
      out[#out + 1] = enc(table.unpack(r))
    end
    return table.concat(out, ";")
  end
end
"##;

    proptest! {
        #[test]
        fn lpattern_never_panics_and_stays_fast(
            s in proptest::collection::vec(proptest::sample::select(b"aab()[]%x1 \0\xff".to_vec()), 0..16),
            p in proptest::collection::vec(proptest::sample::select(b"ab()[]^$*+-?.%%fb1290dwsSz\0\xff".to_vec()), 0..14),
            repl in proptest::collection::vec(proptest::sample::select(b"%01a9".to_vec()), 0..5),
            init in -20i64..20,
        ) {
            let t0 = std::time::Instant::now();
            let _ = str_find(&s, &p, init, false);
            let _ = str_match(&s, &p, init);
            let _ = gsub_str(&s, &p, &repl, None);
            let mut state = GMatchState::new();
            for _ in 0..40 {
                match state.next_match(&s, &p) {
                    Ok(Some(_)) => {}
                    _ => break,
                }
            }
            prop_assert!(t0.elapsed() < std::time::Duration::from_secs(5));
        }

        #[test]
        fn lpattern_plain_find_agrees_with_escaped_pattern(
            s in proptest::collection::vec(proptest::sample::select(b"q.%()[".to_vec()), 0..12),
            needle in proptest::collection::vec(proptest::sample::select(b"q.%()[".to_vec()), 0..4),
        ) {
            let mut escaped = Vec::new();
            for &c in &needle {
                escaped.push(b'%');
                escaped.push(c);
            }
            let plain = str_find(&s, &needle, 1, true).unwrap().map(|m| (m.start, m.end));
            let pattern = find_at(&s, &escaped, 0).unwrap().map(|m| (m.start, m.end));
            prop_assert_eq!(plain, pattern);
        }
    }
}
