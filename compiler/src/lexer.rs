//! The Lua 5.3 lexer: a `logos` tokenizer plus hand-written sub-scanners (in logos
//! callbacks) for what a DFA cannot do cleanly: long brackets, escapes in short
//! strings, and PUC's greedy numeral scan.
//!
//! Owns: tokens, line counting, string/numeral values, and the exact text PUC's
//! `llex.c` would show after "near" in an error message.
//!
//! Invariants:
//! - the source is bytes (`&[u8]`, not necessarily UTF-8); strings are bytes;
//! - `line()` is the line where the most recently lexed token ends (PUC's
//!   `ls->linenumber`); `\n`, `\r`, `\r\n` and `\n\r` each count as one line break;
//! - a lexical error is reported once, with PUC's message and "near" text; after an
//!   error the lexer must not be used again;
//! - a leading `#` line is NOT skipped here: loaders use [`skip_comment_line`].

use std::rc::Rc;

use logos::{Logos, Skip};

use crate::number::{str2number, Number};

/// A token, as the parser sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    // reserved words (ORDER RESERVED)
    And,
    Break,
    Do,
    Else,
    ElseIf,
    End,
    False,
    For,
    Function,
    Goto,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    // multi-character symbols
    IDiv,
    Concat,
    Dots,
    Eq,
    Ge,
    Le,
    Ne,
    Shl,
    Shr,
    DbColon,
    /// End of the source.
    Eos,
    Flt(f64),
    Int(i64),
    Name(Rc<[u8]>),
    Str(Rc<[u8]>),
    /// Any other single byte (`+`, `(`, `@`, `\0`, ...).
    Char(u8),
}

impl Token {
    /// How PUC's `luaX_token2str` names this kind of token (for "X expected").
    pub fn describe(&self) -> String {
        match self {
            Token::Char(c) => format!("'{}'", char_text(*c)),
            Token::Eos => "<eof>".to_string(),
            Token::Flt(_) => "<number>".to_string(),
            Token::Int(_) => "<integer>".to_string(),
            Token::Name(_) => "<name>".to_string(),
            Token::Str(_) => "<string>".to_string(),
            t => format!("'{}'", fixed_text(t)),
        }
    }
}

/// `%c` of PUC's `luaO_pushfstring`: printable characters as themselves, others as `<\N>`.
fn char_text(c: u8) -> String {
    if (0x20..0x7f).contains(&c) {
        (c as char).to_string()
    } else {
        format!("<\\{}>", c)
    }
}

fn fixed_text(t: &Token) -> &'static str {
    match t {
        Token::And => "and",
        Token::Break => "break",
        Token::Do => "do",
        Token::Else => "else",
        Token::ElseIf => "elseif",
        Token::End => "end",
        Token::False => "false",
        Token::For => "for",
        Token::Function => "function",
        Token::Goto => "goto",
        Token::If => "if",
        Token::In => "in",
        Token::Local => "local",
        Token::Nil => "nil",
        Token::Not => "not",
        Token::Or => "or",
        Token::Repeat => "repeat",
        Token::Return => "return",
        Token::Then => "then",
        Token::True => "true",
        Token::Until => "until",
        Token::While => "while",
        Token::IDiv => "//",
        Token::Concat => "..",
        Token::Dots => "...",
        Token::Eq => "==",
        Token::Ge => ">=",
        Token::Le => "<=",
        Token::Ne => "~=",
        Token::Shl => "<<",
        Token::Shr => ">>",
        Token::DbColon => "::",
        _ => "?",
    }
}

/// What an error message shows after "near".
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Near {
    /// No "near" part at all.
    #[default]
    Nothing,
    /// `near <eof>`.
    Eof,
    /// `near 'text'` (PUC's scanner buffer, shown as a C string).
    Text(Vec<u8>),
    /// `near X` where X is already formatted (e.g. `'=='`).
    Formatted(String),
}

/// A lexical error: PUC's message, line and "near" part.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LexError {
    pub line: u32,
    pub msg: String,
    pub near: Near,
}

/// State shared with the logos callbacks.
#[derive(Default)]
pub struct Extras {
    line: u32,
}

