//! The local time zone, for `os.date` and `os.time`, read as glibc reads it: `TZ` unset
//! means `/etc/localtime`, `TZ=""` means UTC, otherwise `TZ` (without a leading `:`) names
//! a TZif file (absolute, or under `$TZDIR` or `/usr/share/zoneinfo`) or is a POSIX TZ
//! string (`EST5EDT,M3.2.0,M11.1.0`). Anything unreadable is UTC.
//!
//! Gaps (documented in COMPATIBILITY.md): leap-second ("right/") zone files are read
//! without their leap-second corrections.
//!
//! Invariant: parsing never panics on any file contents or `TZ` value (every read is
//! bounds-checked); a zone always answers `lookup`.

use std::cell::RefCell;
use std::ffi::OsString;
use std::rc::Rc;

use crate::los_time::{days_from_civil, is_leap};

/// One local time type: offset east of UTC, DST flag, abbreviation.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeType {
    pub utoff: i64,
    pub isdst: bool,
    pub abbr: String,
}

/// When a POSIX rule changes: a day of the year and a local time of day.
#[derive(Clone, Copy, Debug)]
enum RuleDate {
    /// `Jn`: day 1..365, February 29 never counted.
    Julian1(i64),
    /// `n`: day 0..365, February 29 counted.
    Julian0(i64),
    /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
    Month(i64, i64, i64),
}

#[derive(Clone, Debug)]
struct Rule {
    std: TimeType,
    /// DST type with its start and end (date, seconds after local midnight).
    dst: Option<DstPart>,
}

/// A time zone: transitions of a TZif file, then (or only) a POSIX rule.
#[derive(Clone, Debug)]
pub struct Zone {
    transitions: Vec<i64>,
    /// Index into `types` of each transition.
    idx: Vec<usize>,
    types: Vec<TimeType>,
    rule: Option<Rule>,
}

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            transitions: Vec::new(),
            idx: Vec::new(),
            types: vec![TimeType {
                utoff: 0,
                isdst: false,
                abbr: "UTC".into(),
            }],
            rule: None,
        }
    }

    /// The local time type at UTC time `t`.
    pub fn lookup(&self, t: i64) -> TimeType {
        let n = self.transitions.len();
        if n == 0 || t < self.transitions[0] {
            if n == 0 {
                if let Some(r) = &self.rule {
                    return r.lookup(t);
                }
            }
            // before any transition: the first non-DST type (or the first)
            let i = self.types.iter().position(|ty| !ty.isdst).unwrap_or(0);
            return self.types.get(i).cloned().unwrap_or_else(utc_type);
        }
        if t >= self.transitions[n - 1] {
            if let Some(r) = &self.rule {
                return r.lookup(t);
            }
        }
        let i = self.transitions.partition_point(|&x| x <= t);
        let ty = self.idx.get(i.saturating_sub(1)).copied().unwrap_or(0);
        self.types.get(ty).cloned().unwrap_or_else(utc_type)
    }
}

fn utc_type() -> TimeType {
    TimeType {
        utoff: 0,
        isdst: false,
        abbr: "UTC".into(),
    }
}

impl Rule {
    fn lookup(&self, t: i64) -> TimeType {
        let Some((dst, start, end)) = &self.dst else {
            return self.std.clone();
        };
        // the transitions of the year of `t` in UTC, as glibc computes them
        let year = crate::los_time::civil_from_days(t.div_euclid(86400)).0;
        let s = change_time(year, *start, self.std.utoff);
        let e = change_time(year, *end, dst.utoff);
        let isdst = if s > e {
            t < e || t >= s
        } else {
            t >= s && t < e
        };
        if isdst {
            dst.clone()
        } else {
            self.std.clone()
        }
    }
}

/// The UTC time of a rule's change in `year`, the local time being at offset `utoff`.
/// As glibc's `compute_change`, years up to 1970 count their days from 1970-01-01 (so
/// rules act on earlier years as on 1970), and the weekday of a month's first day comes
/// from Zeller's congruence with C's truncating division.
fn change_time(year: i64, (date, secs): (RuleDate, i64), utoff: i64) -> i64 {
    let jan1 = if year > 1970 {
        days_from_civil(year, 1, 1)
    } else {
        0
    };
    let day = match date {
        RuleDate::Julian1(n) => jan1 + n - 1 + i64::from(is_leap(year) && n >= 60),
        RuleDate::Julian0(n) => jan1 + n,
        RuleDate::Month(m, w, d) => {
            let before: i64 = (1..m)
                .map(|k| crate::los_time::days_in_month(year, k))
                .sum();
            let m1 = (m + 9) % 12 + 1;
            let yy0 = if m <= 2 { year - 1 } else { year };
            let (yy1, yy2) = (yy0 / 100, yy0 % 100);
            let mut dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
            if dow < 0 {
                dow += 7;
            }
            let mut mday = d - dow;
            if mday < 0 {
                mday += 7;
            }
            let mdays = crate::los_time::days_in_month(year, m);
            for _ in 1..w {
                if mday + 7 >= mdays {
                    break;
                }
                mday += 7;
            }
            jan1 + before + mday
        }
    };
    day.saturating_mul(86400)
        .saturating_add(secs)
        .saturating_sub(utoff)
}

