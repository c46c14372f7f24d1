//! The answer checker, shared by typed-answer review and exams (DESIGN.md,
//! invariant 7): lenient about case, diacritics, punctuation, quotes, spaces
//! and a leading "the"; dates and numbers match across their written forms;
//! a near miss on a name is "almost".

use unicode_normalization::UnicodeNormalization as _;

use crate::text::{normalise, parse_date};

/// How a typed answer compares with the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The answer or an accept form, as written or in an equivalent form.
    Correct,
    /// A small misspelling of a name: shown with the right spelling.
    Almost,
    /// Not the answer.
    Wrong,
}

/// Judges `typed` against a card's `answer` and `accept` forms.
pub fn check(typed: &str, answer: &str, accept: &[String]) -> Verdict {
    let typed_norm = strip_the(&normalise(typed));
    if typed_norm.is_empty() {
        return Verdict::Wrong;
    }
    let mut verdict = Verdict::Wrong;
    for form in std::iter::once(answer).chain(accept.iter().map(String::as_str)) {
        let spelled = digraphs(form);
        for form in std::iter::once(form).chain(spelled.as_deref()) {
            match check_form(typed, &typed_norm, form) {
                Verdict::Correct => return Verdict::Correct,
                Verdict::Almost => verdict = Verdict::Almost,
                Verdict::Wrong => {}
            }
        }
    }
    verdict
}

/// `form` with the letters that scholarly romanisation of Persian writes
/// with a háček or bar spelled as English readers write them (`š` as
/// `sh`, `č` as `ch`, `ž` as `zh`, `ḵ` as `kh`, `ḡ` as `gh`, `ṯ` as `th`,
/// `ḏ` as `dh`), or `None` when it has none. A student who types
/// "Ashurada" or "Kuchek Khan" for "Āšurādā" or "Kuček Khan" is right;
/// dropping the marks ("Asurada") stays right too.
fn digraphs(form: &str) -> Option<String> {
    let mut out = String::with_capacity(form.len() + 4);
    let mut changed = false;
    for c in form.nfc() {
        let spelled = match c {
            'š' => "sh",
            'Š' => "Sh",
            'č' => "ch",
            'Č' => "Ch",
            'ž' => "zh",
            'Ž' => "Zh",
            'ḵ' => "kh",
            'Ḵ' => "Kh",
            'ḡ' => "gh",
            'Ḡ' => "Gh",
            'ṯ' => "th",
            'Ṯ' => "Th",
            'ḏ' => "dh",
            'Ḏ' => "Dh",
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(spelled);
        changed = true;
    }
    changed.then_some(out)
}

fn check_form(typed: &str, typed_norm: &str, form: &str) -> Verdict {
    let form_norm = strip_the(&normalise(form));
    if form_norm.is_empty() {
        return Verdict::Wrong;
    }
    if typed_norm == form_norm {
        return Verdict::Correct;
    }
    // A date is right only as the same date: a wrong day is wrong, never
    // "almost", even though it differs by one character.
    if let Some(expected) = parse_date(form) {
        return if parse_date(typed) == Some(expected) { Verdict::Correct } else { Verdict::Wrong };
    }
    if let Some(expected) = parse_number(form) {
        let same_value = parse_number(typed).is_some_and(|n| (n - expected).abs() <= expected.abs() * 1e-9);
        // The unit may be left out, but not changed: "35 million" is right
        // for "35 million rubles", "35 million dollars" is not.
        let form_words: Vec<&str> = form_norm.split(' ').collect();
        let same_unit = typed_norm
            .split(' ')
            .filter(|w| !w.chars().any(|c| c.is_ascii_digit()) && !SCALE_WORDS.contains(w))
            .all(|w| form_words.contains(&w));
        return if same_value && same_unit { Verdict::Correct } else { Verdict::Wrong };
    }
    if form_norm.chars().any(|c| c.is_ascii_digit()) {
        // Clause numbers, years and other figures inside words: exact only.
        return Verdict::Wrong;
    }
    let distance = edit_distance(typed_norm, &form_norm);
    if distance <= allowed_typos(form_norm.chars().count()) { Verdict::Almost } else { Verdict::Wrong }
}

/// Typos forgiven as "almost", scaled to the answer's length: none up to
/// 4 letters (Iran is not Iraq), one up to 11, then one per 6 letters.
fn allowed_typos(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=11 => 1,
        n => n / 6,
    }
}

fn strip_the(text: &str) -> String {
    text.strip_prefix("the ").unwrap_or(text).to_owned()
}