#[inline]
fn is_newline(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// Skips one line break starting at `rem[i]` (`\n`, `\r`, `\n\r` or `\r\n`) and
/// counts it; returns the index after it. PUC's `inclinenumber`.
fn inc_line(extras: &mut Extras, rem: &[u8], i: usize) -> usize {
    let old = rem[i];
    let mut j = i + 1;
    if j < rem.len() && is_newline(rem[j]) && rem[j] != old {
        j += 1;
    }
    extras.line = extras.line.saturating_add(1);
    j
}

fn err(line: u32, msg: impl Into<String>, near: Near) -> LexError {
    LexError {
        line,
        msg: msg.into(),
        near,
    }
}

#[derive(Logos, Debug, PartialEq)]
#[logos(utf8 = false, extras = Extras, error = LexError)]
enum Raw {
    #[token("and")]
    And,
    #[token("break")]
    Break,
    #[token("do")]
    Do,
    #[token("else")]
    Else,
    #[token("elseif")]
    ElseIf,
    #[token("end")]
    End,
    #[token("false")]
    False,
    #[token("for")]
    For,
    #[token("function")]
    Function,
    #[token("goto")]
    Goto,
    #[token("if")]
    If,
    #[token("in")]
    In,
    #[token("local")]
    Local,
    #[token("nil")]
    Nil,
    #[token("not")]
    Not,
    #[token("or")]
    Or,
    #[token("repeat")]
    Repeat,
    #[token("return")]
    Return,
    #[token("then")]
    Then,
    #[token("true")]
    True,
    #[token("until")]
    Until,
    #[token("while")]
    While,
    #[token("//")]
    IDiv,
    #[token("..")]
    Concat,
    #[token("...")]
    Dots,
    #[token("==")]
    Eq,
    #[token(">=")]
    Ge,
    #[token("<=")]
    Le,
    #[token("~=")]
    Ne,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("::")]
    DbColon,
    #[regex("[A-Za-z_][A-Za-z0-9_]*")]
    Name,
    #[regex("[0-9]", numeral)]
    #[regex(r"\.[0-9]", numeral)]
    Number(Number),
    #[token("\"", short_string)]
    #[token("'", short_string)]
    Str(Vec<u8>),
    #[regex(r"\[=*\[", long_string)]
    LongStr(Vec<u8>),
    #[regex(r"\[=+", bad_delimiter)]
    BadDelimiter,
    #[token("--", comment)]
    Comment,
    #[regex(r"[ \t\x0b\x0c]+", logos::skip)]
    Space,
    #[regex(r"\r\n|\n\r|\n|\r", newline)]
    Newline,
    #[regex(b"[\x00-\xff]", |lex| lex.slice()[0], priority = 0)]
    Char(u8),
}

fn newline(lex: &mut logos::Lexer<Raw>) -> Skip {
    lex.extras.line = lex.extras.line.saturating_add(1);
    Skip
}

/// PUC's `read_numeral`: a greedy scan, then `str2number` on the whole text.
fn numeral(lex: &mut logos::Lexer<Raw>) -> Result<Number, LexError> {
    let slice = lex.slice();
    let first = slice[slice.len() - 1];
    let rem = lex.remainder();
    let mut j = 0;
    let mut expo: [u8; 2] = *b"Ee";
    if first == b'0' && j < rem.len() && (rem[j] == b'x' || rem[j] == b'X') {
        j += 1;
        expo = *b"Pp";
    }
    loop {
        if j < rem.len() && (rem[j] == expo[0] || rem[j] == expo[1]) {
            j += 1;
            if j < rem.len() && (rem[j] == b'-' || rem[j] == b'+') {
                j += 1;
            }
        }
        if j < rem.len() && (rem[j].is_ascii_hexdigit() || rem[j] == b'.') {
            j += 1;
        } else {
            break;
        }
    }
    lex.bump(j);
    let text = lex.slice();
    str2number(text).ok_or_else(|| {
        err(
            lex.extras.line,
            "malformed number",
            Near::Text(text.to_vec()),
        )
    })
}