// ---- POSIX TZ strings -----------------------------------------------------------------

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn name(&mut self) -> Option<String> {
        let start;
        let end;
        if self.eat(b'<') {
            start = self.i;
            while self.peek()? != b'>' {
                self.i += 1;
            }
            end = self.i;
            self.i += 1;
        } else {
            start = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                self.i += 1;
            }
            end = self.i;
        }
        if end - start < 3 {
            return None;
        }
        Some(String::from_utf8_lossy(&self.s[start..end]).into_owned())
    }
    fn number(&mut self) -> Option<i64> {
        let start = self.i;
        let mut v: i64 = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            v = v.checked_mul(10)?.checked_add((c - b'0') as i64)?;
            self.i += 1;
        }
        (self.i > start).then_some(v)
    }
    /// `[+-]hh[:mm[:ss]]` in seconds.
    fn time(&mut self) -> Option<i64> {
        let neg = if self.eat(b'-') {
            true
        } else {
            self.eat(b'+');
            false
        };
        let h = self.number()?;
        if h > 167 {
            return None;
        }
        let mut secs = h * 3600;
        if self.eat(b':') {
            let m = self.number()?;
            if m > 59 {
                return None;
            }
            secs += m * 60;
            if self.eat(b':') {
                let sec = self.number()?;
                if sec > 59 {
                    return None;
                }
                secs += sec;
            }
        }
        Some(if neg { -secs } else { secs })
    }
    fn date(&mut self) -> Option<(RuleDate, i64)> {
        let d = if self.eat(b'J') {
            let n = self.number()?;
            if !(1..=365).contains(&n) {
                return None;
            }
            RuleDate::Julian1(n)
        } else if self.eat(b'M') {
            let m = self.number()?;
            if !self.eat(b'.') {
                return None;
            }
            let w = self.number()?;
            if !self.eat(b'.') {
                return None;
            }
            let d = self.number()?;
            if !(1..=12).contains(&m) || !(1..=5).contains(&w) || d > 6 {
                return None;
            }
            RuleDate::Month(m, w, d)
        } else {
            let n = self.number()?;
            if n > 365 {
                return None;
            }
            RuleDate::Julian0(n)
        };
        let t = if self.eat(b'/') { self.time()? } else { 7200 };
        Some((d, t))
    }
}

/// A POSIX TZ string. As glibc, what cannot be parsed is UTC: with the standard name if
/// that much parsed (else an empty name); a DST part that does not parse is ignored.
fn parse_rule(s: &[u8]) -> Rule {
    let mut p = Parser { s, i: 0 };
    let mut std = TimeType {
        utoff: 0,
        isdst: false,
        abbr: String::new(),
    };
    let Some(name) = p.name() else {
        return Rule { std, dst: None };
    };
    std.abbr = name;
    let Some(off) = p.time() else {
        return Rule { std, dst: None };
    };
    std.utoff = -off;
    let dst = parse_dst(&mut p, std.utoff);
    Rule { std, dst }
}

type DstPart = (TimeType, (RuleDate, i64), (RuleDate, i64));

fn parse_dst(p: &mut Parser, std_off: i64) -> Option<DstPart> {
    p.peek()?;
    let dst_name = p.name()?;
    let dst_off = match p.peek() {
        Some(c) if c == b'+' || c == b'-' || c.is_ascii_digit() => -p.time()?,
        _ => std_off + 3600,
    };
    let dst = TimeType {
        utoff: dst_off,
        isdst: true,
        abbr: dst_name,
    };
    let (start, end) = if p.eat(b',') {
        let a = p.date()?;
        if !p.eat(b',') {
            return None;
        }
        (a, p.date()?)
    } else {
        // glibc's default rules (the United States')
        (
            (RuleDate::Month(3, 2, 0), 7200),
            (RuleDate::Month(11, 1, 0), 7200),
        )
    };
    if p.peek().is_some() {
        return None;
    }
    Some((dst, start, end))
}

// ---- TZif files -------------------------------------------------------------------

struct Reader<'a> {
    d: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.i.checked_add(n)?;
        let r = self.d.get(self.i..end)?;
        self.i = end;
        Some(r)
    }
    fn u32(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    fn header(&mut self) -> Option<(u8, [usize; 6])> {
        let h = self.take(20)?;
        if &h[..4] != b"TZif" {
            return None;
        }
        let mut c = [0; 6];
        for x in &mut c {
            *x = self.u32()?;
        }
        Some((h[4], c))
    }
}

