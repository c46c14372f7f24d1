//! Text normalisation and date reading, shared by the grounding check, the
//! answer checker and duplicate detection, so that every place that compares
//! what people wrote compares it the same way (DESIGN.md, invariant 7).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// English month names, lowercase, January first.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Reduces text to lowercase words without diacritics or punctuation, so that
/// "Qawām-al-Salṭana" and "qawam al saltana" compare equal.
///
/// Apostrophes and the half-ring letters used for ʿayn and hamza join the
/// word ("Raskol’nikov" becomes "raskolnikov"); every other character that is
/// not a letter or digit separates words. Runs of spaces collapse to one.
pub fn normalise(text: &str) -> String {
    if text.is_ascii() {
        return normalise_ascii(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkd() {
        if is_combining_mark(c) || is_joining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// [`normalise`] for ASCII text, which decomposition leaves as it is: the
/// same result without the Unicode tables (the browser's index of 100,000
/// cards spends most of its time here).
fn normalise_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for b in text.bytes() {
        if b == b'\'' || b == b'`' {
            continue;
        }
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            pending_space = true;
        }
    }
    out
}

/// Marks that are part of a word rather than between words.
fn is_joining_mark(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}' | '\u{02BE}' | '\u{02BF}' | '`' | '\u{00B4}')
}

/// Whether `needle` occurs in `haystack` as a run of whole words. Both must
/// already be normalised with [`normalise`].
pub fn contains_words(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    haystack.match_indices(needle).any(|(start, _)| {
        let end = start + needle.len();
        let before_ok = start == 0 || haystack.as_bytes().get(start - 1) == Some(&b' ');
        let after_ok = end == haystack.len() || haystack.as_bytes().get(end) == Some(&b' ');
        before_ok && after_ok
    })
}

/// A calendar date as people write it, with the day when they give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WrittenDate {
    /// The year, such as 1921.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, when the date names one.
    pub day: Option<u8>,
}

impl WrittenDate {
    /// Builds a date, or `None` when the month or day is out of range.
    pub fn new(year: i32, month: u8, day: Option<u8>) -> Option<Self> {
        let month_ok = (1..=12).contains(&month);
        let day_ok = day.is_none_or(|d| (1..=days_in_month(year, month)).contains(&d));
        (month_ok && day_ok).then_some(Self { year, month, day })
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn month_number(word: &str) -> Option<u8> {
    // Full names and unambiguous abbreviations of three letters or more
    // ("aug", "sept"); every month has a distinct three-letter prefix.
    if word.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| m.starts_with(word))?;
    u8::try_from(index + 1).ok()
}

fn year_number(word: &str) -> Option<i32> {
    (word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit())).then(|| word.parse().ok()).flatten()
}

fn small_number(word: &str) -> Option<u8> {
    let digits = word
        .strip_suffix("st")
        .or_else(|| word.strip_suffix("nd"))
        .or_else(|| word.strip_suffix("rd"))
        .or_else(|| word.strip_suffix("th"))
        .unwrap_or(word);
    (!digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Reads `words` (already normalised and split) starting at its first word
/// as a date, returning the date and how many words it used.
fn date_at(words: &[&str]) -> Option<(WrittenDate, usize)> {
    let w = |i: usize| words.get(i).copied();
    let (a, b, c) = (w(0)?, w(1), w(2));
    // 25 August 1941
    if let (Some(d), Some(m), Some(y)) = (small_number(a), b.and_then(month_number), c.and_then(year_number)) {
        return WrittenDate::new(y, m, Some(d)).map(|date| (date, 3));
    }
    if let Some(m) = month_number(a) {
        // August 25 1941 (the comma is gone after normalising)
        if let (Some(d), Some(y)) = (b.and_then(small_number), c.and_then(year_number)) {
            return WrittenDate::new(y, m, Some(d)).map(|date| (date, 3));
        }
        // August 1941
        if let Some(y) = b.and_then(year_number) {
            return WrittenDate::new(y, m, None).map(|date| (date, 2));
        }
    }
    // 1941 08 25 (from 1941-08-25)
    if let (Some(y), Some(m), Some(d)) = (year_number(a), b.and_then(small_number), c.and_then(small_number)) {
        return WrittenDate::new(y, m, Some(d)).map(|date| (date, 3));
    }
    // 25 8 1941 (from 25.8.1941 or 25/8/1941): day first, as Europe writes it
    if let (Some(d), Some(m), Some(y)) = (small_number(a), b.and_then(small_number), c.and_then(year_number)) {
        return WrittenDate::new(y, m, Some(d)).map(|date| (date, 3));
    }
    None
}

/// Reads the whole of `text` as one date in any common written form
/// ("25 August 1941", "August 25, 1941", "1941-08-25", "25.8.1941",
/// "August 1941"), or `None` when it is not exactly one date.
pub fn parse_date(text: &str) -> Option<WrittenDate> {
    let norm = normalise(text);
    let mut words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    if words.first() == Some(&"on") {
        words.remove(0);
    }
    match date_at(&words) {
        Some((date, used)) if used == words.len() => Some(date),
        _ => None,
    }
}

/// Every date written in `normalised` text, in order of appearance. A full
/// date also yields its month-and-year form, since "August 1941" is stated by
/// a text that says "August 25, 1941".
pub fn dates_in(normalised: &str) -> Vec<WrittenDate> {
    let words: Vec<&str> = normalised.split(' ').collect();
    let mut out = Vec::new();
    for i in 0..words.len() {
        let Some(rest) = words.get(i..) else { break };
        if let Some((date, _)) = date_at(rest) {
            out.push(date);
            if date.day.is_some() {
                out.push(WrittenDate { day: None, ..date });
            }
        }
    }
    out
}

/// `text` cut to `max_chars` characters, ending in "… (N bytes in all)"
/// when it was longer, so that an error quoting a huge value stays
/// readable.
pub fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}… ({} bytes in all)", text.get(..end).unwrap_or(""), text.len()),
    }
}