/// PUC's `read_string`, including the exact scanner buffer used in error messages.
fn short_string(lex: &mut logos::Lexer<Raw>) -> Result<Vec<u8>, LexError> {
    let del = lex.slice()[0];
    let rem = lex.remainder();
    let mut buf: Vec<u8> = vec![del];
    let mut i = 0;
    let cur = |i: usize| -> Option<u8> { rem.get(i).copied() };
    macro_rules! fail {
        ($msg:expr) => {{
            let line = lex.extras.line;
            return Err(err(line, $msg, Near::Text(buf)));
        }};
    }
    // esccheck: on failure, the current character (if any) is shown too
    macro_rules! esccheck {
        ($cond:expr, $msg:expr) => {
            if !$cond {
                if let Some(c) = cur(i) {
                    buf.push(c);
                }
                fail!($msg);
            }
        };
    }
    loop {
        let Some(c) = cur(i) else {
            return Err(err(lex.extras.line, "unfinished string", Near::Eof));
        };
        if c == del {
            i += 1;
            break;
        }
        match c {
            b'\n' | b'\r' => fail!("unfinished string"),
            b'\\' => {
                buf.push(b'\\');
                i += 1;
                let Some(e) = cur(i) else {
                    continue; // unfinished string, reported by the loop
                };
                let simple = match e {
                    b'a' => Some(0x07),
                    b'b' => Some(0x08),
                    b'f' => Some(0x0c),
                    b'n' => Some(b'\n'),
                    b'r' => Some(b'\r'),
                    b't' => Some(b'\t'),
                    b'v' => Some(0x0b),
                    b'\\' | b'"' | b'\'' => Some(e),
                    _ => None,
                };
                if let Some(v) = simple {
                    i += 1;
                    buf.pop();
                    buf.push(v);
                    continue;
                }
                match e {
                    b'x' => {
                        let mut r: u32 = 0;
                        for _ in 0..2 {
                            buf.push(cur(i).unwrap_or(0));
                            i += 1;
                            esccheck!(
                                cur(i).is_some_and(|d| d.is_ascii_hexdigit()),
                                "hexadecimal digit expected"
                            );
                            r = (r << 4) + hex_digit(rem[i]);
                        }
                        i += 1; // skip the second digit
                        buf.truncate(buf.len() - 3); // 'x', first digit, '\\'
                        buf.push(r as u8);
                    }
                    b'u' => {
                        let mut removed = 4; // '\\', 'u', '{' and the first digit
                        buf.push(b'u');
                        i += 1;
                        esccheck!(cur(i) == Some(b'{'), "missing '{'");
                        buf.push(b'{');
                        i += 1;
                        esccheck!(
                            cur(i).is_some_and(|d| d.is_ascii_hexdigit()),
                            "hexadecimal digit expected"
                        );
                        let mut r: u32 = hex_digit(rem[i]);
                        loop {
                            buf.push(rem[i]);
                            i += 1;
                            match cur(i) {
                                Some(d) if d.is_ascii_hexdigit() => {
                                    removed += 1;
                                    r = (r << 4) + hex_digit(d);
                                    esccheck!(r <= 0x10FFFF, "UTF-8 value too large");
                                }
                                _ => break,
                            }
                        }
                        esccheck!(cur(i) == Some(b'}'), "missing '}'");
                        i += 1;
                        buf.truncate(buf.len() - removed);
                        utf8_encode(r, &mut buf);
                    }
                    b'\n' | b'\r' => {
                        i = inc_line(&mut lex.extras, rem, i);
                        buf.pop();
                        buf.push(b'\n');
                    }
                    b'z' => {
                        buf.pop();
                        i += 1;
                        while let Some(s) = cur(i) {
                            if is_newline(s) {
                                i = inc_line(&mut lex.extras, rem, i);
                            } else if crate::number::is_space(s) {
                                i += 1;
                            } else {
                                break;
                            }
                        }
                    }
                    _ => {
                        esccheck!(e.is_ascii_digit(), "invalid escape sequence");
                        let mut r: u32 = 0;
                        let mut n = 0;
                        while n < 3 {
                            match cur(i) {
                                Some(d) if d.is_ascii_digit() => {
                                    r = 10 * r + (d - b'0') as u32;
                                    buf.push(d);
                                    i += 1;
                                    n += 1;
                                }
                                _ => break,
                            }
                        }
                        esccheck!(r <= 255, "decimal escape too large");
                        buf.truncate(buf.len() - n - 1);
                        buf.push(r as u8);
                    }
                }
            }
            _ => {
                buf.push(c);
                i += 1;
            }
        }
    }
    lex.bump(i);
    buf.remove(0);
    Ok(buf)
}

fn hex_digit(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => (c - b'0') as u32,
        _ => ((c | 0x20) - b'a') as u32 + 10,
    }
}

/// PUC's `luaO_utf8esc` (values up to 0x7FFFFFFF, "extended" UTF-8).
pub fn utf8_encode(mut x: u32, out: &mut Vec<u8>) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut tmp = [0u8; 8];
    let mut n = 0;
    let mut mfb: u32 = 0x3f;
    loop {
        tmp[7 - n] = 0x80 | (x & 0x3f) as u8;
        n += 1;
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    tmp[7 - n] = ((!mfb << 1) | x) as u8;
    n += 1;
    out.extend_from_slice(&tmp[8 - n..]);
}

