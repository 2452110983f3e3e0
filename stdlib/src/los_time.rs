//! Calendar time for the os library: C's `struct tm`, `gmtime`/`localtime`, `mktime` (with
//! glibc's normalisation and its handling of `tm_isdst`) and `strftime` for the C99
//! conversions in the "C" locale, with glibc's output (unpadded `%Y`/`%C`/`%G`, floor
//! division for years before 0).
//!
//! Invariants: all arithmetic is on `i64` with overflow checks; a date whose year does not
//! fit C's `int tm_year` is refused (`None`), as glibc refuses it with `EOVERFLOW`.

use std::cell::Cell;

use crate::los_tz::{local_zone, Zone};

/// C's `struct tm` with the full year and glibc's `tm_gmtoff`/`tm_zone`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tm {
    pub sec: i64,
    pub min: i64,
    pub hour: i64,
    pub mday: i64,
    /// 0..=11
    pub mon: i64,
    /// The year itself (`tm_year + 1900`).
    pub year: i64,
    /// 0 = Sunday
    pub wday: i64,
    /// 0..=365
    pub yday: i64,
    pub isdst: bool,
    pub gmtoff: i64,
    pub zone: String,
}

pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Days in month `m` (1..=12) of year `y`.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d` (`m` in 1..=12).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The date `(year, month 1..=12, day)` of a day number of `days_from_civil`.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether a year can be a C `tm_year` (an `int` counting from 1900).
fn year_fits(y: i64) -> bool {
    y.checked_sub(1900)
        .is_some_and(|v| i32::try_from(v).is_ok())
}

/// The broken-down time of `t + utoff` seconds since the epoch.
fn broken_down(t: i64, utoff: i64, isdst: bool, zone: &str) -> Option<Tm> {
    let local = t.checked_add(utoff)?;
    let days = local.div_euclid(86400);
    let secs = local.rem_euclid(86400);
    let (year, m, d) = civil_from_days(days);
    if !year_fits(year) {
        return None;
    }
    Some(Tm {
        sec: secs % 60,
        min: secs / 60 % 60,
        hour: secs / 3600,
        mday: d,
        mon: m - 1,
        year,
        wday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1),
        isdst,
        gmtoff: utoff,
        zone: zone.to_string(),
    })
}

/// `gmtime`.
pub fn gmtime(t: i64) -> Option<Tm> {
    broken_down(t, 0, false, "GMT")
}

fn localtime_in(z: &Zone, t: i64) -> Option<Tm> {
    let ty = z.lookup(t);
    broken_down(t, ty.utoff, ty.isdst, &ty.abbr)
}

/// `localtime`.
pub fn localtime(t: i64) -> Option<Tm> {
    localtime_in(&local_zone(), t)
}

/// The fields `mktime` reads (`month` is 0-based and may be out of range, as all are).
#[derive(Clone, Copy, Debug)]
pub struct DateFields {
    pub year: i64,
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    /// `tm_isdst`: negative when unknown.
    pub isdst: i32,
}

thread_local! {
    /// glibc's `localtime_offset`: the last UTC-minus-local offset `mktime` found (its
    /// first guess next time).
    static MKTIME_OFFSET: Cell<i64> = const { Cell::new(0) };
}

/// Seconds of the local date in `f` counted as if it were UTC.
fn local_seconds(f: &DateFields) -> Option<i64> {
    let y = f.year.checked_add(f.month.div_euclid(12))?;
    let m = f.month.rem_euclid(12);
    if y.unsigned_abs() > 1 << 40 {
        return None;
    }
    let days = days_from_civil(y, m + 1, 1).checked_add(f.day.checked_sub(1)?)?;
    days.checked_mul(86400)?
        .checked_add(f.hour.checked_mul(3600)?)?
        .checked_add(f.min.checked_mul(60)?)?
        .checked_add(f.sec)
}

fn tm_seconds(tm: &Tm) -> i64 {
    (days_from_civil(tm.year, tm.mon + 1, tm.mday) * 86400) + tm.hour * 3600 + tm.min * 60 + tm.sec
}

/// `mktime`: the time of the local date `f` and its normalised broken-down form, following
/// glibc's `__mktime_internal` (probing, the spring-forward gap, and the search for a time
/// with the requested `tm_isdst`).
pub fn mktime(f: &DateFields) -> Option<(i64, Tm)> {
    let z = local_zone();
    // glibc probes with the seconds clamped to 0..=59 and adds the rest at the end, so an
    // out-of-range `sec` moves the result in absolute time, across any offset change
    let sec_clamped = f.sec.clamp(0, 59);
    let want = local_seconds(&DateFields {
        sec: sec_clamped,
        ..*f
    })?;
    let isdst = f.isdst;
    let guess = MKTIME_OFFSET.try_with(Cell::get).unwrap_or(0);
    let t0 = want.checked_add(guess)?;
    let (mut t, mut t1, mut t2) = (t0, t0, t0);
    let mut dst2 = false;
    let mut probes = 6;
    let mut tm;
    loop {
        tm = localtime_in(&z, t)?;
        let gt = t.checked_add(want.checked_sub(tm_seconds(&tm))?)?;
        if gt == t {
            break;
        }
        let prefer = if isdst < 0 {
            !dst2 || tm.isdst
        } else {
            (isdst != 0) != tm.isdst
        };
        if t == t1 && t != t2 && prefer {
            break;
        }
        probes -= 1;
        if probes == 0 {
            return None;
        }
        t1 = t2;
        t2 = t;
        t = gt;
        dst2 = tm.isdst;
    }
    if isdst >= 0 && (isdst != 0) != tm.isdst {
        // look for a nearby time with the requested isdst and use its offset
        let stride: i64 = 601200;
        let bound: i64 = 536454000 / 2 + stride;
        let mut found = false;
        let mut delta = stride;
        'search: while delta < bound {
            for dir in [-1, 1] {
                let ot = t.checked_add(delta * dir)?;
                let otm = localtime_in(&z, ot)?;
                if otm.isdst == (isdst != 0) {
                    let gt = ot.checked_add(want.checked_sub(tm_seconds(&otm))?)?;
                    if let Some(gtm) = localtime_in(&z, gt) {
                        t = gt;
                        tm = gtm;
                        found = true;
                        break 'search;
                    }
                }
            }
            delta += stride;
        }
        if !found {
            // no DST offset nearby: assume one hour
            let diff = i64::from(isdst == 0) - i64::from(!tm.isdst);
            t = t.checked_add(3600 * diff)?;
            tm = localtime_in(&z, t)?;
        }
    }
    if let Some(off) = t.checked_sub(want) {
        let _ = MKTIME_OFFSET.try_with(|c| c.set(off));
    }
    if f.sec != sec_clamped {
        t = t.checked_add(f.sec - sec_clamped)?;
        tm = localtime_in(&z, t)?;
    }
    Some((t, tm))
}

// ---- strftime -------------------------------------------------------------------

const WDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Days of the ISO week-based year before `yday` (glibc's `iso_week_days`).
fn iso_week_days(yday: i64, wday: i64) -> i64 {
    const BIG_ENOUGH_MULTIPLE_OF_7: i64 = (366 / 7 + 2) * 7;
    yday - (yday - wday + 4 + BIG_ENOUGH_MULTIPLE_OF_7).rem_euclid(7) + 4 - 1
}

/// ISO 8601 week-based year and week number.
fn iso_week(tm: &Tm) -> (i64, i64) {
    let mut year = tm.year;
    let mut days = iso_week_days(tm.yday, tm.wday);
    if days < 0 {
        year -= 1;
        days = iso_week_days(tm.yday + 365 + i64::from(is_leap(year)), tm.wday);
    } else {
        let d = iso_week_days(tm.yday - (365 + i64::from(is_leap(year))), tm.wday);
        if d >= 0 {
            year += 1;
            days = d;
        }
    }
    (year, days / 7 + 1)
}

fn num(out: &mut Vec<u8>, v: i64, width: usize, pad: u8) {
    let s = v.unsigned_abs().to_string();
    if v < 0 {
        out.push(b'-');
    }
    for _ in s.len()..width {
        out.push(pad);
    }
    out.extend_from_slice(s.as_bytes());
}

/// Append the conversion `spec` (the specifier after `%`: one letter, or `E`/`O` and a
/// letter, already validated) of `tm`.
pub fn strftime_one(out: &mut Vec<u8>, spec: &[u8], tm: &Tm) {
    let c = *spec.last().unwrap_or(&b'%');
    let wday = WDAYS[tm.wday.rem_euclid(7) as usize];
    let month = MONTHS[tm.mon.rem_euclid(12) as usize];
    match c {
        b'a' => out.extend_from_slice(&wday.as_bytes()[..3]),
        b'A' => out.extend_from_slice(wday.as_bytes()),
        b'b' | b'h' => out.extend_from_slice(&month.as_bytes()[..3]),
        b'B' => out.extend_from_slice(month.as_bytes()),
        b'c' => {
            for s in [&b"a"[..], b" ", b"b", b" ", b"e", b" ", b"T", b" ", b"Y"] {
                if s == b" " {
                    out.push(b' ');
                } else {
                    strftime_one(out, s, tm);
                }
            }
        }
        b'C' => num(out, tm.year.div_euclid(100), 1, b'0'),
        b'd' => num(out, tm.mday, 2, b'0'),
        b'D' | b'x' => {
            num(out, tm.mon + 1, 2, b'0');
            out.push(b'/');
            num(out, tm.mday, 2, b'0');
            out.push(b'/');
            num(out, tm.year.rem_euclid(100), 2, b'0');
        }
        b'e' => num(out, tm.mday, 2, b' '),
        b'F' => {
            num(out, tm.year, 1, b'0');
            out.push(b'-');
            num(out, tm.mon + 1, 2, b'0');
            out.push(b'-');
            num(out, tm.mday, 2, b'0');
        }
        b'g' => num(out, iso_week(tm).0.rem_euclid(100), 2, b'0'),
        b'G' => num(out, iso_week(tm).0, 1, b'0'),
        b'H' => num(out, tm.hour, 2, b'0'),
        b'I' => num(out, (tm.hour + 11) % 12 + 1, 2, b'0'),
        b'j' => num(out, tm.yday + 1, 3, b'0'),
        b'm' => num(out, tm.mon + 1, 2, b'0'),
        b'M' => num(out, tm.min, 2, b'0'),
        b'n' => out.push(b'\n'),
        b'p' => out.extend_from_slice(if tm.hour < 12 { b"AM" } else { b"PM" }),
        b'r' => {
            strftime_one(out, b"I", tm);
            out.push(b':');
            strftime_one(out, b"M", tm);
            out.push(b':');
            strftime_one(out, b"S", tm);
            out.push(b' ');
            strftime_one(out, b"p", tm);
        }
        b'R' => {
            num(out, tm.hour, 2, b'0');
            out.push(b':');
            num(out, tm.min, 2, b'0');
        }
        b'S' => num(out, tm.sec, 2, b'0'),
        b't' => out.push(b'\t'),
        b'T' | b'X' => {
            num(out, tm.hour, 2, b'0');
            out.push(b':');
            num(out, tm.min, 2, b'0');
            out.push(b':');
            num(out, tm.sec, 2, b'0');
        }
        b'u' => num(out, (tm.wday + 6) % 7 + 1, 1, b'0'),
        b'U' => num(out, (tm.yday - tm.wday + 7) / 7, 2, b'0'),
        b'V' => num(out, iso_week(tm).1, 2, b'0'),
        b'w' => num(out, tm.wday, 1, b'0'),
        b'W' => num(out, (tm.yday - (tm.wday - 1 + 7) % 7 + 7) / 7, 2, b'0'),
        b'y' => num(out, tm.year.rem_euclid(100), 2, b'0'),
        b'Y' => num(out, tm.year, 1, b'0'),
        b'z' => {
            let (sign, d) = if tm.gmtoff < 0 {
                (b'-', -tm.gmtoff)
            } else {
                (b'+', tm.gmtoff)
            };
            out.push(sign);
            let m = d / 60;
            num(out, m / 60 * 100 + m % 60, 4, b'0');
        }
        b'Z' => out.extend_from_slice(tm.zone.as_bytes()),
        _ => out.push(b'%'),
    }
}

/// PUC's `LUA_STRFTIMEOPTIONS` for C99: the one-letter conversions, then the two-letter
/// ones.
const OPTIONS1: &[u8] = b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
const OPTIONS2: [&[u8]; 19] = [
    b"Ec", b"EC", b"Ex", b"EX", b"Ey", b"EY", b"Od", b"Oe", b"OH", b"OI", b"Om", b"OM", b"OS",
    b"Ou", b"OU", b"OV", b"Ow", b"OW", b"Oy",
];

/// The length of the valid conversion at the start of `conv` (PUC's `checkoption`).
pub fn check_option(conv: &[u8]) -> Option<usize> {
    let c = *conv.first()?;
    if OPTIONS1.contains(&c) {
        return Some(1);
    }
    let two = conv.get(..2)?;
    OPTIONS2.contains(&two).then_some(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(11016), (2000, 2, 29));
    }

    #[test]
    fn formats() {
        let tm = gmtime(1234567890).unwrap();
        let f = |s: &[u8]| {
            let mut o = Vec::new();
            strftime_one(&mut o, s, &tm);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(f(b"c"), "Fri Feb 13 23:31:30 2009");
        assert_eq!(f(b"V"), "07");
        assert_eq!(f(b"U"), "06");
        assert_eq!(f(b"r"), "11:31:30 PM");
        assert!(gmtime(i64::MAX).is_none());
        assert!(gmtime(1 << 60).is_none());
    }
}