/// Words that scale a figure rather than name its unit.
const SCALE_WORDS: [&str; 5] = ["thousand", "million", "mln", "billion", "bn"];

/// Reads a figure such as "35 million", "35,000,000", "30 thousand",
/// "1,106 km" or "51%" into its value. The unit (km, %, ...) must not
/// contradict: only scale words are understood, other words are ignored.
pub fn parse_number(text: &str) -> Option<f64> {
    let lower = text.to_lowercase();
    let mut words = lower.split_whitespace();
    let first = words.next()?;
    // "35,000,000" or "1.5" or "51%": digits with thousands commas.
    let digits: String = first.trim_end_matches(['%', '.']).replace(',', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let mut value: f64 = digits.parse().ok()?;
    for word in words {
        // "26 February 1921" is a date or a phrase, not one figure.
        if word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let scale = match word.trim_matches(|c: char| !c.is_alphanumeric()) {
            "thousand" => 1e3,
            "million" | "mln" => 1e6,
            "billion" | "bn" => 1e9,
            _ => 1.0,
        };
        value *= scale;
    }
    Some(value)
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let cost = usize::from(ca != *cb);
            let value = (diagonal + cost).min(above.saturating_add(1)).min(left.saturating_add(1));
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// One run of a character diff between what was typed and the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffPart {
    /// Typed and right.
    Same(String),
    /// Typed but not in the answer.
    Extra(String),
    /// In the answer but not typed.
    Missing(String),
}

/// A character diff of `typed` against `expected` (case-insensitive), by
/// longest common subsequence, for showing a typo.
pub fn diff(typed: &str, expected: &str) -> Vec<DiffPart> {
    let a: Vec<char> = typed.chars().collect();
    let b: Vec<char> = expected.chars().collect();
    let same = |x: char, y: char| x.to_lowercase().eq(y.to_lowercase());
    // lcs[i][j]: LCS length of a[i..] and b[j..].
    let width = b.len() + 1;
    let mut lcs = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            let value = match (a.get(i), b.get(j)) {
                (Some(&x), Some(&y)) if same(x, y) => lcs.get(at(i + 1, j + 1)).copied().unwrap_or(0) + 1,
                _ => lcs.get(at(i + 1, j)).copied().unwrap_or(0).max(lcs.get(at(i, j + 1)).copied().unwrap_or(0)),
            };
            if let Some(cell) = lcs.get_mut(at(i, j)) {
                *cell = value;
            }
        }
    }
    let mut parts: Vec<DiffPart> = Vec::new();
    let mut push = |part: DiffPart| match (parts.last_mut(), &part) {
        (Some(DiffPart::Same(s)), DiffPart::Same(t))
        | (Some(DiffPart::Extra(s)), DiffPart::Extra(t))
        | (Some(DiffPart::Missing(s)), DiffPart::Missing(t)) => s.push_str(t),
        _ => parts.push(part),
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if same(x, y) => {
                push(DiffPart::Same(y.to_string()));
                i += 1;
                j += 1;
            }
            (Some(&x), Some(_))
                if lcs.get(at(i + 1, j)).copied().unwrap_or(0) >= lcs.get(at(i, j + 1)).copied().unwrap_or(0) =>
            {
                push(DiffPart::Extra(x.to_string()));
                i += 1;
            }
            (_, Some(&y)) => {
                push(DiffPart::Missing(y.to_string()));
                j += 1;
            }
            (Some(&x), None) => {
                push(DiffPart::Extra(x.to_string()));
                i += 1;
            }
            (None, None) => break,
        }
    }
    parts
}

/// The accepted form (the answer or an accept form) nearest to what was
/// typed, and how alike they are: 1 for the same letters, 0 for nothing in
/// common (edit distance over the longer length, compared normalised).
pub fn nearest<'a>(typed: &str, answer: &'a str, accept: &'a [String]) -> (&'a str, f32) {
    let typed_norm = strip_the(&normalise(typed));
    let mut best = (answer, -1.0f32);
    for form in std::iter::once(answer).chain(accept.iter().map(String::as_str)) {
        let form_norm = strip_the(&normalise(form));
        let longer = typed_norm.chars().count().max(form_norm.chars().count()).max(1);
        let similarity = 1.0 - edit_distance(&typed_norm, &form_norm) as f32 / longer as f32;
        if similarity > best.1 {
            best = (form, similarity);
        }
    }
    (best.0, best.1.max(0.0))
}

/// Below this similarity to the nearest accepted form a wrong answer is
/// called "Wrong" rather than "Not quite".
pub const NOT_QUITE: f32 = 0.5;