/// Counts the `=` of a long bracket whose first `[`/`]` is at `rem[i]`; returns
/// `(count, well_formed)` where well-formed means the bracket closes with the same char.
fn bracket_level(rem: &[u8], i: usize) -> (usize, bool) {
    let s = rem[i];
    let mut j = i + 1;
    while j < rem.len() && rem[j] == b'=' {
        j += 1;
    }
    (j - i - 1, j < rem.len() && rem[j] == s)
}

/// PUC's `read_long_string` after the opening bracket; `content` is `None` for
/// comments. Returns the number of bytes consumed.
fn long_body(
    extras: &mut Extras,
    rem: &[u8],
    level: usize,
    mut content: Option<&mut Vec<u8>>,
) -> Result<usize, LexError> {
    let start_line = extras.line;
    let mut i = 0;
    if i < rem.len() && is_newline(rem[i]) {
        i = inc_line(extras, rem, i);
    }
    loop {
        let Some(&c) = rem.get(i) else {
            let what = if content.is_some() {
                "string"
            } else {
                "comment"
            };
            return Err(err(
                extras.line,
                format!("unfinished long {} (starting at line {})", what, start_line),
                Near::Eof,
            ));
        };
        match c {
            b']' => {
                let (count, closed) = bracket_level(rem, i);
                if closed && count == level {
                    return Ok(i + count + 2);
                }
                if let Some(buf) = content.as_deref_mut() {
                    buf.push(b']');
                    buf.extend(std::iter::repeat_n(b'=', count));
                }
                i += 1 + count;
            }
            b'\n' | b'\r' => {
                if let Some(buf) = content.as_deref_mut() {
                    buf.push(b'\n');
                }
                i = inc_line(extras, rem, i);
            }
            _ => {
                if let Some(buf) = content.as_deref_mut() {
                    buf.push(c);
                }
                i += 1;
            }
        }
    }
}

fn long_string(lex: &mut logos::Lexer<Raw>) -> Result<Vec<u8>, LexError> {
    let level = lex.slice().len() - 2;
    let rem = lex.remainder();
    let mut buf = Vec::new();
    let n = long_body(&mut lex.extras, rem, level, Some(&mut buf))?;
    lex.bump(n);
    Ok(buf)
}

fn bad_delimiter(lex: &mut logos::Lexer<Raw>) -> Result<(), LexError> {
    Err(err(
        lex.extras.line,
        "invalid long string delimiter",
        Near::Text(lex.slice().to_vec()),
    ))
}

fn comment(lex: &mut logos::Lexer<Raw>) -> Result<Skip, LexError> {
    let rem = lex.remainder();
    if rem.first() == Some(&b'[') {
        let (level, ok) = bracket_level(rem, 0);
        if ok {
            let n = long_body(&mut lex.extras, &rem[level + 2..], level, None)?;
            lex.bump(level + 2 + n);
            return Ok(Skip);
        }
    }
    let n = rem.iter().position(|&c| is_newline(c)).unwrap_or(rem.len());
    lex.bump(n);
    Ok(Skip)
}

/// How the last string token was written (to rebuild PUC's buffer text).
#[derive(Clone, Copy, Debug)]
enum StrForm {
    Short(u8),
    Long(usize),
}

/// The lexer used by the parser: one token at a time, PUC's line tracking.
pub struct Lexer<'s> {
    inner: logos::Lexer<'s, Raw>,
    /// Names seen so far: equal names share one allocation.
    names: ahash::AHashMap<&'s [u8], Rc<[u8]>>,
    last_span: std::ops::Range<usize>,
    last_form: StrForm,
}

impl<'s> Lexer<'s> {
    pub fn new(source: &'s [u8]) -> Self {
        Lexer {
            inner: Raw::lexer_with_extras(source, Extras { line: 1 }),
            names: ahash::AHashMap::new(),
            last_span: 0..0,
            last_form: StrForm::Short(b'"'),
        }
    }

    /// Current line (where the last token read ends).
    #[inline]
    pub fn line(&self) -> u32 {
        self.inner.extras.line
    }