fn parse_tzif(d: &[u8]) -> Option<Zone> {
    let mut r = Reader { d, i: 0 };
    let (version, mut c) = r.header()?;
    let mut tsize = 4;
    if version >= b'2' {
        // skip the 32-bit data
        let [isut, isstd, leap, timecnt, typecnt, charcnt] = c;
        let v1 = timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
        r.take(v1)?;
        c = r.header()?.1;
        tsize = 8;
    }
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = c;
    if typecnt == 0 {
        return None;
    }
    let mut transitions = Vec::with_capacity(timecnt.min(10_000));
    for _ in 0..timecnt {
        let b = r.take(tsize)?;
        let t = if tsize == 8 {
            i64::from_be_bytes(b.try_into().ok()?)
        } else {
            i32::from_be_bytes(b.try_into().ok()?) as i64
        };
        transitions.push(t);
    }
    let idx: Vec<usize> = r.take(timecnt)?.iter().map(|&x| x as usize).collect();
    let mut raw = Vec::with_capacity(typecnt.min(256));
    for _ in 0..typecnt {
        let b = r.take(6)?;
        let off = i32::from_be_bytes([b[0], b[1], b[2], b[3]]) as i64;
        raw.push((off, b[4] != 0, b[5] as usize));
    }
    let chars = r.take(charcnt)?;
    r.take(leap.checked_mul(tsize + 4)?)?;
    r.take(isstd)?;
    r.take(isut)?;
    let types = raw
        .into_iter()
        .map(|(utoff, isdst, ai)| {
            let tail = chars.get(ai..).unwrap_or(&[]);
            let end = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
            TimeType {
                utoff,
                isdst,
                abbr: String::from_utf8_lossy(&tail[..end]).into_owned(),
            }
        })
        .collect::<Vec<_>>();
    if idx.iter().any(|&i| i >= types.len()) {
        return None;
    }
    let mut rule = None;
    if version >= b'2' {
        let rest = &d[r.i.min(d.len())..];
        if let Some(body) = rest.strip_prefix(b"\n") {
            if let Some(end) = body.iter().position(|&c| c == b'\n') {
                if end > 0 {
                    rule = Some(parse_rule(&body[..end]));
                }
            }
        }
    }
    Some(Zone {
        transitions,
        idx,
        types,
        rule,
    })
}

fn load_file(path: &std::path::Path) -> Option<Zone> {
    let data = std::fs::read(path).ok()?;
    parse_tzif(&data)
}

fn load(tz: Option<&OsString>) -> Zone {
    use std::os::unix::ffi::OsStrExt;
    let Some(tz) = tz else {
        return load_file(std::path::Path::new("/etc/localtime")).unwrap_or_else(Zone::utc);
    };
    let b = tz.as_bytes();
    if b.is_empty() {
        return Zone::utc();
    }
    let b = b.strip_prefix(b":").unwrap_or(b);
    let name = std::ffi::OsStr::from_bytes(b);
    let path = if b.first() == Some(&b'/') {
        std::path::PathBuf::from(name)
    } else {
        let dir = std::env::var_os("TZDIR").unwrap_or_else(|| "/usr/share/zoneinfo".into());
        std::path::Path::new(&dir).join(name)
    };
    if let Some(z) = load_file(&path) {
        return z;
    }
    let rule = parse_rule(b);
    Zone {
        transitions: Vec::new(),
        idx: Vec::new(),
        types: vec![rule.std.clone()],
        rule: Some(rule),
    }
}

thread_local! {
    static CURRENT: RefCell<Option<(Option<OsString>, Rc<Zone>)>> = const { RefCell::new(None) };
}

/// The local zone for the current value of `TZ` (cached until `TZ` changes).
pub fn local_zone() -> Rc<Zone> {
    let tz = std::env::var_os("TZ");
    let cached = CURRENT
        .try_with(|c| {
            c.try_borrow().ok().and_then(|c| match &*c {
                Some((k, z)) if *k == tz => Some(z.clone()),
                _ => None,
            })
        })
        .ok()
        .flatten();
    if let Some(z) = cached {
        return z;
    }
    let z = Rc::new(load(tz.as_ref()));
    let _ = CURRENT.try_with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            *c = Some((tz, z.clone()));
        }
    });
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_rules() {
        let r = parse_rule(b"EST5EDT,M3.2.0,M11.1.0");
        let z = Zone {
            transitions: vec![],
            idx: vec![],
            types: vec![r.std.clone()],
            rule: Some(r),
        };
        // 2021-03-14 07:00 UTC is 03:00 EDT; a second before, 01:59:59 EST
        assert_eq!(z.lookup(1615705200).abbr, "EDT");
        assert_eq!(z.lookup(1615705199).abbr, "EST");
        // 2021-11-07 06:00 UTC is 01:00 EST
        assert_eq!(z.lookup(1636264800).utoff, -5 * 3600);
        assert_eq!(z.lookup(1636264799).utoff, -4 * 3600);
        assert_eq!(parse_rule(b"<+0530>-5:30").std.utoff, 5 * 3600 + 1800);
        assert_eq!(parse_rule(b"X").std.abbr, "");
        assert!(parse_rule(b"ABC1DEF,M13.1.0,M1.1.0").dst.is_none());
    }

    #[test]
    fn garbage_files_do_not_panic() {
        let mut d = b"TZif2".to_vec();
        d.extend_from_slice(&[0; 15]);
        d.extend_from_slice(&[0xff; 24]);
        assert!(parse_tzif(&d).is_none());
        for n in 0..80 {
            let _ = parse_tzif(&d[..n.min(d.len())]);
        }
    }
}