    /// Reads the next token (`Token::Eos` at the end).
    pub fn next_token(&mut self) -> Result<Token, LexError> {
        let Some(raw) = self.inner.next() else {
            self.last_span = self.inner.source().len()..self.inner.source().len();
            return Ok(Token::Eos);
        };
        let raw = raw?;
        self.last_span = self.inner.span();
        Ok(match raw {
            Raw::And => Token::And,
            Raw::Break => Token::Break,
            Raw::Do => Token::Do,
            Raw::Else => Token::Else,
            Raw::ElseIf => Token::ElseIf,
            Raw::End => Token::End,
            Raw::False => Token::False,
            Raw::For => Token::For,
            Raw::Function => Token::Function,
            Raw::Goto => Token::Goto,
            Raw::If => Token::If,
            Raw::In => Token::In,
            Raw::Local => Token::Local,
            Raw::Nil => Token::Nil,
            Raw::Not => Token::Not,
            Raw::Or => Token::Or,
            Raw::Repeat => Token::Repeat,
            Raw::Return => Token::Return,
            Raw::Then => Token::Then,
            Raw::True => Token::True,
            Raw::Until => Token::Until,
            Raw::While => Token::While,
            Raw::IDiv => Token::IDiv,
            Raw::Concat => Token::Concat,
            Raw::Dots => Token::Dots,
            Raw::Eq => Token::Eq,
            Raw::Ge => Token::Ge,
            Raw::Le => Token::Le,
            Raw::Ne => Token::Ne,
            Raw::Shl => Token::Shl,
            Raw::Shr => Token::Shr,
            Raw::DbColon => Token::DbColon,
            Raw::Name => {
                let n = self.inner.slice();
                Token::Name(self.names.entry(n).or_insert_with(|| Rc::from(n)).clone())
            }
            Raw::Number(Number::Int(i)) => Token::Int(i),
            Raw::Number(Number::Float(f)) => Token::Flt(f),
            Raw::Str(s) => {
                self.last_form = StrForm::Short(self.inner.slice()[0]);
                Token::Str(Rc::from(s))
            }
            Raw::LongStr(s) => {
                let slice = self.inner.slice();
                let level = slice.iter().skip(1).take_while(|&&c| c == b'=').count();
                self.last_form = StrForm::Long(level);
                Token::Str(Rc::from(s))
            }
            Raw::Char(c) => Token::Char(c),
            // These never produce a token (skipped or always an error).
            Raw::BadDelimiter | Raw::Comment | Raw::Space | Raw::Newline => Token::Eos,
        })
    }

    /// PUC's scanner buffer for `tok`, which must be the most recently lexed token:
    /// the text shown in `near '...'` for names, strings and numerals.
    pub fn buffer_text(&self, tok: &Token) -> Vec<u8> {
        match tok {
            Token::Str(s) => match self.last_form {
                StrForm::Short(d) => {
                    let mut v = Vec::with_capacity(s.len() + 2);
                    v.push(d);
                    v.extend_from_slice(s);
                    v.push(d);
                    v
                }
                StrForm::Long(level) => {
                    let mut v = Vec::with_capacity(s.len() + 2 * level + 4);
                    v.push(b'[');
                    v.extend(std::iter::repeat_n(b'=', level));
                    v.push(b'[');
                    v.extend_from_slice(s);
                    v.push(b']');
                    v.extend(std::iter::repeat_n(b'=', level));
                    v.push(b']');
                    v
                }
            },
            Token::Name(n) => n.to_vec(),
            _ => self.inner.source()[self.last_span.clone()].to_vec(),
        }
    }
}

/// Skips what a loader skips before handing a file to the compiler: a UTF-8 BOM and
/// a first line starting with `#` (e.g. `#!/usr/bin/lua`). The line break ending
/// that line is kept, so line numbers stay right. (PUC's `skipcomment` in lauxlib.)
pub fn skip_comment_line(src: &[u8]) -> &[u8] {
    let src = src.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(src);
    if src.first() == Some(&b'#') {
        let n = src.iter().position(|&c| c == b'\n').unwrap_or(src.len());
        &src[n..]
    } else {
        src
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_all(src: &str) -> Result<Vec<Token>, LexError> {
        let mut l = Lexer::new(src.as_bytes());
        let mut v = Vec::new();
        loop {
            let t = l.next_token()?;
            if t == Token::Eos {
                return Ok(v);
            }
            v.push(t);
        }
    }

    fn s(x: &str) -> Token {
        Token::Str(Rc::from(x.as_bytes()))
    }

    #[test]
    fn basic_tokens() {
        let t = lex_all("local x = a.b .. 'c' // 3 ... ~= == >= <= << >> :: ~").unwrap();
        assert_eq!(t[0], Token::Local);
        assert_eq!(t[1], Token::Name(Rc::from(&b"x"[..])));
        assert_eq!(t[2], Token::Char(b'='));
        assert_eq!(t[6], Token::Concat);
        assert_eq!(t[7], s("c"));
        assert_eq!(t[8], Token::IDiv);
        assert_eq!(t[9], Token::Int(3));
        assert_eq!(
            &t[10..],
            &[
                Token::Dots,
                Token::Ne,
                Token::Eq,
                Token::Ge,
                Token::Le,
                Token::Shl,
                Token::Shr,
                Token::DbColon,
                Token::Char(b'~')
            ]
        );
    }

    #[test]
    fn numerals() {
        let t = lex_all("3 3. .5 1e10 0x10 0x1p4 0x.8 9223372036854775808 0xffffffffffffffffff")
            .unwrap();
        assert_eq!(
            t,
            vec![
                Token::Int(3),
                Token::Flt(3.0),
                Token::Flt(0.5),
                Token::Flt(1e10),
                Token::Int(16),
                Token::Flt(16.0),
                Token::Flt(0.5),
                Token::Flt(9223372036854775808.0),
                Token::Int(-1),
            ]
        );
        let e = lex_all("x = 3e").unwrap_err();
        assert_eq!(e.msg, "malformed number");
        assert_eq!(e.near, Near::Text(b"3e".to_vec()));
        let e = lex_all("x = .0x5").unwrap_err();
        assert_eq!(e.near, Near::Text(b".0x5".to_vec()));
        assert_eq!(lex_all("a..5").unwrap()[1], Token::Concat);
    }

    #[test]
    fn strings_and_escapes() {
        let t = lex_all(
            r#""a\tb\65\x41\u{48}\u{7FF}\z   c\
d" 'q\'"'"#,
        )
        .unwrap();
        assert_eq!(t[0], Token::Str(Rc::from(&b"a\tbAAH\xdf\xbfc\nd"[..])));
        assert_eq!(t[1], s("q'\""));
        let e = lex_all("x = \"\\q\"").unwrap_err();
        assert_eq!(e.msg, "invalid escape sequence");
        assert_eq!(e.near, Near::Text(b"\"\\q".to_vec()));
        let e = lex_all("x = \"\\300\"").unwrap_err();
        assert_eq!(e.near, Near::Text(b"\"\\300\"".to_vec()));
        let e = lex_all("x = \"\\u{110000000}\"").unwrap_err();
        assert_eq!(e.msg, "UTF-8 value too large");
        assert_eq!(e.near, Near::Text(b"\"\\u{110000".to_vec()));
        let e = lex_all("x = '\\x4'").unwrap_err();
        assert_eq!(e.near, Near::Text(b"'\\x4'".to_vec()));
        let e = lex_all("x = \"abc\ny\"").unwrap_err();
        assert_eq!(
            (e.msg.as_str(), e.near),
            ("unfinished string", Near::Text(b"\"abc".to_vec()))
        );
        let e = lex_all("x = \"abc").unwrap_err();
        assert_eq!(e.near, Near::Eof);
    }

    #[test]
    fn long_brackets_and_lines() {
        let mut l = Lexer::new(b"[==[\nab]]c]=]d]==] --[[ x\n y ]] z\r\n\n\rw --c\nq");
        assert_eq!(l.next_token().unwrap(), s("ab]]c]=]d"));
        assert_eq!(l.line(), 2);
        assert_eq!(l.next_token().unwrap(), Token::Name(Rc::from(&b"z"[..])));
        assert_eq!(l.line(), 3);
        assert_eq!(l.next_token().unwrap(), Token::Name(Rc::from(&b"w"[..])));
        assert_eq!(l.line(), 5);
        assert_eq!(l.next_token().unwrap(), Token::Name(Rc::from(&b"q"[..])));
        assert_eq!(l.line(), 6);
        let e = lex_all("x = [=").unwrap_err();
        assert_eq!(e.msg, "invalid long string delimiter");
        let e = lex_all("--[[ x").unwrap_err();
        assert_eq!(e.msg, "unfinished long comment (starting at line 1)");
        assert_eq!(lex_all("--[=x\nfoo").unwrap().len(), 1);
    }

    #[test]
    fn shebang() {
        assert_eq!(skip_comment_line(b"#!/bin/lua\nprint(1)"), b"\nprint(1)");
        assert_eq!(skip_comment_line(b"print(1)"), b"print(1)");
    }
}
